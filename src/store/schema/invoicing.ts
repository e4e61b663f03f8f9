import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { invoices, timeEntries } from './canonical.ts';

/**
 * Invoices the hub drafts from approved time (src/invoicing). The invoice and its lines are the
 * canonical `invoices` / `invoice_lines` rows (so the policy, the records API and the invoice
 * register see them like imported ones); these tables add what drafting needs.
 */

/**
 * One row per invoice the hub drafted: its client and billing period, who drafted and issued it,
 * and the lines held for a missing rate. Once `issued_at` is set, triggers in the migration refuse
 * any change to the invoice's amounts, its lines and their time entry links.
 */
export const hubInvoices = sqliteTable(
  'hub_invoices',
  {
    invoiceId: text('invoice_id').primaryKey().references(() => invoices.id),
    clientId: text('client_id').notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    draftedAt: text('drafted_at').notNull(),
    draftedBy: text('drafted_by').notNull(),
    issuedAt: text('issued_at'),
    issuedBy: text('issued_by'),
    /** JSON array of HeldLine (model/invoicing.ts): an invoice with any cannot be issued. */
    held: text('held').notNull().default('[]'),
  },
  // At most one open draft per client and period: drafting again replaces it.
  (t) => [uniqueIndex('hub_invoices_one_draft').on(t.clientId, t.periodStart).where(sql`issued_at IS NULL`)],
);

/**
 * Which time entry hours each line bills. The unique (time entry, hour type) is the hub's guarantee
 * against double billing: an hour type of a time entry is on at most one line of one invoice, ever.
 */
export const invoiceLineTimeEntries = sqliteTable(
  'invoice_line_time_entries',
  {
    // No foreign keys on the line and invoice ids: the hub writes both with the link in one unit of
    // work, and each key check costs the drafting hot path (bench invoice) a B-tree probe per row.
    lineId: text('line_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    timeEntryId: text('time_entry_id').notNull().references(() => timeEntries.id),
    hourType: text('hour_type').notNull(),
    /** Hours in hundredths, signed (an adjustment may take hours back). */
    centiHours: integer('centi_hours').notNull(),
  },
  // Lines' links are read per invoice and grouped by line in memory: no index on line_id.
  (t) => [uniqueIndex('invoice_line_time_entries_once').on(t.timeEntryId, t.hourType), index('invoice_line_time_entries_invoice').on(t.invoiceId)],
);
