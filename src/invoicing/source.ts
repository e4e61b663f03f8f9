/**
 * Where a client's invoices come from: drafted by the hub from approved time (`hub`), or imported
 * from billing's CSV files or a billing system of record (`import`). One source per client, so the
 * two never bill the same time; the hub also skips any time entry an imported line names.
 */
export type InvoiceSource = 'hub' | 'import';

/** The `invoicing` section of the configuration. */
export interface InvoicingSettings {
  /** For clients not listed. @defaultValue 'hub' */
  readonly source: InvoiceSource;
  /** Client id → its source. */
  readonly clients: Readonly<Record<string, InvoiceSource>>;
}

export const DEFAULT_INVOICING: InvoicingSettings = { source: 'hub', clients: {} };

export function invoiceSourceOf(settings: InvoicingSettings, clientId: string): InvoiceSource {
  return settings.clients[clientId] ?? settings.source;
}
