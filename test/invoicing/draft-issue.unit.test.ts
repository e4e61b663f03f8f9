import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError, StaticPolicy } from '../../src/engine/index.ts';
import { draftInvoice } from '../../src/invoicing/draft.ts';
import { issueInvoice } from '../../src/invoicing/issue.ts';
import { DEFAULT_INVOICING } from '../../src/invoicing/source.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

/**
 * Drafting and issuing against a real SQLite file: random sequences of approvals, rate changes,
 * drafts, re-drafts and issues never bill an hour of a time entry twice, never change an issued
 * invoice, and every invoice's total is the sum of its lines.
 */

const SEED = Number(process.env['FC_SEED'] ?? 7122026);
const RUNS = 25;
console.log(`invoice draft/issue sequences: fast-check seed ${SEED}, ${RUNS} runs`);

const NOW = '2026-04-01T09:00:00.000Z';
const policy = new StaticPolicy({ inbound: {} });
const DATES = Array.from({ length: 21 }, (_, i) => `2026-03-${String(i + 2).padStart(2, '0')}`);
const ASSIGNMENTS = ['asg-1', 'asg-2', 'asg-3'];

let seq = 0;
const id = (p: string) => `${p}-${String(++seq).padStart(6, '0')}`;

async function seedClient(store: SqliteStore): Promise<void> {
  await store.unitOfWork(async (tx) => {
    const ins = (entity: Parameters<typeof tx.canonical.insertMany>[0], rowId: string, fields: Record<string, string | number | null>) =>
      tx.canonical.insertMany(entity, [{ id: rowId, fields, changedAt: null }], NOW);
    await ins('client', 'cli-1', { name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly', addressLine1: null, city: null, state: null, postalCode: null });
    await ins('worksite', 'ws-1', { clientId: 'cli-1', name: 'Dock 4', status: 'active', addressLine1: null, city: null, state: null, postalCode: null, timeZone: null });
    await ins('candidate', 'cand-1', { firstName: 'Ada', lastName: 'Quist', email: null, phone: null, city: null, state: null, status: 'placed', employeeType: 'w2' });
    for (const a of ASSIGNMENTS) {
      await ins('assignment', a, { candidateId: 'cand-1', requisitionId: null, worksiteId: 'ws-1', approverContactId: null, title: 'Picker', startDate: '2026-01-01', endDate: null, status: 'active' });
    }
  });
}

async function addRate(store: SqliteStore, assignmentId: string, effectiveFrom: string, bill: number, ot: number | null): Promise<void> {
  await store.unitOfWork((tx) =>
    tx.canonical.insertMany('assignment_rate', [{
      id: id('rate'), changedAt: null,
      fields: { assignmentId, effectiveFrom, payRateCents: 1500, billRateCents: bill, otPayRateCents: 2250, otBillRateCents: ot, dtPayRateCents: null, dtBillRateCents: null },
    }], NOW),
  );
}

async function approve(store: SqliteStore, assignmentId: string, workDate: string, regular: number, overtime: number): Promise<void> {
  await store.unitOfWork((tx) =>
    tx.canonical.insertMany('time_entry', [{
      id: id('te'), changedAt: null,
      fields: { assignmentId, workDate, regularHours: regular, overtimeHours: overtime, doubleTimeHours: 0, status: 'approved', approvedById: null, approvedAt: NOW, note: null },
    }], NOW),
  );
}

const draft = (store: SqliteStore, date: string) =>
  store.unitOfWork((tx) => draftInvoice(tx, { clientId: 'cli-1', date, actor: 'user:billing', now: NOW, settings: DEFAULT_INVOICING }));
const issue = (store: SqliteStore, invoiceId: string) => store.unitOfWork((tx) => issueInvoice(tx, policy, { invoiceId, actor: 'user:billing', now: NOW }));

/** Everything about an invoice that must never change once issued. */
function snapshot(store: SqliteStore, invoiceId: string): string {
  const inv = store.db.prepare('SELECT number, status, total_cents, issue_date, period_start, period_end, revision FROM invoices WHERE id = ?').get(invoiceId);
  const lines = store.db.prepare('SELECT id, kind, quantity, rate_cents, amount_cents, description FROM invoice_lines WHERE invoice_id = ? ORDER BY id').all(invoiceId);
  const links = store.db.prepare('SELECT line_id, time_entry_id, hour_type, centi_hours FROM invoice_line_time_entries WHERE invoice_id = ? ORDER BY time_entry_id, hour_type').all(invoiceId);
  return JSON.stringify({ inv, lines, links });
}

type Op =
  | { op: 'approve'; a: number; d: number; reg: number; ot: number }
  | { op: 'rate'; a: number; d: number; bill: number; ot: boolean }
  | { op: 'draft'; d: number }
  | { op: 'issue'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('approve' as const), a: fc.nat(2), d: fc.nat(20), reg: fc.integer({ min: 0, max: 32 }).map((q) => q / 4), ot: fc.constantFrom(0, 0, 1.5, 2.25) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rate' as const), a: fc.nat(2), d: fc.nat(20), bill: fc.integer({ min: 1_000, max: 9_999 }), ot: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('draft' as const), d: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('issue' as const), pick: fc.nat(10) }) },
);

let t: TempStore;
beforeEach(() => {
  t = openTempStore();
});
afterEach(() => t.dispose());

describe('drafting and issuing invoices', () => {
  it('never bills an hour twice, never changes an issued invoice, totals are the sum of lines (random sequences)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 40 }), async (ops) => {
        t.dispose();
        t = openTempStore();
        const store = t.store;
        await seedClient(store);
        // asg-1 and asg-2 bill overtime from the start, asg-3 not (held until a rate op gives it one).
        await addRate(store, 'asg-1', '2026-03-01', 3000, 4500);
        await addRate(store, 'asg-2', '2026-03-01', 3333, 4999);
        await addRate(store, 'asg-3', '2026-03-01', 2750, null);
        const issued = new Map<string, string>();
        for (const o of ops) {
          if (o.op === 'approve') await approve(store, ASSIGNMENTS[o.a] ?? 'asg-1', DATES[o.d] ?? '2026-03-02', o.reg, o.ot);
          else if (o.op === 'rate') await addRate(store, ASSIGNMENTS[o.a] ?? 'asg-1', DATES[o.d] ?? '2026-03-02', o.bill, o.ot ? Math.round(o.bill * 1.5) : null);
          else if (o.op === 'draft') {
            await draft(store, DATES[o.d] ?? '2026-03-02').catch((err: unknown) => {
              // The only refusal drafting may answer here: nothing left to bill.
              if (!(err instanceof RefusedError && /no approved time left/.test(err.message))) throw err;
            });
          } else {
            const drafts = await store.repos.invoicing.list({ issued: false, limit: 100 });
            const target = drafts[o.pick % Math.max(drafts.length, 1)];
            if (!target) continue;
            const outcome = await issue(store, target.invoiceId).then(() => 'issued', (err: unknown) => err);
            if (outcome === 'issued') {
              expect(target.held).toEqual([]);
              issued.set(target.invoiceId, snapshot(store, target.invoiceId));
              await expect(issue(store, target.invoiceId)).rejects.toThrow(/is already issued/);
            } else {
              expect(outcome).toBeInstanceOf(RefusedError);
              expect(target.held.length > 0 || /bills no time/.test(String(outcome))).toBe(true);
            }
          }
          // Issued invoices never change, whatever happens after.
          for (const [invoiceId, snap] of issued) expect(snapshot(store, invoiceId)).toBe(snap);
        }
        // Each hour type of each entry is billed at most once, and the billed hours are the entry's.
        const billed = store.db.prepare(
          `SELECT l.time_entry_id AS id, l.hour_type AS type, sum(l.centi_hours) AS billed, count(*) AS n,
             round(CASE l.hour_type WHEN 'regular' THEN te.regular_hours WHEN 'overtime' THEN te.overtime_hours ELSE te.double_time_hours END * 100) AS hours
           FROM invoice_line_time_entries l JOIN time_entries te ON te.id = l.time_entry_id GROUP BY l.time_entry_id, l.hour_type`,
        ).all() as Array<{ id: string; type: string; billed: number; n: number; hours: number }>;
        for (const b of billed) {
          expect(b.n).toBe(1);
          expect(b.billed).toBe(b.hours);
        }
        // Totals are the sum of lines, to the cent; issued invoices' entries are invoiced.
        const totals = store.db.prepare('SELECT i.id, i.total_cents AS total, coalesce((SELECT sum(amount_cents) FROM invoice_lines l WHERE l.invoice_id = i.id), 0) AS sum FROM invoices i').all() as Array<{ total: number; sum: number }>;
        for (const row of totals) expect(row.total).toBe(row.sum);
        const notInvoiced = store.db.prepare(`SELECT count(*) FROM invoice_line_time_entries l JOIN hub_invoices h ON h.invoice_id = l.invoice_id JOIN time_entries te ON te.id = l.time_entry_id WHERE h.issued_at IS NOT NULL AND te.status <> 'invoiced'`).pluck().get();
        expect(notInvoiced).toBe(0);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('refuses any write to an issued invoice, its lines or its links, in the store itself', async () => {
    const store = t.store;
    await seedClient(store);
    await addRate(store, 'asg-1', '2026-03-01', 3000, null);
    await approve(store, 'asg-1', '2026-03-03', 8, 0);
    const { invoiceId } = await draft(store, '2026-03-03');
    await issue(store, invoiceId);
    const line = store.db.prepare('SELECT id FROM invoice_lines WHERE invoice_id = ?').pluck().get(invoiceId) as string;
    const attempts = [
      `UPDATE invoices SET total_cents = 1 WHERE id = '${invoiceId}'`,
      `UPDATE invoices SET status = 'draft' WHERE id = '${invoiceId}'`,
      `DELETE FROM invoices WHERE id = '${invoiceId}'`,
      `UPDATE invoice_lines SET amount_cents = 1 WHERE id = '${line}'`,
      `DELETE FROM invoice_lines WHERE id = '${line}'`,
      `INSERT INTO invoice_lines (id, created_at, updated_at, invoice_id, kind, quantity, rate_cents, amount_cents) VALUES ('x', '', '', '${invoiceId}', 'fee', 1, 1, 1)`,
      `DELETE FROM invoice_line_time_entries WHERE invoice_id = '${invoiceId}'`,
      `UPDATE hub_invoices SET held = '[]' WHERE invoice_id = '${invoiceId}'`,
    ];
    for (const sql of attempts) expect(() => store.db.exec(sql), sql).toThrow(/issued/);
    // Its status may still move on (paid), nothing else.
    store.db.exec(`UPDATE invoices SET status = 'paid' WHERE id = '${invoiceId}'`);
    // The same time cannot be drafted again: nothing is left to bill.
    await expect(draft(store, '2026-03-03')).rejects.toThrow(/no approved time left to bill/);
  });

  it('holds hours without a rate: the draft names them and cannot be issued until a rate exists and it is drafted again', async () => {
    const store = t.store;
    await seedClient(store);
    await addRate(store, 'asg-1', '2026-03-05', 3000, null);
    await approve(store, 'asg-1', '2026-03-03', 8, 0);
    await approve(store, 'asg-1', '2026-03-05', 7.5, 1.25);
    const first = await draft(store, '2026-03-04');
    expect(first.result.lines.map((l) => [l.kind, l.centiHours, l.amountCents])).toEqual([['regular', 750, 22_500]]);
    expect(first.result.held.map((h) => h.reason)).toEqual([
      'assignment asg-1: regular hours on 2026-03-03: no bill rate in effect',
      'assignment asg-1: overtime hours on 2026-03-05: the rate from 2026-03-05 has no overtime bill rate',
    ]);
    await expect(issue(store, first.invoiceId)).rejects.toThrow(/cannot be issued: 2 line\(s\) held for a missing bill rate — assignment asg-1: regular hours on 2026-03-03/);
    await addRate(store, 'asg-1', '2026-03-01', 2800, 4200);
    const again = await draft(store, '2026-03-04');
    expect(again).toMatchObject({ invoiceId: first.invoiceId, redrafted: true });
    // The rate from 03-01 covers 03-03 (and its OT); 03-05 keeps its own rate, whose OT is still missing.
    expect(again.result.held.map((h) => h.reason)).toEqual(['assignment asg-1: overtime hours on 2026-03-05: the rate from 2026-03-05 has no overtime bill rate']);
    await addRate(store, 'asg-1', '2026-03-05', 3000, 4500);
    const third = await draft(store, '2026-03-04');
    expect(third.result.held).toEqual([]);
    expect(third.result.totalCents).toBe(800 * 28 + 750 * 30 + lineOt(125, 4500));
    await expect(issue(store, first.invoiceId)).resolves.toMatchObject({ timeEntries: 2 });
    const events = await store.repos.events.forRecord('invoice', first.invoiceId);
    expect(events.map((e) => [e.type, e.clientId])).toEqual([['invoice.issued', 'cli-1']]);
  });

  it('catches up late time on adjustment lines of the next invoice, skips time an imported invoice bills, refuses clients invoiced by import', async () => {
    const store = t.store;
    await seedClient(store);
    await addRate(store, 'asg-1', '2026-03-01', 3000, null);
    await approve(store, 'asg-1', '2026-03-03', 8, 0);
    const week1 = await draft(store, '2026-03-03');
    await issue(store, week1.invoiceId);
    await approve(store, 'asg-1', '2026-03-04', 4, 0); // approved late, after week 1 was issued
    await approve(store, 'asg-1', '2026-03-10', 8, 0);
    const week2 = await draft(store, '2026-03-10');
    expect(week2.result.lines.map((l) => [l.kind, l.centiHours, l.description])).toEqual([
      ['adjustment', 400, 'Adjustment: regular hours 2026-03-04'],
      ['regular', 800, 'regular hours 2026-03-10'],
    ]);
    // A time entry an imported invoice line names (billing's CSV) is never drafted by the hub.
    await approve(store, 'asg-1', '2026-03-11', 6, 0);
    const named = store.db.prepare("SELECT id FROM time_entries WHERE work_date = '2026-03-11'").pluck().get() as string;
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('invoice', [{ id: 'imp-1', changedAt: null, fields: { clientId: 'cli-1', number: 'BILL-77', issueDate: '2026-03-12', dueDate: null, periodStart: null, periodEnd: null, status: 'issued', totalCents: 16_800, currency: 'USD' } }], NOW);
      await tx.canonical.insertMany('invoice_line', [{ id: 'imp-1-1', changedAt: null, fields: { invoiceId: 'imp-1', assignmentId: 'asg-1', timeEntryId: named, kind: 'regular', description: null, quantity: 6, rateCents: 2800, amountCents: 16_800 } }], NOW);
    });
    const redraft = await draft(store, '2026-03-10');
    expect(redraft.result.lines.flatMap((l) => l.entries.map((e) => e.timeEntryId))).not.toContain(named);
    expect(redraft.result.totalCents).toBe(week2.result.totalCents);
    const imported = { source: 'hub' as const, clients: { 'cli-1': 'import' as const } };
    await expect(store.unitOfWork((tx) => draftInvoice(tx, { clientId: 'cli-1', date: '2026-03-10', actor: 'x', now: NOW, settings: imported }))).rejects.toThrow(/invoiced from its billing system/);
  });
});

function lineOt(centiHours: number, rate: number): number {
  return Math.round((centiHours * rate) / 100);
}
