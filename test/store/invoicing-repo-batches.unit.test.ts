import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DraftLineRow, LineLink } from '../../src/store/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

/**
 * The invoice line and link writes go out as multi-row INSERTs: full batches, then the rest in
 * power-of-two chunks. Around every batch boundary each row is written once, exactly as given,
 * and the unique (time entry, hour type) still refuses a second claim of the same hours.
 */

const NOW = '2026-04-01T09:00:00.000Z';
const INVOICE = 'inv-1';
let t: TempStore;

beforeEach(async () => {
  t = openTempStore();
  await t.store.unitOfWork(async (tx) => {
    await tx.canonical.insertMany('client', [{ id: 'cli-1', changedAt: null, fields: { name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly', addressLine1: null, city: null, state: null, postalCode: null } }], NOW);
    await tx.canonical.insertMany('worksite', [{ id: 'ws-1', changedAt: null, fields: { clientId: 'cli-1', name: 'Dock 4', status: 'active', addressLine1: null, city: null, state: null, postalCode: null, timeZone: null } }], NOW);
    await tx.canonical.insertMany('candidate', [{ id: 'cand-1', changedAt: null, fields: { firstName: 'Ada', lastName: 'Quist', email: null, phone: null, city: null, state: null, status: 'placed', employeeType: 'w2' } }], NOW);
    await tx.canonical.insertMany('assignment', [{ id: 'asg-1', changedAt: null, fields: { candidateId: 'cand-1', requisitionId: null, worksiteId: 'ws-1', approverContactId: null, title: 'Picker', startDate: '2026-01-01', endDate: null, status: 'active' } }], NOW);
    await tx.canonical.insertMany('invoice', [{ id: INVOICE, changedAt: NOW, fields: { clientId: 'cli-1', number: 'INV-1', issueDate: '2026-04-01', dueDate: null, periodStart: '2026-03-01', periodEnd: '2026-03-31', status: 'draft', totalCents: 0, currency: 'USD' } }], NOW);
    await tx.invoicing.insert({ invoiceId: INVOICE, clientId: 'cli-1', periodStart: '2026-03-01', periodEnd: '2026-03-31', draftedAt: NOW, draftedBy: 'user:billing', held: [] });
  });
});

afterEach(() => t.dispose());

async function timeEntries(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `te-${String(i).padStart(5, '0')}`);
  await t.store.unitOfWork((tx) =>
    tx.canonical.insertMany('time_entry', ids.map((id) => ({
      id, changedAt: null,
      fields: { assignmentId: 'asg-1', workDate: '2026-03-02', regularHours: 8, overtimeHours: 1.5, doubleTimeHours: 0, status: 'approved', approvedById: null, approvedAt: NOW, note: null },
    })), NOW),
  );
  return ids;
}

describe('invoice lines and links in multi-row batches', () => {
  // 128 rows is one full batch; 333 = 2 full batches + 64 + 8 + 4 + 1.
  it.each([1, 127, 128, 129, 333])('writes %i lines and twice as many links, each once and as given', async (n) => {
    const entries = await timeEntries(n);
    const lines: DraftLineRow[] = entries.map((_, i) => ({
      id: `line-${String(i).padStart(5, '0')}`, invoiceId: INVOICE, assignmentId: 'asg-1', kind: 'time', description: `line ${i}`,
      quantity: 8 + i / 100, rateCents: 2_500 + i, amountCents: 20_000 + i,
    }));
    const links: LineLink[] = entries.flatMap((te, i) => [
      { lineId: lines[i]?.id ?? '', invoiceId: INVOICE, timeEntryId: te, hourType: 'regular' as const, centiHours: 800 },
      { lineId: lines[i]?.id ?? '', invoiceId: INVOICE, timeEntryId: te, hourType: 'overtime' as const, centiHours: 150 + i },
    ]);
    const linked = await t.store.unitOfWork(async (tx) => {
      await tx.invoicing.insertLines(lines, NOW);
      return tx.invoicing.link(links);
    });

    expect(linked).toBe(2 * n);
    const storedLines = t.store.db
      .prepare('SELECT id, revision, created_at, updated_at, changed_at, invoice_id, assignment_id, time_entry_id, kind, description, quantity, rate_cents, amount_cents FROM invoice_lines ORDER BY id')
      .raw()
      .all();
    expect(storedLines).toEqual(lines.map((l) => [l.id, 1, NOW, NOW, NOW, l.invoiceId, l.assignmentId, null, l.kind, l.description, l.quantity, l.rateCents, l.amountCents]));
    const byLine = await t.store.repos.invoicing.linksOf(INVOICE);
    expect([...byLine.values()].flat().sort((a, b) => a.timeEntryId.localeCompare(b.timeEntryId) || a.hourType.localeCompare(b.hourType))).toEqual(
      [...links].sort((a, b) => a.timeEntryId.localeCompare(b.timeEntryId) || a.hourType.localeCompare(b.hourType)),
    );
  });

  it('refuses a second claim of hours already linked', async () => {
    const [te] = await timeEntries(1);
    const line: DraftLineRow = { id: 'line-1', invoiceId: INVOICE, assignmentId: 'asg-1', kind: 'time', description: 'line', quantity: 8, rateCents: 2_500, amountCents: 20_000 };
    const link: LineLink = { lineId: 'line-1', invoiceId: INVOICE, timeEntryId: te ?? '', hourType: 'regular', centiHours: 800 };
    await t.store.unitOfWork(async (tx) => {
      await tx.invoicing.insertLines([line], NOW);
      await tx.invoicing.link([link]);
    });
    await expect(t.store.unitOfWork((tx) => tx.invoicing.link([{ ...link, centiHours: 100 }]))).rejects.toThrow(/UNIQUE constraint failed/);
    expect(t.store.db.prepare('SELECT count(*) FROM invoice_line_time_entries').pluck().get()).toBe(1);
  });
});
