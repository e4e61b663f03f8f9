import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import type { ReconcileReport } from '../../src/reconcile/index.ts';
import { canonicalBy, drive, linksOf, openHarness, seedPeople, syncAll, type Harness } from './support/harness.ts';

const reportOf = (run: { report: unknown }) => run.report as ReconcileReport;

function employee(h: Harness, uuid: string, person: string): void {
  h.vendors.payroll.create('employees', { id: uuid, uuid, atsPersonId: person, email: `avery${person}@example.test` });
}

/** Four time entries straight into the store: old approved, recent approved, exported without and with a payroll link. */
async function seedTime(h: Harness, assignmentId: string): Promise<Record<string, string>> {
  const ids = { oldApproved: newId(), recentApproved: newId(), exportedMissing: newId(), exportedLinked: newId() };
  const entry = (status: string, approvedAt: string | null) => ({
    assignmentId, workDate: '2026-09-15', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status, approvedById: null, approvedAt, note: null,
  });
  const now = h.clock.now();
  await h.store.unitOfWork(async (tx) => {
    await tx.canonical.insertMany('time_entry', [
      { id: ids.oldApproved, fields: entry('approved', '2026-10-01T00:00:00.000Z'), changedAt: null },
      { id: ids.recentApproved, fields: entry('approved', '2026-10-31T12:00:00.000Z'), changedAt: null },
      { id: ids.exportedMissing, fields: entry('exported', '2026-10-02T00:00:00.000Z'), changedAt: null },
      { id: ids.exportedLinked, fields: entry('exported', '2026-10-02T00:00:00.000Z'), changedAt: null },
    ], now);
    await tx.links.upsertMany([{
      system: 'payroll', entity: 'time_entry', externalId: 'ts-1', canonicalId: ids.exportedLinked, state: 'linked', base: null, sourceHash: null,
      sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null, createdAt: now, updatedAt: now,
    }]);
  });
  return ids;
}

describe('reconcile: cross-system orphans', () => {
  let h: Harness;
  let time: Record<string, string>;
  beforeEach(async () => {
    h = openHarness();
    seedPeople(h, 5, 4);
    await syncAll(h, 'ats', 'Person');
    await syncAll(h, 'ats', 'Placement');
    for (const [uuid, person] of [['e1', '1'], ['e2', '2'], ['e5', '5']] as const) employee(h, uuid, person);
    await syncAll(h, 'payroll', 'employees');
    time = await seedTime(h, String(canonicalBy(h.store, 'ats', 'assignment').get('101')?.['id']));
  });
  afterEach(() => h.close());

  it('the run that ends a payroll system\'s chain lists every kind, with ids, and repairs none of them', async () => {
    const ledgerBefore = await h.store.repos.ledger.count();
    const { run } = await drive(h, 'payroll', 'employees');
    const report = reportOf(run);
    const people = canonicalBy(h.store, 'ats', 'candidate');
    const assignments = canonicalBy(h.store, 'ats', 'assignment');
    expect(report.orphans).toEqual({
      payroll_employee_without_assignment: { count: 1, items: [{ canonicalId: people.get('5')?.['id'], externalId: 'e5' }] },
      assignment_without_payroll_worker: {
        count: 2,
        items: [assignments.get('103')?.['id'], assignments.get('104')?.['id']].sort().map((id) => ({ canonicalId: id, externalId: null })),
      },
      approved_time_not_exported: { count: 1, items: [{ canonicalId: time['oldApproved'], externalId: null }] },
      exported_time_missing_in_payroll: { count: 1, items: [{ canonicalId: time['exportedMissing'], externalId: null }] },
    });
    expect(report.counts.orphans).toBe(5);
    expect(await h.store.repos.ledger.count()).toBe(ledgerBefore);
  });

  it('an ATS run, and a payroll run with more entities to come, list no orphans', async () => {
    expect(reportOf((await drive(h, 'ats', 'Placement')).run).orphans).toBeNull();
    expect(reportOf((await drive(h, 'payroll', 'employees', { then: ['time_sheets'] })).run).orphans).toBeNull();
  });

  it('a payroll employee gone from payroll is tombstoned but never deletes the ATS-owned candidate', async () => {
    h.vendors.payroll.hardDelete('employees', 'e2');
    expect(reportOf((await drive(h, 'payroll', 'employees')).run).counts.tombstoned).toBe(1);
    h.clock.advanceDays(30);
    const later = await drive(h, 'payroll', 'employees');
    expect(reportOf(later.run).counts.deleted).toBe(0);
    expect(canonicalBy(h.store, 'ats', 'candidate').get('2')?.['deleted_at']).toBeNull();
    expect(linksOf(h.store, 'payroll', 'candidate').find((l) => l.externalId === 'e2')?.tombstonedAt).not.toBeNull();
  });
});
