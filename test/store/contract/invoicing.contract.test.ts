import { expect, it } from 'vitest';
import type { HeldLine } from '../../../src/model/index.ts';
import type { DraftLineRow, LineLink, Store } from '../../../src/store/index.ts';
import type { SqlParam } from '../../../src/store/sql/runner.ts';
import { describeEachStore } from '../../support/stores.ts';
import { countRows, later, NOW } from './support.ts';

/**
 * The invoicing repository on both dialects: billable time and rate cards of a client (through its
 * worksites, or its requisitions for assignments without a worksite), the hub's invoice
 * bookkeeping, lines and links in multi-row batches, and the triggers that freeze an issued
 * invoice's lines and links (SQLite migration 0006, PostgreSQL migration 0001).
 */

/** A row written with plain SQL through the store's own runner (the canonical repository is not under test here). */
async function row(store: Store, table: string, fields: Record<string, SqlParam>, canonical = true): Promise<void> {
  const all: Record<string, SqlParam> = canonical ? { created_at: NOW, updated_at: NOW, ...fields } : fields;
  const cols = Object.keys(all);
  await store.query.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, Object.values(all));
}

async function entry(store: Store, id: string, assignmentId: string, workDate: string, over: Record<string, SqlParam> = {}): Promise<void> {
  await row(store, 'time_entries', {
    id, assignment_id: assignmentId, work_date: workDate, regular_hours: 8, overtime_hours: 0, double_time_hours: 0, status: 'approved', ...over,
  });
}

/**
 * Client cli-1 with worksite ws-1 (assignment asg-1) and requisition req-1 (assignment asg-2, no
 * worksite); client cli-2 with asg-9 at its own worksite; asg-0 of cli-1, deleted. An invoice row
 * `inv-<n>` per name in `invoices`, all of cli-1.
 */
async function seed(store: Store, invoices: readonly string[] = []): Promise<void> {
  await row(store, 'clients', { id: 'cli-1', name: 'Harbor Freight Lines', status: 'active' });
  await row(store, 'clients', { id: 'cli-2', name: 'Birch Logistics', status: 'active' });
  await row(store, 'worksites', { id: 'ws-1', client_id: 'cli-1', name: 'Dock 4', status: 'active' });
  await row(store, 'worksites', { id: 'ws-9', client_id: 'cli-2', name: 'Yard', status: 'active' });
  await row(store, 'requisitions', { id: 'req-1', client_id: 'cli-1', title: 'Pickers', status: 'open', employment_type: 'temp', openings: 2 });
  await row(store, 'candidates', { id: 'cand-1', first_name: 'Ada', last_name: 'Quist', status: 'placed' });
  for (const [id, worksite, requisition, deleted] of [
    ['asg-1', 'ws-1', null, null],
    ['asg-2', null, 'req-1', null],
    ['asg-0', 'ws-1', null, NOW],
    ['asg-9', 'ws-9', null, null],
  ] as const) {
    await row(store, 'assignments', { id, candidate_id: 'cand-1', worksite_id: worksite, requisition_id: requisition, start_date: '2026-01-01', status: 'active', deleted_at: deleted });
  }
  for (const id of invoices) {
    await row(store, 'invoices', {
      id, client_id: 'cli-1', number: `N-${id}`, issue_date: '2026-04-01', period_start: '2026-03-01', period_end: '2026-03-31', status: 'draft', total_cents: 0, currency: 'USD',
    });
  }
}

/**
 * A statement outside the repository, always as a Promise: the SQLite runner runs synchronously
 * and throws a refused statement at the call rather than rejecting.
 */
async function write(store: Store, sql: string, params: readonly SqlParam[]): Promise<number> {
  return (await store.query.run(sql, params)).changes;
}

function hub(invoiceId: string, over: { clientId?: string; periodStart?: string } = {}): Parameters<Store['repos']['invoicing']['insert']>[0] {
  return { invoiceId, clientId: over.clientId ?? 'cli-1', periodStart: over.periodStart ?? '2026-03-01', periodEnd: '2026-03-31', draftedAt: NOW, draftedBy: 'user:billing', held: [] };
}

function line(id: string, invoiceId: string, over: Partial<DraftLineRow> = {}): DraftLineRow {
  return { id, invoiceId, assignmentId: 'asg-1', kind: 'time', description: `line ${id}`, quantity: 8.25, rateCents: 2_500, amountCents: 20_625, ...over };
}

function linkOf(lineId: string, invoiceId: string, timeEntryId: string, over: Partial<LineLink> = {}): LineLink {
  return { lineId, invoiceId, timeEntryId, hourType: 'regular', centiHours: 800, ...over };
}

/** A drafted invoice `invoiceId` with one line billing the regular hours of `entries`. */
async function drafted(store: Store, invoiceId: string, entries: readonly string[]): Promise<void> {
  await store.unitOfWork(async (tx) => {
    await tx.invoicing.insert(hub(invoiceId, { periodStart: `2026-03-${invoiceId.slice(-2)}` }));
    await tx.invoicing.insertLines([line(`${invoiceId}-l1`, invoiceId)], NOW);
    await tx.invoicing.link(entries.map((te) => linkOf(`${invoiceId}-l1`, invoiceId, te)));
  });
}

describeEachStore('invoicing repository', (current) => {
  it('bills approved and exported time of the client’s assignments, one quantity per non-zero hour type, in order', async () => {
    const store = current();
    await seed(store);
    await entry(store, 'te-b', 'asg-1', '2026-03-03', { overtime_hours: 1.5, double_time_hours: 0.25, status: 'exported' });
    await entry(store, 'te-a', 'asg-1', '2026-03-03');
    await entry(store, 'te-c', 'asg-1', '2026-02-27'); // before the period: caught up
    await entry(store, 'te-r', 'asg-2', '2026-03-02', { regular_hours: 7.75 }); // no worksite: the client's requisition
    await entry(store, 'te-adj', 'asg-1', '2026-03-04', { regular_hours: -1.25, adjusts_entry_id: 'te-a' });
    await entry(store, 'te-zero', 'asg-1', '2026-03-05', { regular_hours: 0 });
    await entry(store, 'te-late', 'asg-1', '2026-04-01'); // after the period end
    await entry(store, 'te-sub', 'asg-1', '2026-03-06', { status: 'submitted' });
    await entry(store, 'te-del', 'asg-1', '2026-03-06', { deleted_at: NOW });
    await entry(store, 'te-gone', 'asg-0', '2026-03-06'); // deleted assignment
    await entry(store, 'te-other', 'asg-9', '2026-03-06'); // another client

    const billable = await store.repos.invoicing.billableTime('cli-1', '2026-03-31', null);
    expect(billable).toEqual([
      { timeEntryId: 'te-c', assignmentId: 'asg-1', workDate: '2026-02-27', hourType: 'regular', centiHours: 800, adjustsEntryId: null },
      { timeEntryId: 'te-a', assignmentId: 'asg-1', workDate: '2026-03-03', hourType: 'regular', centiHours: 800, adjustsEntryId: null },
      { timeEntryId: 'te-b', assignmentId: 'asg-1', workDate: '2026-03-03', hourType: 'regular', centiHours: 800, adjustsEntryId: null },
      { timeEntryId: 'te-b', assignmentId: 'asg-1', workDate: '2026-03-03', hourType: 'overtime', centiHours: 150, adjustsEntryId: null },
      { timeEntryId: 'te-b', assignmentId: 'asg-1', workDate: '2026-03-03', hourType: 'doubletime', centiHours: 25, adjustsEntryId: null },
      { timeEntryId: 'te-adj', assignmentId: 'asg-1', workDate: '2026-03-04', hourType: 'regular', centiHours: -125, adjustsEntryId: 'te-a' },
      { timeEntryId: 'te-r', assignmentId: 'asg-2', workDate: '2026-03-02', hourType: 'regular', centiHours: 775, adjustsEntryId: null },
    ]);
    expect(await store.repos.invoicing.billableTime('cli-2', '2026-03-31', null)).toHaveLength(1);
    expect(await store.repos.invoicing.billableTime('CLI-1', '2026-03-31', null)).toEqual([]); // ids compare case-sensitively
    expect(await store.repos.invoicing.billableTime('nobody', '2026-03-31', null)).toEqual([]);
  });

  it('leaves out time already linked, except to the draft being replaced, and time on an imported line', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02', 'inv-imp']);
    for (const te of ['te-1', 'te-2', 'te-3', 'te-4', 'te-5']) await entry(store, te, 'asg-1', '2026-03-02', { overtime_hours: 1 });
    await drafted(store, 'inv-01', ['te-1']);
    await drafted(store, 'inv-02', ['te-2']);
    // An imported line naming its time entry bills all of it; a deleted one no longer does.
    await row(store, 'invoice_lines', { id: 'imp-1', invoice_id: 'inv-imp', time_entry_id: 'te-3', kind: 'time', quantity: 8, rate_cents: 1, amount_cents: 8 });
    await row(store, 'invoice_lines', { id: 'imp-2', invoice_id: 'inv-imp', time_entry_id: 'te-4', kind: 'time', quantity: 8, rate_cents: 1, amount_cents: 8, deleted_at: NOW });

    const ids = async (replacing: string | null): Promise<string[]> =>
      (await store.repos.invoicing.billableTime('cli-1', '2026-03-31', replacing)).map((b) => `${b.timeEntryId}/${b.hourType}`);
    // A linked entry is out whole: only te-1's regular hours are linked, yet its overtime is left out too.
    expect(await ids(null)).toEqual(['te-4/regular', 'te-4/overtime', 'te-5/regular', 'te-5/overtime']);
    expect(await ids('inv-01')).toEqual(['te-1/regular', 'te-1/overtime', 'te-4/regular', 'te-4/overtime', 'te-5/regular', 'te-5/overtime']);
    expect(await ids('no-such-invoice')).toEqual(await ids(null));
  });

  it('reads the rate cards of the client’s assignments, latest row of a date winning, deleted rows left out', async () => {
    const store = current();
    await seed(store);
    const rate = (id: string, assignmentId: string, effectiveFrom: string, bill: number, over: Record<string, SqlParam> = {}): Promise<void> =>
      row(store, 'assignment_rates', { id, assignment_id: assignmentId, effective_from: effectiveFrom, pay_rate_cents: 1_800, bill_rate_cents: bill, ...over });
    await rate('r-3', 'asg-1', '2026-03-16', 2_600, { ot_bill_rate_cents: 3_900, dt_bill_rate_cents: 5_200 });
    await rate('r-1', 'asg-1', '2026-01-01', 2_400);
    await rate('r-2', 'asg-1', '2026-01-01', 2_500); // same date, larger id: wins
    await rate('r-4', 'asg-1', '2026-04-01', 9_999, { deleted_at: NOW });
    await rate('r-5', 'asg-2', '2026-02-01', 3_000);
    await rate('r-9', 'asg-9', '2026-01-01', 1_000);

    const rates = await store.repos.invoicing.ratesOfClient('cli-1');
    expect([...rates.keys()]).toEqual(['asg-1', 'asg-2']);
    expect(rates.get('asg-1')).toEqual([
      { id: 'r-2', assignmentId: 'asg-1', effectiveFrom: '2026-01-01', billRateCents: 2_500, otBillRateCents: null, dtBillRateCents: null },
      { id: 'r-3', assignmentId: 'asg-1', effectiveFrom: '2026-03-16', billRateCents: 2_600, otBillRateCents: 3_900, dtBillRateCents: 5_200 },
    ]);
    expect(rates.get('asg-2')?.map((r) => r.billRateCents)).toEqual([3_000]);
    expect((await store.repos.invoicing.ratesOfClient('cli-2')).get('asg-9')?.map((r) => r.id)).toEqual(['r-9']);
    expect((await store.repos.invoicing.ratesOfClient('nobody')).size).toBe(0);
  });

  it('keeps the hub’s invoice bookkeeping: insert, get, open draft, re-draft, issue once, list', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02', 'inv-03']);
    const held: HeldLine[] = [{ assignmentId: 'asg-1', hourType: 'regular', workDates: ['2026-03-02'], centiHours: 800, reason: 'no bill rate in effect', timeEntryIds: ['te-1'] }];
    await store.unitOfWork(async (tx) => {
      await tx.invoicing.insert({ ...hub('inv-01'), held });
      await tx.invoicing.insert(hub('inv-02', { periodStart: '2026-02-01' }));
      await tx.invoicing.insert(hub('inv-03', { periodStart: '2026-01-01' }));
    });
    expect(await store.repos.invoicing.get('inv-01')).toEqual({ ...hub('inv-01'), held, issuedAt: null, issuedBy: null });
    expect(await store.repos.invoicing.get('INV-01')).toBeNull();
    expect((await store.repos.invoicing.openDraft('cli-1', '2026-03-01'))?.invoiceId).toBe('inv-01');
    expect(await store.repos.invoicing.openDraft('cli-1', '2026-04-01')).toBeNull();

    await store.unitOfWork((tx) => tx.invoicing.redrafted('inv-01', later(5), 'user:other', []));
    expect(await store.repos.invoicing.get('inv-01')).toMatchObject({ draftedAt: later(5), draftedBy: 'user:other', held: [] });

    expect(await store.unitOfWork((tx) => tx.invoicing.markIssued('inv-02', later(9), 'user:billing'))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.invoicing.markIssued('inv-02', later(10), 'user:x'))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.invoicing.markIssued('no-such', later(10), 'user:x'))).toBe(false);
    expect(await store.repos.invoicing.get('inv-02')).toMatchObject({ issuedAt: later(9), issuedBy: 'user:billing' });
    expect(await store.repos.invoicing.openDraft('cli-1', '2026-02-01')).toBeNull();

    const list = async (filter: { clientId?: string; issued?: boolean; limit: number }): Promise<string[]> => (await store.repos.invoicing.list(filter)).map((h) => h.invoiceId);
    expect(await list({ limit: 10 })).toEqual(['inv-03', 'inv-02', 'inv-01']);
    expect(await list({ limit: 2 })).toEqual(['inv-03', 'inv-02']);
    expect(await list({ issued: true, limit: 10 })).toEqual(['inv-02']);
    expect(await list({ issued: false, limit: 10 })).toEqual(['inv-03', 'inv-01']);
    expect(await list({ clientId: 'cli-1', issued: false, limit: 1 })).toEqual(['inv-03']);
    expect(await list({ clientId: 'cli-2', limit: 10 })).toEqual([]);
  });

  it('refuses a second open draft of one client period (the partial unique index)', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02']);
    await store.unitOfWork((tx) => tx.invoicing.insert(hub('inv-01')));
    await expect(store.unitOfWork((tx) => tx.invoicing.insert(hub('inv-02')))).rejects.toThrow(/unique/i);
    expect(await countRows(store, 'hub_invoices')).toBe(1);
  });

  it('writes lines and links across the batch boundary, each once and as given, and reads them back by line', async () => {
    const store = current();
    await seed(store, ['inv-01']);
    const n = 129; // one full batch of 128 + 1
    for (let i = 0; i < n; i++) await entry(store, `te-${String(i).padStart(3, '0')}`, 'asg-1', '2026-03-02', { overtime_hours: 1 });
    const lines = Array.from({ length: n }, (_, i) => line(`l-${String(i).padStart(3, '0')}`, 'inv-01', { quantity: 8 + i / 100, rateCents: 2_500 + i, amountCents: 20_000 + i }));
    lines[0] = line('l-000', 'inv-01', { assignmentId: 'asg-2', description: 'Ünïcode — “quoted” \'single\'', quantity: -1.25, amountCents: -3_125 });
    const links = lines.flatMap((l, i) => [
      linkOf(l.id, 'inv-01', `te-${String(i).padStart(3, '0')}`, { centiHours: 800 }),
      linkOf(l.id, 'inv-01', `te-${String(i).padStart(3, '0')}`, { hourType: 'overtime', centiHours: 100 + i }),
    ]);
    await store.unitOfWork(async (tx) => {
      await tx.invoicing.insert(hub('inv-01'));
      await tx.invoicing.insertLines(lines, NOW);
      expect(await tx.invoicing.link(links)).toBe(2 * n);
    });

    const stored = await store.query.all<Record<string, unknown>>(
      `SELECT id, revision, created_at AS "createdAt", updated_at AS "updatedAt", changed_at AS "changedAt", deleted_at AS "deletedAt", invoice_id AS "invoiceId",
        assignment_id AS "assignmentId", time_entry_id AS "timeEntryId", kind, description, quantity, rate_cents AS "rateCents", amount_cents AS "amountCents"
       FROM invoice_lines ORDER BY id`,
    );
    expect(stored).toEqual(lines.map((l) => ({ ...l, revision: 1, createdAt: NOW, updatedAt: NOW, changedAt: NOW, deletedAt: null, timeEntryId: null })));

    const byLine = await store.repos.invoicing.linksOf('inv-01');
    expect([...byLine.keys()]).toEqual(lines.map((l) => l.id));
    // By line, then time entry, then hour type ('overtime' sorts before 'regular').
    expect(byLine.get('l-005')).toEqual([links[11], links[10]]);
    expect([...byLine.values()].flat()).toEqual(lines.flatMap((_, i) => [links[2 * i + 1], links[2 * i]]));
    expect(await store.repos.invoicing.timeEntryIds('inv-01')).toEqual(lines.map((_, i) => `te-${String(i).padStart(3, '0')}`));
    expect((await store.repos.invoicing.linksOf('no-such')).size).toBe(0);
    expect(await store.repos.invoicing.timeEntryIds('no-such')).toEqual([]);
  });

  it('writes nothing for empty lines and links', async () => {
    const store = current();
    await seed(store, ['inv-01']);
    await store.unitOfWork(async (tx) => {
      await tx.invoicing.insert(hub('inv-01'));
      await tx.invoicing.insertLines([], NOW);
      expect(await tx.invoicing.link([])).toBe(0);
    });
    expect(await countRows(store, 'invoice_lines')).toBe(0);
    expect(await countRows(store, 'invoice_line_time_entries')).toBe(0);
  });

  it('refuses a second claim of hours already linked, rolling back the whole unit of work', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02']);
    await entry(store, 'te-1', 'asg-1', '2026-03-02');
    await drafted(store, 'inv-01', ['te-1']);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.invoicing.insert(hub('inv-02', { periodStart: '2026-02-01' }));
        await tx.invoicing.insertLines([line('l-2', 'inv-02')], NOW);
        await tx.invoicing.link([linkOf('l-2', 'inv-02', 'te-1', { centiHours: 100 })]);
      }),
    ).rejects.toThrow(/unique/i);
    expect(await countRows(store, 'invoice_line_time_entries')).toBe(1);
    expect(await countRows(store, 'invoice_lines')).toBe(1);
    expect(await store.repos.invoicing.get('inv-02')).toBeNull();
  });

  it('clears a draft’s lines and links, and only that draft’s', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02']);
    await entry(store, 'te-1', 'asg-1', '2026-03-02');
    await entry(store, 'te-2', 'asg-1', '2026-03-02');
    await drafted(store, 'inv-01', ['te-1']);
    await drafted(store, 'inv-02', ['te-2']);
    await store.unitOfWork((tx) => tx.invoicing.clearDraftLines('inv-01'));
    expect((await store.repos.invoicing.linksOf('inv-01')).size).toBe(0);
    expect(await store.repos.invoicing.timeEntryIds('inv-02')).toEqual(['te-2']);
    expect(await countRows(store, 'invoice_lines')).toBe(1);
    expect((await store.repos.invoicing.billableTime('cli-1', '2026-03-31', null)).map((b) => b.timeEntryId)).toEqual(['te-1']);
  });

  it('refuses every write outside a unit of work', async () => {
    const store = current();
    await seed(store, ['inv-01']);
    const repo = store.repos.invoicing;
    await expect(repo.insert(hub('inv-01'))).rejects.toThrow(/inside store.unitOfWork/);
    await expect(repo.redrafted('inv-01', NOW, 'x', [])).rejects.toThrow(/inside store.unitOfWork/);
    await expect(repo.clearDraftLines('inv-01')).rejects.toThrow(/inside store.unitOfWork/);
    await expect(repo.insertLines([line('l-1', 'inv-01')], NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(repo.link([linkOf('l-1', 'inv-01', 'te-1')])).rejects.toThrow(/inside store.unitOfWork/);
    await expect(repo.markIssued('inv-01', NOW, 'x')).rejects.toThrow(/inside store.unitOfWork/);
    expect(await countRows(store, 'hub_invoices')).toBe(0);
  });

  it('freezes an issued invoice: its lines and links refuse insert, update and delete; its bookkeeping refuses a re-draft', async () => {
    const store = current();
    await seed(store, ['inv-01', 'inv-02']);
    for (const te of ['te-1', 'te-2', 'te-3']) await entry(store, te, 'asg-1', '2026-03-02');
    await drafted(store, 'inv-01', ['te-1']);
    await drafted(store, 'inv-02', ['te-3']);
    await store.unitOfWork((tx) => tx.invoicing.markIssued('inv-01', later(1), 'user:billing'));
    const lines = await store.query.all('SELECT * FROM invoice_lines ORDER BY id');
    const links = await store.query.all('SELECT * FROM invoice_line_time_entries ORDER BY time_entry_id, hour_type');

    const LINES = /invoice is issued: its lines never change/;
    const TIME = /invoice is issued: the time it bills never changes/;
    await expect(store.unitOfWork((tx) => tx.invoicing.insertLines([line('l-new', 'inv-01')], NOW))).rejects.toThrow(LINES);
    await expect(store.unitOfWork((tx) => tx.invoicing.link([linkOf('inv-01-l1', 'inv-01', 'te-2')]))).rejects.toThrow(TIME);
    await expect(store.unitOfWork((tx) => tx.invoicing.clearDraftLines('inv-01'))).rejects.toThrow(TIME);
    await expect(write(store, 'UPDATE invoice_lines SET amount_cents = 1 WHERE invoice_id = ?', ['inv-01'])).rejects.toThrow(LINES);
    await expect(write(store, "UPDATE invoice_lines SET invoice_id = 'inv-01' WHERE invoice_id = ?", ['inv-02'])).rejects.toThrow(LINES); // moving a line onto it
    await expect(write(store, 'DELETE FROM invoice_lines WHERE invoice_id = ?', ['inv-01'])).rejects.toThrow(LINES);
    await expect(write(store, 'UPDATE invoice_line_time_entries SET centi_hours = 1 WHERE invoice_id = ?', ['inv-01'])).rejects.toThrow(TIME);
    await expect(write(store, 'DELETE FROM invoice_line_time_entries WHERE invoice_id = ?', ['inv-01'])).rejects.toThrow(TIME);
    await expect(store.unitOfWork((tx) => tx.invoicing.redrafted('inv-01', later(2), 'user:x', []))).rejects.toThrow(/invoice is issued/);

    expect(await store.query.all('SELECT * FROM invoice_lines ORDER BY id')).toEqual(lines);
    expect(await store.query.all('SELECT * FROM invoice_line_time_entries ORDER BY time_entry_id, hour_type')).toEqual(links);
    expect(await store.repos.invoicing.get('inv-01')).toMatchObject({ issuedAt: later(1), draftedAt: NOW, draftedBy: 'user:billing' });
    // The draft beside it is still a worksheet.
    expect((await store.query.run('UPDATE invoice_lines SET amount_cents = 1 WHERE invoice_id = ?', ['inv-02'])).changes).toBe(1);
    await store.unitOfWork((tx) => tx.invoicing.clearDraftLines('inv-02'));
    expect(await store.repos.invoicing.timeEntryIds('inv-02')).toEqual([]);
    expect(await store.repos.invoicing.timeEntryIds('inv-01')).toEqual(['te-1']);
  });
});
