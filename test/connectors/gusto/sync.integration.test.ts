import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { applyLocalChange } from '../../../src/engine/index.ts';
import { nowIso } from '../../../src/lib/time.ts';
import type { OutboxRow } from '../../../src/store/index.ts';
import { countRows } from '../../support/temp-store.ts';
import { startHarness, type GustoHarness } from './support/hub.ts';

/**
 * The hub and the Gusto emulator over real HTTP: the Bullhorn side is seeded through the engine,
 * then `sync gusto`, outbox pushes and their retries run through the inline queue. The tests run
 * in order on one hub: each builds on the state the previous one left.
 */

const dataset = sampleDataset();
let h: GustoHarness;

beforeAll(async () => {
  h = await startHarness(dataset);
  await h.seed();
});
afterAll(async () => {
  await h.close();
});

function canonicalId(key: string): string {
  const id = h.ids.get(key);
  if (id === undefined) throw new Error(`${key} was not seeded`);
  return id;
}

async function pending(entity: Parameters<GustoHarness['outbox']>[0], key: string): Promise<OutboxRow> {
  const row = (await h.outbox(entity, canonicalId(key))).find((r) => r.status === 'pending');
  if (row === undefined) throw new Error(`no pending ${entity} outbox row for ${key}`);
  return row;
}

/** An active assignment whose candidate Gusto already has (true) or does not have (false). */
function activeAssignment(employee: boolean, skip: readonly string[] = []): (typeof dataset.assignments)[number] {
  const found = dataset.assignments.find(
    (a) => a.status === 'active' && !skip.includes(a.key) && (h.gusto.control.employeeUuidFor(a.candidateId) !== undefined) === employee,
  );
  if (found === undefined) throw new Error('the sample dataset has no such assignment');
  return found;
}

describe('sync gusto', () => {
  it('links every seeded employee to its candidate by email and creates no candidate', async () => {
    const candidates = countRows(h.store, 'candidates');
    const runs = await h.sync();
    expect(runs.map((r) => [r.entity, r.status])).toEqual([['employees', 'succeeded']]);
    expect(countRows(h.store, 'candidates')).toBe(candidates);
    const employees = h.gusto.control.employees();
    const withEmail = employees.filter((e) => typeof e['email'] === 'string');
    expect(withEmail.length).toBeGreaterThan(50);
    expect(countRows(h.store, 'links', `system = 'gusto' AND entity = 'candidate' AND state = 'linked'`)).toBe(withEmail.length);
    // No email, nothing to match on: parked for ops to link, never a guess, never a new candidate.
    const parked = await h.store.repos.links.listByState('parked', 100, 'gusto');
    expect(parked.map((l) => l.externalId).sort()).toEqual(employees.filter((e) => e['email'] === null).map((e) => String(e['uuid'])).sort());
    expect(parked.every((l) => /no candidate matches/.test(l.reason ?? ''))).toBe(true);
    for (const employee of withEmail.slice(0, 10)) {
      const link = await h.store.repos.links.get('gusto', 'candidate', String(employee['uuid']));
      const key = h.gusto.control.candidateKeyFor(String(employee['uuid'])) ?? '';
      expect(link?.canonicalId).toBe(canonicalId(key));
    }
    // Names and emails agree, so first contact adds nothing to send back: the only candidate rows
    // are the creates the Bullhorn seed asked for (placed candidates), pushed as updates once linked.
    expect(countRows(h.store, 'outbox', `system = 'gusto' AND entity = 'candidate' AND op = 'update'`)).toBe(0);
  });

  it('a second sync reads only what changed (the events feed) and changes nothing', async () => {
    const ledger = countRows(h.store, 'ledger');
    const requests = h.gusto.requests.length;
    const runs = await h.sync();
    expect(runs.map((r) => [r.status, r.counts['created'] ?? 0, r.counts['updated'] ?? 0])).toEqual([['succeeded', 0, 0]]);
    expect(countRows(h.store, 'ledger')).toBe(ledger);
    expect(h.gusto.requests.slice(requests).filter((r) => r.endsWith('/employees'))).toEqual([]);
  });

  it('a Gusto edit of a name Bullhorn owns is refused and Bullhorn\'s value is pushed back', async () => {
    const employee = h.gusto.control.employees().find((e) => typeof e['email'] === 'string') ?? {};
    const uuid = String(employee['uuid']);
    const key = h.gusto.control.candidateKeyFor(uuid) ?? '';
    const original = String(employee['first_name']);
    h.gusto.control.editEmployee(uuid, { first_name: 'Zebulon' });

    await h.sync();
    const refused = await h.store.repos.ledger.query({ system: 'gusto', canonicalId: canonicalId(key), outcome: 'rejected', limit: 10 });
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatch(/firstName is owned by bullhorn/);
    expect((await h.store.repos.canonical.get('candidate', canonicalId(key)))?.fields['firstName']).toBe(original);

    // The refusal asks for firstName to go back to Gusto (joining any row still pending for the candidate).
    const back = await pending('candidate', key);
    expect(back.fields).toContain('firstName');
    expect(back.reason).toMatch(/gusto is behind on firstName/);
    await h.push([back]);
    expect(h.gusto.control.getEmployee(uuid)?.['first_name']).toBe(original);
    expect((await h.store.repos.outbox.get(back.id))?.status).toBe('done');
  });

  it('a placed candidate without an employee gets one, then its job, then its pay rate', async () => {
    const assignment = activeAssignment(false);
    const employeesBefore = h.gusto.control.count('employees');

    await h.push([await pending('candidate', assignment.candidateId)]);
    const employeeLink = await h.store.repos.links.forCanonical('gusto', 'candidate', canonicalId(assignment.candidateId));
    expect(h.gusto.control.count('employees')).toBe(employeesBefore + 1);
    const employee = h.gusto.control.getEmployee(employeeLink?.externalId ?? '');
    const candidate = dataset.candidates.find((c) => c.key === assignment.candidateId);
    expect(employee).toMatchObject({ first_name: candidate?.firstName, last_name: candidate?.lastName, email: candidate?.email });
    expect(h.gusto.control.sensitiveFieldsReceived()).toEqual([]);

    await h.push([await pending('assignment', assignment.key)]);
    const jobLink = await h.store.repos.links.forCanonical('gusto', 'assignment', canonicalId(assignment.key));
    expect(jobLink?.meta).toMatchObject({ employeeUuid: employeeLink?.externalId });
    expect(h.gusto.control.getJob(jobLink?.externalId ?? '')).toMatchObject({ employee_uuid: employeeLink?.externalId, title: assignment.title, hire_date: assignment.startDate });

    const rate = dataset.assignmentRates.find((r) => r.assignmentId === assignment.key);
    await h.push([await pending('assignment_rate', rate?.key ?? '')]);
    const job = h.gusto.control.getJob(jobLink?.externalId ?? '');
    expect(job?.['rate']).toBe(((rate?.payRateCents ?? 0) / 100).toFixed(2));
    // The job's $0.00 placeholder was set, not joined by a second compensation.
    expect(job?.['compensations']).toHaveLength(1);
  });

  it('a job that already exists in Gusto is adopted, not created twice', async () => {
    const assignment = activeAssignment(true);
    const jobUuid = h.gusto.control.jobUuidFor(assignment.key);
    const jobs = (h.gusto.control.getEmployee(h.gusto.control.employeeUuidFor(assignment.candidateId) ?? '')?.['jobs'] as unknown[]).length;
    await h.push([await pending('assignment', assignment.key)]);
    expect((await h.store.repos.links.forCanonical('gusto', 'assignment', canonicalId(assignment.key)))?.externalId).toBe(jobUuid);
    expect((h.gusto.control.getEmployee(h.gusto.control.employeeUuidFor(assignment.candidateId) ?? '')?.['jobs'] as unknown[]).length).toBe(jobs);
  });

  it('approved time reaches Gusto as exactly one time sheet per entry, even when the create is retried, and becomes exported', async () => {
    const assignment = activeAssignment(true);
    const employeeUuid = h.gusto.control.employeeUuidFor(assignment.candidateId);
    const assignmentId = canonicalId(assignment.key);
    const approve = async (workDate: string, regularHours: number, overtimeHours: number): Promise<string> =>
      h.store.unitOfWork(async (tx) => {
        const submitted = await applyLocalChange(tx, h.hub.registry(), {
          entity: 'time_entry', actor: 'worker',
          changes: { assignmentId, workDate, regularHours, overtimeHours, doubleTimeHours: 0, status: 'submitted', approvedById: null, approvedAt: null, note: null },
        }, nowIso());
        await applyLocalChange(tx, h.hub.registry(), {
          entity: 'time_entry', canonicalId: submitted.canonicalId, actor: 'approver@client.example', changes: { status: 'approved', approvedAt: nowIso() },
        }, nowIso());
        return submitted.canonicalId;
      });
    const landedThenCut = await approve('2026-11-24', 8, 1.5);
    const refusedBy503 = await approve('2026-11-25', 7.5, 0);
    const rows = [
      ...(await h.store.repos.outbox.list({ system: 'gusto', entity: 'time_entry', canonicalId: landedThenCut, limit: 10 })),
      ...(await h.store.repos.outbox.list({ system: 'gusto', entity: 'time_entry', canonicalId: refusedBy503, limit: 10 })),
    ];
    expect(rows.map((r) => [r.op, r.status])).toEqual([['create', 'pending'], ['create', 'pending']]);

    // The job link first (it carries the employee uuid the sheet needs).
    const jobRow = (await h.outbox('assignment', assignmentId)).find((r) => r.status === 'pending');
    if (jobRow !== undefined) await h.push([jobRow]);

    // First POST: it lands, then the connection drops before the answer. Second POST: a 503 before it lands.
    let posts = 0;
    h.gusto.onRequest((method, path) => {
      if (method !== 'POST' || !path.endsWith('/time_tracking/time_sheets')) return;
      posts += 1;
      if (posts === 1) h.gusto.control.faults.set({ dropConnectionOnRequest: 1 });
      if (posts === 2) h.gusto.serverErrorNext(1);
    });
    const sheetsBefore = h.gusto.control.count('time_sheets');
    try {
      await h.push(rows);
    } finally {
      h.gusto.onRequest(null);
    }
    expect(posts).toBe(3);
    expect(h.gusto.control.count('time_sheets')).toBe(sheetsBefore + 2);

    for (const [id, date, regular, overtime] of [[landedThenCut, '2026-11-24', 8, 1.5], [refusedBy503, '2026-11-25', 7.5, 0]] as const) {
      const row = (await h.store.repos.outbox.list({ system: 'gusto', entity: 'time_entry', canonicalId: id, limit: 10 }))[0];
      expect(row?.status).toBe('done');
      expect(row?.attempts).toBe(2);
      const sheets = h.gusto.control.timeSheets().filter((s) => (s['metadata'] as Record<string, string>)['portal_time_entry_id'] === row?.idempotencyKey);
      expect(sheets).toHaveLength(1);
      expect(sheets[0]).toMatchObject({ entity_uuid: employeeUuid, time_zone: 'America/New_York', shift_started_at: `${date}T14:00:00Z` });
      expect(sheets[0]?.['entries']).toEqual([
        { hours_worked: regular, pay_classification: 'Regular' },
        ...(overtime > 0 ? [{ hours_worked: overtime, pay_classification: 'Overtime' }] : []),
      ]);
      expect((await h.store.repos.links.forCanonical('gusto', 'time_entry', id))?.externalId).toBe(sheets[0]?.['uuid']);
      expect((await h.store.repos.canonical.get('time_entry', id))?.fields['status']).toBe('exported');
    }
    // Exported once: one approved → exported line in each entry's history.
    expect(countRows(h.store, 'time_entry_events', `time_entry_id IN ('${landedThenCut}', '${refusedBy503}') AND to_status = 'exported'`)).toBe(2);
  }, 30_000);

  it('a version conflict (Gusto changed the employee between our read and our write) is re-read and pushed again', async () => {
    const assignment = activeAssignment(true);
    const uuid = h.gusto.control.employeeUuidFor(assignment.candidateId) ?? '';
    const candidateId = canonicalId(assignment.candidateId);
    await h.hub.engine().apply({
      system: 'bullhorn', entity: 'candidate',
      records: [{ externalId: assignment.candidateId, sourceModifiedAt: '2026-11-21T08:00:00.000Z', values: { lastName: 'Okonkwo-Varga' } }],
    });
    const row = (await h.store.repos.outbox.list({ system: 'gusto', entity: 'candidate', canonicalId: candidateId, status: 'pending', limit: 10 }))[0];
    expect(row?.fields).toContain('lastName');

    let puts = 0;
    h.gusto.onRequest((method, path) => {
      if (method === 'PUT' && path === `/v1/employees/${uuid}` && ++puts === 1) h.gusto.control.editEmployee(uuid, { middle_initial: 'Q' });
    });
    try {
      if (row) await h.push([row]);
    } finally {
      h.gusto.onRequest(null);
    }
    expect(puts).toBe(2);
    const done = await h.store.repos.outbox.get(row?.id ?? '');
    expect([done?.status, done?.attempts]).toEqual(['done', 2]);
    // Ours landed on top of Gusto's own change, which is kept.
    expect(h.gusto.control.getEmployee(uuid)).toMatchObject({ last_name: 'Okonkwo-Varga', middle_initial: 'Q' });
  }, 30_000);
});
