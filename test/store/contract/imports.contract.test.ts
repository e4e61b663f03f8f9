import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.ts';
import type { ImportErrorRow, NewImport } from '../../../src/store/repos/imports-repo.ts';
import { describeEachStore } from '../../support/stores.ts';
import { seed, seedCanonical } from './seed-rows.ts';
import { later, link, NOW } from './support.ts';

const newImport = (over: Partial<NewImport> = {}): NewImport => ({
  id: 'imp-1', fileSha256: 'a'.repeat(64), source: 'billing', kind: 'time_entries', fileName: 'week 9.csv', sizeBytes: 1234,
  encoding: 'utf-8', delimiter: ',', status: 'running', runId: 'run-1', owner: 'host:1', error: null, startedAt: NOW, ...over,
});

const problem = (line: number, over: Partial<ImportErrorRow> = {}): ImportErrorRow => ({ line, column: 'Hours', value: 'x', reason: 'not a number', ...over });

/** A client, two workers with an assignment each, time entries and rates: what exports read. */
async function seedPayroll(store: Store): Promise<void> {
  await seedCanonical(store, 'clients', [{ id: 'cl-1', name: 'Harbor Freight Lines', status: 'active' }]);
  await seedCanonical(store, 'candidates', [
    { id: 'k1', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.test', status: 'active' },
    { id: 'k2', first_name: 'Alan', last_name: 'Turing', email: null, status: 'active' },
  ]);
  await seedCanonical(store, 'assignments', [
    { id: 'as-1', candidate_id: 'k1', title: 'Forklift', start_date: '2026-01-01', status: 'active' },
    { id: 'as-2', candidate_id: 'k2', title: null, start_date: '2026-01-01', status: 'active' },
  ]);
  const te = (id: string, assignment: string, workDate: string, status: string, over: Record<string, string | number | null> = {}) => ({
    id, assignment_id: assignment, work_date: workDate, regular_hours: 7.5, overtime_hours: 1.25, double_time_hours: 0, status, ...over,
  });
  await seedCanonical(store, 'time_entries', [
    te('te-1', 'as-1', '2026-02-02', 'approved'),
    te('te-2', 'as-2', '2026-02-03', 'approved'),
    te('te-3', 'as-1', '2026-02-04', 'submitted'),
    te('te-4', 'as-1', '2026-02-05', 'approved', { payroll_held_until: '2026-03-01' }),
    te('te-5', 'as-1', '2026-02-06', 'approved', { deleted_at: NOW }),
    te('te-6', 'as-2', '2026-03-02', 'approved'),
  ]);
  await seedCanonical(store, 'assignment_rates', [
    { id: 'rt-1', assignment_id: 'as-1', effective_from: '2026-01-01', pay_rate_cents: 2000, bill_rate_cents: 3000 },
    { id: 'rt-2', assignment_id: 'as-1', effective_from: '2026-02-04', pay_rate_cents: 2200, bill_rate_cents: 3300 },
    { id: 'rt-3', assignment_id: 'as-1', effective_from: '2026-02-03', pay_rate_cents: 9999, bill_rate_cents: 9999, deleted_at: NOW },
  ]);
}

describeEachStore('imports repository', (current) => {
  it('creates an import and reads back every field; a refused one is finished at once', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.imports.create(newImport()));
    expect(await store.repos.imports.get('imp-1')).toEqual({
      id: 'imp-1', fileSha256: 'a'.repeat(64), source: 'billing', kind: 'time_entries', fileName: 'week 9.csv', sizeBytes: 1234,
      encoding: 'utf-8', delimiter: ',', status: 'running', runId: 'run-1', nextRecord: 0, nextLine: 0, counts: {}, errorCount: 0,
      owner: 'host:1', heartbeatAt: NOW, error: null, startedAt: NOW, finishedAt: null,
    });
    await store.unitOfWork((tx) => tx.imports.create(newImport({ id: 'imp-2', status: 'refused', error: 'not UTF-8', fileName: null, encoding: null, delimiter: null, runId: null, owner: null })));
    expect(await store.repos.imports.get('imp-2')).toMatchObject({ status: 'refused', error: 'not UTF-8', finishedAt: NOW, fileName: null, owner: null });
    expect(await store.repos.imports.get('nope')).toBeNull();
  });

  it('finds the live import of a file, never a failed one, and refuses a second live one', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.imports.create(newImport({ id: 'imp-failed', status: 'failed' })));
    expect(await store.repos.imports.findLive('a'.repeat(64), 'billing', 'time_entries')).toBeNull();
    await store.unitOfWork((tx) => tx.imports.create(newImport()));
    expect((await store.repos.imports.findLive('a'.repeat(64), 'billing', 'time_entries'))?.id).toBe('imp-1');
    expect(await store.repos.imports.findLive('A'.repeat(64), 'billing', 'time_entries')).toBeNull();
    expect(await store.repos.imports.findLive('a'.repeat(64), 'billing', 'invoices')).toBeNull();
    await expect(store.unitOfWork((tx) => tx.imports.create(newImport({ id: 'imp-3' })))).rejects.toThrow(/unique/i);
  });

  it('lists newest first with filters and keyset paging', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.imports.create(newImport({ id: 'i-01', status: 'succeeded', fileSha256: '1' }));
      await tx.imports.create(newImport({ id: 'i-02', status: 'succeeded', fileSha256: '2', source: 'ops' }));
      await tx.imports.create(newImport({ id: 'i-03', status: 'succeeded', fileSha256: '3', kind: 'invoices' }));
      await tx.imports.create(newImport({ id: 'i-04', status: 'succeeded', fileSha256: '4' }));
    });
    expect((await store.repos.imports.list({ limit: 2 })).map((i) => i.id)).toEqual(['i-04', 'i-03']);
    expect((await store.repos.imports.list({ limit: 2, before: 'i-03' })).map((i) => i.id)).toEqual(['i-02', 'i-01']);
    expect((await store.repos.imports.list({ limit: 10, source: 'billing', kind: 'time_entries' })).map((i) => i.id)).toEqual(['i-04', 'i-01']);
    expect(await store.repos.imports.list({ limit: 10, source: 'nobody' })).toEqual([]);
  });

  it('takes over a running import from its owner (a null owner too), once', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.imports.create(newImport());
      await tx.imports.create(newImport({ id: 'imp-orphan', fileSha256: 'b', owner: null }));
      await tx.imports.create(newImport({ id: 'imp-done', fileSha256: 'c', status: 'succeeded' }));
    });
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-1', 'host:1', 'host:2', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-1', 'host:1', 'host:3', later(2)))).toBe(false);
    expect(await store.repos.imports.get('imp-1')).toMatchObject({ owner: 'host:2', heartbeatAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-orphan', 'host:1', 'host:2', later(1)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-orphan', null, 'host:2', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-1', null, 'host:4', later(1)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.imports.takeOver('imp-done', 'host:1', 'host:2', later(1)))).toBe(false);
  });

  it('moves progress and finishes, counts as JSON', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.imports.create(newImport()));
    await store.unitOfWork((tx) => tx.imports.progress('imp-1', 500, 503, { time_entry: { created: 499 }, rows: 500 }, 1, later(1)));
    expect(await store.repos.imports.get('imp-1')).toMatchObject({
      nextRecord: 500, nextLine: 503, counts: { time_entry: { created: 499 }, rows: 500 }, errorCount: 1, heartbeatAt: later(1), status: 'running',
    });
    await store.unitOfWork((tx) => tx.imports.finish('imp-1', 'succeeded', { rows: 900 }, null, later(2)));
    expect(await store.repos.imports.get('imp-1')).toMatchObject({ status: 'succeeded', counts: { rows: 900 }, finishedAt: later(2), heartbeatAt: later(2), error: null });
  });

  it('appends row errors in batches, numbered from firstSeq, and pages them', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.imports.create(newImport()));
    const many = Array.from({ length: 2_100 }, (_, i) => problem(i + 2, { column: i % 2 === 0 ? null : 'Hours', value: i % 3 === 0 ? null : `v"${i}'` }));
    await store.unitOfWork((tx) => tx.imports.addErrors('imp-1', 0, many));
    await store.unitOfWork((tx) => tx.imports.addErrors('imp-1', 2_100, [problem(9_999, { reason: 'duplicate row' })]));
    await store.unitOfWork((tx) => tx.imports.addErrors('imp-1', 2_101, []));
    const first = await store.repos.imports.errors('imp-1', { limit: 3 });
    expect(first).toEqual([
      { seq: 0, line: 2, column: null, value: null, reason: 'not a number' },
      { seq: 1, line: 3, column: 'Hours', value: `v"1'`, reason: 'not a number' },
      { seq: 2, line: 4, column: null, value: `v"2'`, reason: 'not a number' },
    ]);
    expect(await store.repos.imports.errors('imp-1', { afterSeq: 2_099, limit: 10 })).toEqual([{ seq: 2_100, line: 9_999, column: 'Hours', value: 'x', reason: 'duplicate row' }]);
    expect(await store.query.value<number>('SELECT count(*) FROM csv_import_errors')).toBe(2_101);
    // The same numbers again are refused, and the unit of work rolls back whole.
    await expect(store.unitOfWork((tx) => tx.imports.addErrors('imp-1', 5, [problem(1)]))).rejects.toThrow(/unique|duplicate|primary/i);
    expect(await store.query.value<number>('SELECT count(*) FROM csv_import_errors')).toBe(2_101);
  });

  it('reads link hashes without bases, case-sensitively', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ system: 'csv:billing', entity: 'time_entry', externalId: 'R-2', canonicalId: 'te-2', sourceHash: 'h2' }),
        link({ system: 'csv:billing', entity: 'time_entry', externalId: 'R-1', canonicalId: null, state: 'rejected', sourceHash: null, reason: 'no rate' }),
      ]),
    );
    const hashes = await store.repos.imports.linkHashes('csv:billing', 'time_entry', ['R-2', 'R-1', 'r-1', 'R-3']);
    expect([...hashes.entries()].sort()).toEqual([
      ['R-1', { hash: null, state: 'rejected', reason: 'no rate' }],
      ['R-2', { hash: 'h2', state: 'linked', reason: null }],
    ]);
    expect((await store.repos.imports.linkHashes('csv:billing', 'time_entry', [])).size).toBe(0);
  });

  it('reads the ledger: last sequence, a run’s rejections after a position, what a run changed', async () => {
    const store = current();
    expect(await store.repos.imports.lastLedgerSeq()).toBe(0);
    const row = (outcome: string, runId: string, canonicalId: string | null, externalId: string | null, reason: string | null = null) => ({
      at: NOW, direction: 'in', system: 'csv:billing', entity: 'time_entry', canonical_id: canonicalId, external_id: externalId,
      action: 'create', outcome, reason, run_id: runId,
    });
    await seed(store, 'ledger', [
      row('rejected', 'run-1', null, 'R-1', 'no assignment'),
      row('applied', 'run-1', 'te-2', 'R-2'),
      row('rejected', 'run-2', null, 'R-9'),
      row('applied', 'run-1', 'te-1', 'R-3'),
      row('rejected', 'run-1', null, 'R-4', null),
      row('applied', 'run-1', null, 'R-5'),
    ]);
    const last = await store.repos.imports.lastLedgerSeq();
    const seqs = await store.query.column<number>('SELECT seq FROM ledger ORDER BY seq');
    expect(last).toBe(seqs[seqs.length - 1]);
    expect(await store.repos.imports.rejectedSince('run-1', 0)).toEqual([
      { entity: 'time_entry', externalId: 'R-1', reason: 'no assignment' },
      { entity: 'time_entry', externalId: 'R-4', reason: null },
    ]);
    expect(await store.repos.imports.rejectedSince('run-1', seqs[0] ?? 0)).toEqual([{ entity: 'time_entry', externalId: 'R-4', reason: null }]);
    expect(await store.repos.imports.changedByRun('run-1', 'time_entry')).toEqual(['te-2', 'te-1']);
    expect(await store.repos.imports.changedByRun('run-1', 'client')).toEqual([]);
  });

  it('pages an entity’s live rows as arrays in field order, numbers as numbers', async () => {
    const store = current();
    await seedPayroll(store);
    const first = await store.repos.imports.pageRaw('time_entry', ['workDate', 'regularHours', 'approvedAt', 'workDate'], null, 2);
    expect(first).toEqual([
      ['te-1', '2026-02-02', 7.5, null, '2026-02-02'],
      ['te-2', '2026-02-03', 7.5, null, '2026-02-03'],
    ]);
    const rest = await store.repos.imports.pageRaw('time_entry', ['status'], 'te-2', 10);
    expect(rest).toEqual([['te-3', 'submitted'], ['te-4', 'approved'], ['te-6', 'approved']]);
    expect(await store.repos.imports.pageRaw('client', [], null, 10)).toEqual([['cl-1']]);
    await expect(store.repos.imports.pageRaw('client', ['nope'], null, 10)).rejects.toThrow(/no field nope/);
  });

  it('reads payroll entries by period and status with their worker, keyset paged, and by id', async () => {
    const store = current();
    await seedPayroll(store);
    const q = { from: '2026-02-01', to: '2026-02-28', statuses: ['approved'], afterId: null, limit: 10 };
    const entries = await store.repos.imports.payrollEntries(q);
    expect(entries).toEqual([
      {
        id: 'te-1', assignmentId: 'as-1', workDate: '2026-02-02', regularHours: 7.5, overtimeHours: 1.25, doubleTimeHours: 0, status: 'approved',
        title: 'Forklift', candidateId: 'k1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.test',
      },
      {
        id: 'te-2', assignmentId: 'as-2', workDate: '2026-02-03', regularHours: 7.5, overtimeHours: 1.25, doubleTimeHours: 0, status: 'approved',
        title: null, candidateId: 'k2', firstName: 'Alan', lastName: 'Turing', email: null,
      },
    ]);
    expect((await store.repos.imports.payrollEntries({ ...q, afterId: 'te-1' })).map((e) => e.id)).toEqual(['te-2']);
    expect((await store.repos.imports.payrollEntries({ ...q, statuses: ['approved', 'submitted'], limit: 2 })).map((e) => e.id)).toEqual(['te-1', 'te-2']);
    expect((await store.repos.imports.payrollEntries({ ...q, statuses: ['approved', 'submitted'], afterId: 'te-2' })).map((e) => e.id)).toEqual(['te-3']);
    expect(await store.repos.imports.payrollEntries({ ...q, statuses: [] })).toEqual([]);
    expect((await store.repos.imports.payrollEntriesByIds(['te-6', 'te-3', 'none'])).map((e) => e.id).sort()).toEqual(['te-3', 'te-6']);
    expect(await store.repos.imports.payrollEntriesByIds([])).toEqual([]);
  });

  it('finds the pay rate in effect on each date asked about, ignoring deleted rates', async () => {
    const store = current();
    await seedPayroll(store);
    const rates = await store.repos.imports.payRatesOn([
      { assignmentId: 'as-1', date: '2025-12-31' }, // before any rate
      { assignmentId: 'as-1', date: '2026-02-03' }, // the deleted rate would apply
      { assignmentId: 'as-1', date: '2026-02-04' },
      { assignmentId: 'as-2', date: '2026-02-04' }, // no rates at all
    ]);
    expect([...rates.entries()].sort()).toEqual([['as-1|2026-02-03', 2000], ['as-1|2026-02-04', 2200]]);
    expect((await store.repos.imports.payRatesOn([])).size).toBe(0);
  });

  it('lists the invoice register by issue date and number, issued invoices only, with line counts', async () => {
    const store = current();
    await seedCanonical(store, 'clients', [{ id: 'cl-1', name: 'Harbor Freight Lines', status: 'active' }]);
    const inv = (id: string, number: string, issueDate: string, over: Record<string, string | number | null> = {}) => ({
      id, client_id: 'cl-1', number, issue_date: issueDate, status: 'open', total_cents: 12_345, currency: 'USD', ...over,
    });
    await seedCanonical(store, 'invoices', [
      inv('in-1', 'INV-2', '2026-02-01', { due_date: '2026-03-01', period_start: '2026-01-01', period_end: '2026-01-31' }),
      inv('in-2', 'INV-1', '2026-02-01'),
      inv('in-3', 'INV-3', '2026-02-15'),
      inv('in-4', 'INV-4', '2026-02-20'), // a hub draft, not issued
      inv('in-5', 'INV-5', '2026-02-21', { deleted_at: NOW }),
      inv('in-6', 'INV-6', '2026-03-02'),
    ]);
    // Only a draft: an issued hub invoice is frozen by triggers, which the SQLite test store's reset
    // (DELETE per table) cannot get past; an issued one takes the same NOT EXISTS path as one never drafted.
    await seed(store, 'hub_invoices', [
      { invoice_id: 'in-4', client_id: 'cl-1', period_start: '2026-02-15', period_end: '2026-02-28', drafted_at: NOW, drafted_by: 'ops' },
    ]);
    const line = (id: string, invoiceId: string, deletedAt: string | null = null) => ({
      id, invoice_id: invoiceId, kind: 'regular', quantity: 1, rate_cents: 100, amount_cents: 100, deleted_at: deletedAt,
    });
    await seedCanonical(store, 'invoice_lines', [line('ln-1', 'in-1'), line('ln-2', 'in-1'), line('ln-3', 'in-1', NOW), line('ln-4', 'in-3')]);
    const all = await store.repos.imports.invoiceRegister({ afterKey: null, limit: 10 });
    expect(all.map((i) => [i.number, i.lines])).toEqual([['INV-1', 0], ['INV-2', 2], ['INV-3', 1], ['INV-6', 0]]);
    expect(all[1]).toEqual({
      id: 'in-1', number: 'INV-2', clientId: 'cl-1', clientName: 'Harbor Freight Lines', issueDate: '2026-02-01', dueDate: '2026-03-01',
      periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'open', totalCents: 12_345, currency: 'USD', lines: 2,
    });
    const feb = await store.repos.imports.invoiceRegister({ from: '2026-02-01', to: '2026-02-28', afterKey: ['2026-02-01', 'INV-1'], limit: 1 });
    expect(feb.map((i) => i.number)).toEqual(['INV-2']);
    expect((await store.repos.imports.invoiceRegister({ from: '2026-02-01', to: '2026-02-28', afterKey: ['2026-02-01', 'INV-2'], limit: 10 })).map((i) => i.number)).toEqual(['INV-3']);
  });

  it('reads link meta of one system’s linked records, an absent meta as {}', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-1', canonicalId: 'k1', meta: { fileNumber: '000123', n: 2 } }),
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-2', canonicalId: 'k2', meta: null }),
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-3', canonicalId: 'k3', state: 'parked' }),
        link({ system: 'ats', entity: 'candidate', externalId: 'a-1', canonicalId: 'k1', meta: { other: true } }),
      ]),
    );
    const meta = await store.repos.imports.linkMeta('payroll', 'candidate', ['k1', 'k2', 'k3', 'K1']);
    expect([...meta.entries()].sort()).toEqual([
      ['k1', { externalId: 'emp-1', meta: { fileNumber: '000123', n: 2 } }],
      ['k2', { externalId: 'emp-2', meta: {} }],
    ]);
    expect((await store.repos.imports.linkMeta('payroll', 'candidate', [])).size).toBe(0);
  });

  it('refuses writes outside a unit of work', async () => {
    const store = current();
    await expect(store.repos.imports.create(newImport())).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.imports.takeOver('imp-1', null, 'x', NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.imports.progress('imp-1', 1, 1, {}, 0, NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.imports.finish('imp-1', 'failed', {}, 'x', NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.imports.addErrors('imp-1', 0, [problem(1)])).rejects.toThrow(/inside store.unitOfWork/);
  });
});
