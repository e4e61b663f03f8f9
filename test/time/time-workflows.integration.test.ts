/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { createApp } from '../../src/http/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { applyLocalChange } from '../../src/engine/index.ts';
import { effectiveHoursOf } from '../../src/engine/time/effective.ts';
import { runTimeReminders } from '../../src/engine/time/reminders.ts';
import { releaseExpiredHolds } from '../../src/engine/time/timer.ts';
import type { EntityName } from '../../src/model/index.ts';
import type { FieldMap } from '../../src/store/index.ts';
import { seedWorld, startHarness, type Harness, type World } from '../http/support.ts';

let h: Harness;
let w: World;
const keys: Record<string, string> = {};

const make = (entity: EntityName, changes: FieldMap) =>
  h.store.unitOfWork(async (tx) => (await applyLocalChange(tx, h.policy, { entity, changes, actor: 'seed' }, h.now())).canonicalId);
const entry = (workDate: string, status: string, extra: FieldMap = {}, assignmentId = w.assignmentId) =>
  make('time_entry', { assignmentId, workDate, regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status, approvedById: null, approvedAt: null, note: null, ...extra });
const get = async (id: string) => (await h.store.repos.canonical.get('time_entry', id))?.fields;
const eventsOf = async (id: string) => (await h.store.repos.events.forRecord('time_entry', id)).map((e) => e.type);

beforeAll(async () => {
  // Weekly pay periods from Monday 2026-01-05, approvals due 48 hours after the week; the harness clock starts 2026-03-02 09:00Z.
  h = await startHarness({ timeSettings: { payPeriods: { default: { frequency: 'weekly', anchor: '2026-01-05', cutoffHours: 48 } }, reminders: { reminderAfterHours: 24, escalateAfterHours: 72, escalateTo: 'delegate' } } });
  w = await seedWorld(h);
  // A second approver at the worksite, for the race.
  await make('contact_worksite_role', { contactId: w.requesterId, worksiteId: w.worksiteId, role: 'approver' });
  keys['approver'] = await h.keyFor({ contactId: w.approverId });
  keys['second'] = await h.keyFor({ contactId: w.requesterId });
}, 60_000);

afterAll(async () => {
  await h.close();
});

describe('disputes', () => {
  it('rejects with a reason code and comment; the entry goes back and can be resubmitted', async () => {
    const id = await entry('2026-02-27', 'submitted');
    const bad = await h.call('POST', `/api/v1/time-entries/${id}/dispute`, { token: keys['approver'] ?? '', body: { reasonCode: 'felt_wrong', comment: 'x' } });
    expect(bad.status).toBe(400);
    const r = await h.call('POST', `/api/v1/time-entries/${id}/dispute`, { token: keys['approver'] ?? '', body: { reasonCode: 'hours_wrong', comment: 'gate log shows 7 hours' } });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ status: 'rejected', disputeReason: 'hours_wrong' });
    expect(await eventsOf(id)).toContain('time.disputed');
    const again = await h.call('POST', `/api/v1/time-entries/${id}/submit`, { token: h.opsKey, body: {} });
    expect(again.status).toBe(200);
    expect(again.json.data.status).toBe('submitted');
    const history = await h.store.repos.canonical.list('time_entry_event', { where: { timeEntryId: id }, limit: 50 });
    expect(history.map((e) => e.fields['comment'])).toContain('dispute: hours_wrong: gate log shows 7 hours');
  });
});

describe('corrections after approval', () => {
  it('creates a linked adjustment that goes through approval again; effective hours change only once it is approved; the original stays as it was', async () => {
    const id = await entry('2026-02-25', 'approved', { approvedById: w.approverId, approvedAt: '2026-02-26T10:00:00.000Z' });
    const r = await h.call('POST', `/api/v1/time-entries/${id}/correct`, { token: h.opsKey, body: { regularHours: 6, overtimeHours: 1, doubleTimeHours: 0, comment: 'left early, stayed late' } });
    expect(r.status).toBe(201);
    expect(r.json.data).toMatchObject({ adjustsEntryId: id, status: 'submitted', regularHours: -2, overtimeHours: 1, doubleTimeHours: 0, workDate: '2026-02-25' });
    expect(r.json.effectiveBefore).toEqual({ regularHours: 8, overtimeHours: 0, doubleTimeHours: 0 });
    const adjustmentId = String(r.json.data.id);
    expect((await effectiveHoursOf(h.store.repos, [id])).get(id)).toEqual({ regularHours: 8, overtimeHours: 0, doubleTimeHours: 0 });
    const twice = await h.call('POST', `/api/v1/time-entries/${id}/correct`, { token: h.opsKey, body: { regularHours: 5, overtimeHours: 0, doubleTimeHours: 0, comment: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.json.error.message).toContain(adjustmentId);
    const approve = await h.call('POST', `/api/v1/time-entries/${adjustmentId}/approve`, { token: keys['approver'] ?? '', body: {} });
    expect(approve.status).toBe(200);
    // Adjustments are never held by the cutoff: they belong to the next payroll run.
    expect(approve.json.data.payrollHeldUntil).toBeNull();
    expect(approve.json.outboxIds.length).toBe(1);
    expect((await effectiveHoursOf(h.store.repos, [id])).get(id)).toEqual({ regularHours: 6, overtimeHours: 1, doubleTimeHours: 0 });
    expect(await get(id)).toMatchObject({ status: 'approved', regularHours: 8, overtimeHours: 0 });
    expect(await eventsOf(adjustmentId)).toEqual(['time.corrected', 'time.approved']);
  });

  it('refuses to correct time that is not approved (409 naming the state) and bad figures (422 naming the field)', async () => {
    const body = { regularHours: 7, overtimeHours: 0, doubleTimeHours: 0, comment: 'x' };
    const draft = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/correct`, { token: h.opsKey, body });
    expect(draft.status).toBe(409);
    expect(draft.json.error.message).toMatch(/^time entry is (draft|submitted)/);
    const id = await entry('2026-02-24', 'approved', { approvedById: w.approverId, approvedAt: '2026-02-25T10:00:00.000Z' });
    const negative = await h.call('POST', `/api/v1/time-entries/${id}/correct`, { token: h.opsKey, body: { ...body, overtimeHours: -1 } });
    expect(negative.status).toBe(422);
    expect(negative.json.error.details).toEqual([{ path: 'overtimeHours', message: 'cannot be negative (got -1)' }]);
    const over = await h.call('POST', `/api/v1/time-entries/${id}/correct`, { token: h.opsKey, body: { ...body, regularHours: 20, overtimeHours: 5 } });
    expect(over.status).toBe(422);
    expect(over.json.error.details[0].path).toBe('regularHours');
    expect(over.json.error.message).toContain('more than 24');
    expect((await h.store.repos.time.adjustmentsOf([id])).length).toBe(0);
  });
});

describe('first approver wins', () => {
  it('two approvers at once: one 200, the other 409 saying who approved', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await entry(`2026-02-2${round + 3}`, 'submitted');
      const [a, b] = await Promise.all([
        h.call('POST', `/api/v1/time-entries/${id}/approve`, { token: keys['approver'] ?? '', body: {} }),
        h.call('POST', `/api/v1/time-entries/${id}/approve`, { token: keys['second'] ?? '', body: {} }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const winner = a.status === 200 ? w.approverId : w.requesterId;
      const loser = a.status === 409 ? a : b;
      expect(loser.json.error.message).toContain(`approved by contact:${winner}`);
      expect((await get(id))?.['approvedById']).toBe(winner);
      expect((await eventsOf(id)).filter((t) => t === 'time.approved')).toHaveLength(1);
    }
  });
});

describe('pay-period cutoff', () => {
  it('holds an approval after the cutoff until the next period unless ops release it; the push waits', async () => {
    // Week of 2026-02-16: cutoff 2026-02-25T00:00Z, long past at 2026-03-02.
    const late = await entry('2026-02-17', 'submitted');
    const r = await h.call('POST', `/api/v1/time-entries/${late}/approve`, { token: keys['approver'] ?? '', body: {} });
    expect(r.status).toBe(200);
    expect(r.json.data.payrollHeldUntil).toBe('2026-03-09');
    // An approval in time is not held (week of 2026-02-23, cutoff 2026-03-04).
    const onTime = await entry('2026-02-28', 'submitted');
    const ok = await h.call('POST', `/api/v1/time-entries/${onTime}/approve`, { token: keys['approver'] ?? '', body: {} });
    expect(ok.json.data.payrollHeldUntil).toBeNull();
    const release = await h.call('POST', `/api/v1/time-entries/${late}/release`, { token: h.opsKey });
    expect(release.status).toBe(200);
    expect(release.json.data.payrollHeldUntil).toBeNull();
    const again = await h.call('POST', `/api/v1/time-entries/${late}/release`, { token: h.opsKey });
    expect(again.status).toBe(409);
    const contact = await h.call('POST', `/api/v1/time-entries/${late}/release`, { token: keys['approver'] ?? '' });
    expect(contact.status).toBe(403);
  });
});

describe('bulk approve', () => {
  it('approves exactly the previewed set with its token, and refuses a token whose set changed (409, nothing approved)', async () => {
    const site = await make('worksite', { clientId: w.clientId, name: 'Bulk Bay', status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
    await make('contact_worksite_role', { contactId: w.approverId, worksiteId: site, role: 'approver' });
    const assignment = await make('assignment', { candidateId: w.candidateId, requisitionId: null, worksiteId: site, approverContactId: w.approverId, title: 'Packer', startDate: '2026-02-02', endDate: null, status: 'active' });
    const ids = [await entry('2026-02-24', 'submitted', {}, assignment), await entry('2026-02-25', 'submitted', {}, assignment)];
    const token = keys['approver'] ?? '';
    const preview = await h.call('POST', '/api/v1/time-entries/bulk-approve/preview', { token, body: { worksiteId: site } });
    expect(preview.status).toBe(200);
    expect(preview.json.data.ids).toEqual([...ids].sort());
    // Another entry arrives after the preview: the token no longer matches.
    const late = await entry('2026-02-26', 'submitted', {}, assignment);
    const refused = await h.call('POST', '/api/v1/time-entries/bulk-approve', { token, body: { token: String(preview.json.data.token) } });
    expect(refused.status).toBe(409);
    for (const id of [...ids, late]) expect((await get(id))?.['status']).toBe('submitted');
    // Another principal cannot use it either.
    const again = await h.call('POST', '/api/v1/time-entries/bulk-approve/preview', { token, body: { worksiteId: site } });
    const stolen = await h.call('POST', '/api/v1/time-entries/bulk-approve', { token: keys['second'] ?? '', body: { token: String(again.json.data.token) } });
    expect(stolen.status).toBe(409);
    // Confirmed by another API process on the same store and key ring (or after a restart): the
    // token's key derives from the ring, not from the process.
    const other = createApp({ store: h.store, policy: h.policy, adminToken: null, systems: [], now: h.now });
    const payload = JSON.stringify({ token: String(again.json.data.token) });
    const confirmed = await other.request('http://localhost/api/v1/time-entries/bulk-approve', {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }, body: payload,
    });
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    const done = { json: (await confirmed.json()) as { data: unknown } };
    expect((done.json.data as Array<{ id: string }>).map((d) => d.id)).toEqual([...ids, late].sort());
    for (const id of [...ids, late]) expect((await get(id))?.['status']).toBe('approved');
  });
});

describe('missing approver', () => {
  it('a submission at a worksite nobody may approve appends time.needs_approver to the client admins and is in the ops exception queue', async () => {
    const site = await make('worksite', { clientId: w.clientId, name: 'Empty Dock', status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
    const assignment = await make('assignment', { candidateId: w.candidateId, requisitionId: null, worksiteId: site, approverContactId: null, title: 'Loader', startDate: '2026-02-02', endDate: null, status: 'active' });
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'contact', subjectId: w.plainContactId, role: 'client_admin', clientId: w.clientId, worksiteId: null, forContactId: null, validFrom: null, validTo: null }, 'user:ops', h.now()));
    const id = await entry('2026-02-26', 'draft', {}, assignment);
    const r = await h.call('POST', `/api/v1/time-entries/${id}/submit`, { token: h.opsKey, body: {} });
    expect(r.status).toBe(200);
    const events = await h.store.repos.events.forRecord('time_entry', id);
    expect(events.map((e) => e.type)).toEqual(['time.needs_approver']);
    expect(events[0]?.recipients).toEqual([w.plainContactId]);
    const queue = await h.call('GET', '/api/v1/exceptions/time', { token: h.opsKey });
    expect(queue.status).toBe(200);
    const row = (queue.json.data as Array<{ timeEntryId: string; waitingHours: unknown }>).find((d) => d.timeEntryId === id);
    expect(row).toMatchObject({ worksiteId: site, clientId: w.clientId, reason: 'no_approver' });
    expect(typeof row?.waitingHours).toBe('number');
    expect((await h.call('GET', '/api/v1/exceptions/time', { token: keys['approver'] ?? '' })).status).toBe(403);
  });
});

describe('reminders', () => {
  it('ops remind all appends one time.reminder per waiting entry of the worksite, to its routed approver', async () => {
    const site = await make('worksite', { clientId: w.clientId, name: 'Remind Row', status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
    await make('contact_worksite_role', { contactId: w.approverId, worksiteId: site, role: 'approver' });
    const assignment = await make('assignment', { candidateId: w.candidateId, requisitionId: null, worksiteId: site, approverContactId: w.approverId, title: 'Sorter', startDate: '2026-02-02', endDate: null, status: 'active' });
    const id = await entry('2026-02-24', 'submitted', {}, assignment);
    const r = await h.call('POST', '/api/v1/ops/remind', { token: h.opsKey, body: { worksiteId: site } });
    expect(r.status).toBe(200);
    expect(r.json.data.count).toBe(1);
    const events = await h.store.repos.events.forRecord('time_entry', id);
    expect(events.map((e) => [e.type, e.recipients])).toEqual([['time.reminder', [w.approverId]]]);
    expect((await h.call('POST', '/api/v1/ops/remind', { token: h.opsKey, body: {} })).status).toBe(400);
  });
});

describe('the scheduled pass', () => {
  it('reminds after N hours and escalates to the delegates after M, once per threshold however often it runs; per-client settings win', async () => {
    const site = await make('worksite', { clientId: w.otherClientId, name: 'Night Yard', status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
    const approver = await make('contact', { clientId: w.otherClientId, firstName: 'Jonas', lastName: 'Berg', email: null, phone: null, title: null, status: 'active' });
    const delegate = await make('contact', { clientId: w.otherClientId, firstName: 'Kai', lastName: 'Berg', email: null, phone: null, title: null, status: 'active' });
    await make('contact_worksite_role', { contactId: approver, worksiteId: site, role: 'approver' });
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'contact', subjectId: delegate, role: 'delegate_approver', clientId: null, worksiteId: site, forContactId: approver, validFrom: null, validTo: null }, 'user:ops', h.now()));
    const assignment = await make('assignment', { candidateId: w.candidateId, requisitionId: null, worksiteId: site, approverContactId: approver, title: 'Driver', startDate: '2026-02-02', endDate: null, status: 'active' });
    const id = await entry('2026-02-24', 'submitted', {}, assignment);
    const submittedAt = (await h.store.repos.time.waiting({ worksiteId: site }))[0]?.submittedAt ?? '';
    const later = (hours: number) => new Date(Date.parse(submittedAt) + hours * 3_600_000).toISOString();
    await h.store.unitOfWork((tx) => tx.time.putReminderSettings({ clientId: w.otherClientId, reminderAfterHours: 4, escalateAfterHours: 8, escalateTo: 'delegate', updatedAt: h.now(), updatedBy: 'user:ops' }));
    await runTimeReminders(h.store, later(3));
    expect(await eventsOf(id)).toEqual([]);
    await runTimeReminders(h.store, later(5));
    await runTimeReminders(h.store, later(6));
    expect(await eventsOf(id)).toEqual(['time.reminder']);
    await Promise.all([runTimeReminders(h.store, later(9)), runTimeReminders(h.store, later(9))]);
    const events = await h.store.repos.events.forRecord('time_entry', id);
    expect(events.map((e) => e.type)).toEqual(['time.reminder', 'time.escalated']);
    expect(events[0]?.recipients).toEqual([approver]);
    expect(events[1]?.recipients).toEqual([approver, delegate]);
  });

  it('releases a hold once the next pay period has begun', async () => {
    const id = await entry('2026-02-10', 'approved', { approvedById: w.approverId, approvedAt: '2026-02-20T10:00:00.000Z', payrollHeldUntil: '2026-02-23' });
    const notYet = await entry('2026-02-11', 'approved', { approvedById: w.approverId, approvedAt: '2026-02-20T10:00:00.000Z', payrollHeldUntil: '2026-12-28' });
    const before = (await h.call('GET', '/api/v1/exceptions/time', { token: h.opsKey })).json.data as Array<{ timeEntryId: string; reason: string }>;
    expect(before.filter((e) => e.timeEntryId === id || e.timeEntryId === notYet).map((e) => e.reason)).toEqual(['held_after_cutoff', 'held_after_cutoff']);
    expect(await releaseExpiredHolds(h.store, h.policy, '2026-03-02T10:00:00.000Z')).toBeGreaterThanOrEqual(1);
    expect((await get(id))?.['payrollHeldUntil']).toBeNull();
    expect((await get(notYet))?.['payrollHeldUntil']).toBe('2026-12-28');
    // Released, it is pushed: the create rule no longer waits.
    expect((await h.store.repos.outbox.list({ system: 'gusto', entity: 'time_entry', canonicalId: id, limit: 10 })).length).toBe(1);
    expect((await h.store.repos.outbox.list({ system: 'gusto', entity: 'time_entry', canonicalId: notYet, limit: 10 })).length).toBe(0);
  });
});

describe('portal metrics', () => {
  it('exposes cycle times, disputes, corrections, exceptions, reminders and active contacts with ids only', async () => {
    const text = (await h.call('GET', '/metrics')).text;
    expect(text).toMatch(new RegExp(`crosswalk_time_cycle_seconds\\{client_id="${w.clientId}",worksite_id="${w.worksiteId}",quantile="0.95"\\} \\d+`));
    expect(text).toMatch(new RegExp(`crosswalk_time_disputes_per_100_entries\\{client_id="${w.clientId}"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`crosswalk_time_corrections_per_100_entries\\{client_id="${w.clientId}"\\} [1-9]`));
    expect(text).toMatch(/crosswalk_time_exceptions_waiting\{reason="no_approver"\} [1-9]/);
    expect(text).toMatch(new RegExp(`crosswalk_time_reminders_total\\{client_id="${w.clientId}",kind="reminder"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`crosswalk_portal_active_contacts_7d\\{client_id="${w.clientId}"\\} [1-9]`));
    for (const name of ['Harbor Tooling', 'Mira', 'Okafor', 'North Plant']) expect(text).not.toContain(name);
    const api = await h.call('GET', `/api/v1/metrics/portal?clientId=${w.clientId}`, { token: h.opsKey });
    expect(api.status).toBe(200);
    expect((api.json.data.cycleTime as Array<{ clientId: string }>).every((c) => c.clientId === w.clientId)).toBe(true);
    expect((await h.call('GET', '/api/v1/metrics/portal', { token: keys['approver'] ?? '' })).status).toBe(403);
  });

  it('ops set a client’s reminder thresholds; escalation before the reminder is refused naming the field', async () => {
    const set = await h.call('POST', '/api/v1/ops/reminder-settings', { token: h.opsKey, body: { clientId: w.clientId, reminderAfterHours: 12, escalateAfterHours: 48, escalateTo: 'client_admin' } });
    expect(set.status).toBe(200);
    const read = await h.call('GET', `/api/v1/ops/reminder-settings?clientId=${w.clientId}`, { token: h.opsKey });
    expect(read.json.data).toEqual({ clientId: w.clientId, reminderAfterHours: 12, escalateAfterHours: 48, escalateTo: 'client_admin', source: 'client' });
    const bad = await h.call('POST', '/api/v1/ops/reminder-settings', { token: h.opsKey, body: { clientId: w.clientId, reminderAfterHours: 12, escalateAfterHours: 6, escalateTo: 'delegate' } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details[0].path).toBe('escalateAfterHours');
  });
});

describe('a correction racing an export', () => {
  it('both land, in either order: the original is exported with its figures, the adjustment waits for approval', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await entry(`2026-02-1${round + 1}`, 'approved', { approvedById: w.approverId, approvedAt: '2026-02-14T10:00:00.000Z' });
      const [corrected] = await Promise.all([
        h.call('POST', `/api/v1/time-entries/${id}/correct`, { token: h.opsKey, body: { regularHours: 7.5, overtimeHours: 0, doubleTimeHours: 0, comment: 'badge log' } }),
        h.store.unitOfWork((tx) => applyLocalChange(tx, h.policy, { entity: 'time_entry', canonicalId: id, changes: { status: 'exported' }, actor: 'export:gusto', comment: 'exported' }, h.now())),
      ]);
      expect(corrected.status).toBe(201);
      expect(await get(id)).toMatchObject({ status: 'exported', regularHours: 8 });
      const adjustments = await h.store.repos.time.adjustmentsOf([id]);
      expect(adjustments.map((a) => [a.status, a.regularHours])).toEqual([['submitted', -0.5]]);
      expect((await effectiveHoursOf(h.store.repos, [id])).get(id)?.regularHours).toBe(8);
    }
  });
});
