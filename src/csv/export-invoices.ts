import type { Writable } from 'node:stream';
import type { Store } from '../store/index.ts';
import type { InvoiceRegisterRow } from '../store/index.ts';
import type { Period } from './export-time.ts';
import { createCsvWriter, dollars } from './write.ts';

export const INVOICE_REGISTER_COLUMNS = ['Invoice #', 'Client', 'Client ID', 'Invoice Date', 'Due Date', 'Period Start', 'Period End', 'Status', 'Lines', 'Total', 'Currency'] as const;

/**
 * The invoice register: one row per invoice, by issue date then number, optionally only those
 * issued within a period. Amounts in dollars with two decimals, exactly.
 */
export async function exportInvoices(store: Store, options: { period?: Period; endOutput?: boolean }, out: Writable): Promise<{ rows: number }> {
  const writer = createCsvWriter(out, INVOICE_REGISTER_COLUMNS, { endOutput: options.endOutput ?? true });
  const page = 2000;
  let after: [string, string] | null = null;
  for (;;) {
    const rows: InvoiceRegisterRow[] = await store.repos.imports.invoiceRegister({
      ...(options.period ? { from: options.period.from, to: options.period.to } : {}),
      afterKey: after,
      limit: page,
    });
    for (const r of rows) {
      await writer.write([r.number, r.clientName, r.clientId, r.issueDate, r.dueDate, r.periodStart, r.periodEnd, r.status, r.lines, dollars(r.totalCents), r.currency]);
    }
    if (rows.length < page) break;
    const last = rows.at(-1) as InvoiceRegisterRow;
    after = [last.issueDate, last.number];
  }
  await writer.end();
  return { rows: writer.rows };
}
