import { expect, it } from 'vitest';
import type { SqlParam } from '../../../src/store/sql/runner.ts';
import type { Store } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { countRows, later, NOW } from './support.ts';

type Row = Record<string, SqlParam>;

/** Inserts one row through the store's runner (the canonical tables are not this repository's to write). */
async function put(store: Store, table: string, row: Row): Promise<void> {
  const cols = Object.keys(row);
  await store.query.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(row));
}

const canon = (id: string, over: Row = {}): Row => ({ id, revision: 1, created_at: NOW, updated_at: NOW, ...over });

/**
 * Two clients; client-1 has worksites ws-1 (approvers k1, k2; k3 inactive) and ws-2 (nobody);
 * assignments as-1 at ws-1 (approver k1), as-2 at ws-2, as-3 without a worksite; client-2 has ws-9.
 */
async function seedPeople(store: Store): Promise<void> {
  await put(store, 'clients', canon('client-1', { name: 'Harbor', status: 'active' }));
  await put(store, 'clients', canon('client-2', { name: 'Birch', status: 'active' }));
  await put(store, 'worksites', canon('ws-1', { client_id: 'client-1', name: 'Dock', status: 'active' }));
  await put(store, 'worksites', canon('ws-2', { client_id: 'client-1', name: 'Yard', status: 'active' }));
  await put(store, 'worksites', canon('ws-9', { client_id: 'client-2', name: 'Mill', status: 'active' }));
  for (const [id, client, status] of [['k1', 'client-1', 'active'], ['k2', 'client-1', 'active'], ['k3', 'client-1', 'inactive'], ['k9', 'client-2', 'active']] as const) {
    await put(store, 'contacts', canon(id, { client_id: client, first_name: id, last_name: 'X', status }));
  }
  await put(store, 'candidates', canon('cand-1', { first_name: 'Ana', last_name: 'Y', status: 'active' }));
  await put(store, 'assignments', canon('as-1', { candidate_id: 'cand-1', worksite_id: 'ws-1', approver_contact_id: 'k1', start_date: '2026-01-01', status: 'active' }));
  await put(store, 'assignments', canon('as-2', { candidate_id: 'cand-1', worksite_id: 'ws-2', start_date: '2026-01-01', status: 'active' }));
  await put(store, 'assignments', canon('as-3', { candidate_id: 'cand-1', start_date: '2026-01-01', status: 'active' }));
  await put(store, 'assignments', canon('as-9', { candidate_id: 'cand-1', worksite_id: 'ws-9', start_date: '2026-01-01', status: 'active' }));
}

function entry(id: string, over: Row = {}): Row {
  return canon(id, { assignment_id: 'as-1', work_date: '2026-02-27', regular_hours: 8, overtime_hours: 0, double_time_hours: 0, status: 'submitted', ...over });
}

let eventSeq = 0;
async function history(store: Store, timeEntryId: string, at: string, toStatus: string, over: Row = {}): Promise<void> {
  eventSeq += 1;
  await put(store, 'time_entry_events', canon(`ev-${String(eventSeq).padStart(4, '0')}`, { time_entry_id: timeEntryId, at, actor: 'contact:k1', to_status: toStatus, ...over }));
}

describeEachStore('time repository', (current) => {
  it('lists adjustments of originals, oldest first, without deleted ones', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-1', { status: 'approved' }));
    await put(store, 'time_entries', entry('adj-2', { adjusts_entry_id: 'te-1', status: 'approved', regular_hours: 7.25, overtime_hours: 1.5, double_time_hours: 0.5, created_at: later(2) }));
    await put(store, 'time_entries', entry('adj-1', { adjusts_entry_id: 'te-1', status: 'submitted', regular_hours: 6, created_at: later(1) }));
    await put(store, 'time_entries', entry('adj-x', { adjusts_entry_id: 'te-1', deleted_at: later(3) }));
    await put(store, 'time_entries', entry('adj-o', { adjusts_entry_id: 'te-other' }));
    expect(await store.repos.time.adjustmentsOf(['te-1', 'nope'])).toEqual([
      { id: 'adj-1', adjustsEntryId: 'te-1', status: 'submitted', regularHours: 6, overtimeHours: 0, doubleTimeHours: 0 },
      { id: 'adj-2', adjustsEntryId: 'te-1', status: 'approved', regularHours: 7.25, overtimeHours: 1.5, doubleTimeHours: 0.5 },
    ]);
    expect(await store.repos.time.adjustmentsOf([])).toEqual([]);
    expect(await store.repos.time.adjustmentsOf(['TE-1'])).toEqual([]);
  });

  it('routes to active approvers once each, valid delegates and client admins', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'contact_worksite_roles', canon('r1', { contact_id: 'k2', worksite_id: 'ws-1', role: 'approver' }));
    await put(store, 'contact_worksite_roles', canon('r2', { contact_id: 'k1', worksite_id: 'ws-1', role: 'approver' }));
    await put(store, 'contact_worksite_roles', canon('r2b', { contact_id: 'k1', worksite_id: 'ws-1', role: 'approver' }));
    await put(store, 'contact_worksite_roles', canon('r3', { contact_id: 'k3', worksite_id: 'ws-1', role: 'approver' })); // inactive contact
    await put(store, 'contact_worksite_roles', canon('r4', { contact_id: 'k2', worksite_id: 'ws-2', role: 'approver', deleted_at: NOW }));
    await put(store, 'contact_worksite_roles', canon('r5', { contact_id: 'k2', worksite_id: 'ws-2', role: 'requester' }));
    expect(await store.repos.time.approversAt('ws-1')).toEqual(['k1', 'k2']);
    expect(await store.repos.time.approversAt('ws-2')).toEqual([]);

    const grant = (id: string, over: Row): Row => ({ id, subject_kind: 'contact', created_at: NOW, created_by: 'ops:a', ...over });
    await put(store, 'grants', grant('g1', { subject_id: 'k2', role: 'delegate_approver', worksite_id: 'ws-1', for_contact_id: 'k1', valid_from: '2026-02-01', valid_to: '2026-02-28' }));
    await put(store, 'grants', grant('g2', { subject_id: 'k1', role: 'delegate_approver', worksite_id: 'ws-1' }));
    await put(store, 'grants', grant('g3', { subject_id: 'k9', role: 'delegate_approver', worksite_id: 'ws-1', revoked_at: NOW }));
    await put(store, 'grants', grant('g4', { subject_id: 'k3', role: 'delegate_approver', worksite_id: 'ws-1' })); // inactive
    await put(store, 'grants', grant('g5', { subject_id: 'k1', role: 'client_admin', client_id: 'client-1', valid_to: '2026-02-28' }));
    await put(store, 'grants', grant('g6', { subject_id: 'k2', role: 'client_admin', client_id: 'client-1' }));
    await put(store, 'grants', grant('g7', { subject_id: 'k2', role: 'client_admin', client_id: 'client-1', valid_from: '2026-01-01' }));
    await put(store, 'grants', grant('g8', { subject_kind: 'user', subject_id: 'k1', role: 'client_admin', client_id: 'client-1' }));
    expect(await store.repos.time.delegatesAt('ws-1', '2026-02-28')).toEqual([{ contactId: 'k1', forContactId: null }, { contactId: 'k2', forContactId: 'k1' }]);
    expect(await store.repos.time.delegatesAt('ws-1', '2026-03-01')).toEqual([{ contactId: 'k1', forContactId: null }]);
    expect(await store.repos.time.clientAdmins('client-1', '2026-02-28')).toEqual(['k1', 'k2']);
    expect(await store.repos.time.clientAdmins('client-1', '2026-03-01')).toEqual(['k2']);
    expect(await store.repos.time.clientAdmins('client-2', '2026-03-01')).toEqual([]);
  });

  it('lists waiting entries by last submission, with filters, a limit and entries without a worksite', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-a', { created_at: later(1) })); // no history: its creation time
    await put(store, 'time_entries', entry('te-b', { assignment_id: 'as-2', revision: 3 }));
    await history(store, 'te-b', later(2), 'submitted');
    await history(store, 'te-b', later(3), 'rejected');
    await history(store, 'te-b', later(4), 'submitted');
    await put(store, 'time_entries', entry('te-c', { assignment_id: 'as-3', created_at: later(4) })); // same time as te-b: id decides
    await put(store, 'time_entries', entry('te-d', { assignment_id: 'as-9', created_at: later(5) }));
    await put(store, 'time_entries', entry('te-x', { status: 'approved' }));
    await put(store, 'time_entries', entry('te-y', { deleted_at: NOW }));
    const all = await store.repos.time.waiting();
    expect(all.map((w) => w.id)).toEqual(['te-a', 'te-b', 'te-c', 'te-d']);
    expect(all[0]).toEqual({ id: 'te-a', revision: 1, assignmentId: 'as-1', workDate: '2026-02-27', worksiteId: 'ws-1', clientId: 'client-1', approverContactId: 'k1', submittedAt: later(1) });
    expect(all[1]).toEqual({ id: 'te-b', revision: 3, assignmentId: 'as-2', workDate: '2026-02-27', worksiteId: 'ws-2', clientId: 'client-1', approverContactId: null, submittedAt: later(4) });
    expect(all[2]).toMatchObject({ id: 'te-c', worksiteId: null, clientId: null, approverContactId: null });
    expect((await store.repos.time.waiting({ clientId: 'client-1' })).map((w) => w.id)).toEqual(['te-a', 'te-b']);
    expect((await store.repos.time.waiting({ worksiteId: 'ws-2' })).map((w) => w.id)).toEqual(['te-b']);
    expect((await store.repos.time.waiting({ clientId: 'client-1', worksiteId: 'ws-9' })).map((w) => w.id)).toEqual([]);
    expect((await store.repos.time.waiting({ limit: 2 })).map((w) => w.id)).toEqual(['te-a', 'te-b']);
  });

  it('keeps reminder settings per client and records each nudge once', async () => {
    const store = current();
    expect(await store.repos.time.reminderSettings('client-1')).toBeNull();
    const settings = { clientId: 'client-1', reminderAfterHours: 24, escalateAfterHours: 48, escalateTo: 'client_admin' as const, updatedAt: NOW, updatedBy: 'ops:a' };
    await store.unitOfWork((tx) => tx.time.putReminderSettings(settings));
    await store.unitOfWork((tx) => tx.time.putReminderSettings({ ...settings, reminderAfterHours: 12, escalateTo: 'delegate', updatedAt: later(1) }));
    expect(await store.repos.time.reminderSettings('client-1')).toEqual({ ...settings, reminderAfterHours: 12, escalateTo: 'delegate', updatedAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.time.recordNudge('te-1', NOW, 'reminder', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.time.recordNudge('te-1', NOW, 'reminder', later(2)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.time.recordNudge('te-1', NOW, 'escalation', later(2)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.time.recordNudge('te-1', later(5), 'reminder', later(6)))).toBe(true);
    // A repeated nudge does not spoil the unit of work it is part of (PostgreSQL aborts on a failed statement).
    expect(
      await store.unitOfWork(async (tx) => {
        const again = await tx.time.recordNudge('te-1', NOW, 'reminder', later(7));
        await tx.time.putReminderSettings({ ...settings, clientId: 'client-2' });
        return again;
      }),
    ).toBe(false);
    expect(await store.repos.time.reminderSettings('client-2')).not.toBeNull();
    expect(await countRows(store, 'time_nudges')).toBe(3);
    await expect(store.repos.time.recordNudge('te-2', NOW, 'reminder', NOW)).rejects.toThrow(/inside store.unitOfWork/);
  });

  it('lists held entries and those whose hold ran out', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-2', { status: 'approved', approved_at: later(1), payroll_held_until: '2026-03-06' }));
    await put(store, 'time_entries', entry('te-1', { assignment_id: 'as-3', payroll_held_until: '2026-03-06' }));
    await put(store, 'time_entries', entry('te-0', { payroll_held_until: '2026-03-02' }));
    await put(store, 'time_entries', entry('te-x', { payroll_held_until: '2026-03-01', deleted_at: NOW }));
    await put(store, 'time_entries', entry('te-n'));
    expect(await store.repos.time.held()).toEqual([
      { id: 'te-0', workDate: '2026-02-27', heldUntil: '2026-03-02', approvedAt: null, worksiteId: 'ws-1', clientId: 'client-1' },
      { id: 'te-1', workDate: '2026-02-27', heldUntil: '2026-03-06', approvedAt: null, worksiteId: null, clientId: null },
      { id: 'te-2', workDate: '2026-02-27', heldUntil: '2026-03-06', approvedAt: later(1), worksiteId: 'ws-1', clientId: 'client-1' },
    ]);
    expect(await store.repos.time.heldUntilBy('2026-03-01')).toEqual([]);
    expect(await store.repos.time.heldUntilBy('2026-03-02')).toEqual(['te-0']);
    expect(await store.repos.time.heldUntilBy('2026-03-06')).toEqual(['te-0', 'te-1', 'te-2']);
  });

  it('measures cycle times from the last submission before each approval', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-1', { status: 'approved' }));
    await history(store, 'te-1', NOW, 'submitted');
    await history(store, 'te-1', later(10), 'rejected');
    await history(store, 'te-1', '2026-03-01T12:20:00.250Z', 'submitted');
    await history(store, 'te-1', '2026-03-01T13:20:01.750Z', 'approved');
    await put(store, 'time_entries', entry('te-2', { assignment_id: 'as-2', status: 'approved' }));
    await history(store, 'te-2', later(1), 'approved'); // approved with no submission: no cycle
    await put(store, 'time_entries', entry('te-3', { assignment_id: 'as-3', status: 'approved' })); // no worksite: not measured
    await history(store, 'te-3', NOW, 'submitted');
    await history(store, 'te-3', later(1), 'approved');
    expect(await store.repos.time.cycleTimes()).toEqual([{ clientId: 'client-1', worksiteId: 'ws-1', seconds: 3601.5 }]);
  });

  it('counts entries, corrections and disputes per client', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-1'));
    await put(store, 'time_entries', entry('te-2', { assignment_id: 'as-2' }));
    await put(store, 'time_entries', entry('adj-1', { adjusts_entry_id: 'te-1' }));
    await put(store, 'time_entries', entry('te-x', { deleted_at: NOW }));
    await put(store, 'time_entries', entry('te-9', { assignment_id: 'as-9' }));
    await history(store, 'te-1', NOW, 'rejected', { comment: 'dispute: hours: I left at 5' });
    await history(store, 'te-1', later(1), 'rejected', { comment: 'dispute: rate: wrong' });
    await history(store, 'te-2', NOW, 'rejected', { comment: 'Dispute: typed by hand, not a dispute' });
    await history(store, 'te-2', later(1), 'rejected', { comment: null });
    await history(store, 'te-2', later(2), 'approved', { comment: 'dispute: not a rejection' });
    expect(await store.repos.time.workflowCounts()).toEqual([
      { clientId: 'client-1', entries: 2, disputes: 2, corrections: 1 },
      { clientId: 'client-2', entries: 1, disputes: 0, corrections: 0 },
    ]);
  });

  it('counts portal events by type per client, the client-less ones under an empty id', async () => {
    const store = current();
    const event = (type: string, clientId: string | null): Row => ({ type, entity: 'time_entry', canonical_id: 'te-1', client_id: clientId, recipients: '[]', data: '{}', at: NOW });
    for (const e of [event('time.reminder', 'client-1'), event('time.reminder', 'client-1'), event('time.escalated', 'client-1'), event('time.reminder', null), event('time.reminder', 'client-2'), event('time.approved', 'client-1')]) {
      await put(store, 'portal_events', e);
    }
    expect(await store.repos.time.eventCounts(['time.reminder', 'time.escalated'])).toEqual([
      { clientId: '', type: 'time.reminder', count: 1 },
      { clientId: 'client-1', type: 'time.escalated', count: 1 },
      { clientId: 'client-1', type: 'time.reminder', count: 2 },
      { clientId: 'client-2', type: 'time.reminder', count: 1 },
    ]);
    expect(await store.repos.time.eventCounts([])).toEqual([]);
  });

  it('counts distinct contacts acting on time since a moment, per client', async () => {
    const store = current();
    await seedPeople(store);
    await put(store, 'time_entries', entry('te-1'));
    await history(store, 'te-1', later(1), 'submitted', { actor: 'contact:k1' });
    await history(store, 'te-1', later(2), 'approved', { actor: 'contact:k1' });
    await history(store, 'te-1', later(3), 'approved', { actor: 'contact:k2' });
    await history(store, 'te-1', later(-60), 'approved', { actor: 'contact:k3' }); // before `since`
    await history(store, 'te-1', later(4), 'approved', { actor: 'contact:k9' });
    await history(store, 'te-1', later(4), 'approved', { actor: 'user:k1' });
    expect(await store.repos.time.activeContacts(NOW)).toEqual([{ clientId: 'client-1', contacts: 2 }, { clientId: 'client-2', contacts: 1 }]);
    expect(await store.repos.time.activeContacts(later(5))).toEqual([]);
  });
});
