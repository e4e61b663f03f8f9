import type { HeldLine, HourType } from '../model/index.ts';
import type { CanonicalRow, Repos } from '../store/index.ts';

export interface InvoiceLineView {
  readonly id: string;
  readonly assignmentId: string | null;
  readonly kind: string;
  readonly description: string | null;
  readonly quantity: number;
  /** The bill rate (never a pay rate: invoices hold none). */
  readonly rateCents: number;
  readonly amountCents: number;
  /** The time entry hours this line bills: where each figure comes from. */
  readonly timeEntries: ReadonlyArray<{ readonly timeEntryId: string; readonly hourType: HourType | null; readonly hours: number }>;
}

export interface InvoiceView {
  readonly id: string;
  readonly number: string;
  readonly clientId: string;
  readonly status: string;
  readonly issueDate: string;
  readonly dueDate: string | null;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly totalCents: number;
  readonly currency: string;
  /** `hub`: drafted here from approved time; `import`: from billing's files or system. */
  readonly source: 'hub' | 'import';
  readonly draftedAt: string | null;
  readonly issuedAt: string | null;
  /** Hours not billed for a missing rate (drafts only; staff only). */
  readonly held?: readonly HeldLine[];
  readonly lines: readonly InvoiceLineView[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** An invoice row as the API shows it, with its lines and their time entry links. */
export async function invoiceView(tx: Repos, invoice: CanonicalRow, options: { readonly internal: boolean }): Promise<InvoiceView> {
  const hub = await tx.invoicing.get(invoice.id);
  const lines = (await tx.canonical.list('invoice_line', { where: { invoiceId: invoice.id }, limit: 100_000 })).sort(
    (a, b) => String(a.fields['assignmentId']).localeCompare(String(b.fields['assignmentId'])) || a.id.localeCompare(b.id),
  );
  const links = await tx.invoicing.linksOf(invoice.id);
  const f = invoice.fields;
  return {
    id: invoice.id, number: String(f['number']), clientId: String(f['clientId']), status: String(f['status']), issueDate: String(f['issueDate']),
    dueDate: str(f['dueDate']), periodStart: str(f['periodStart']), periodEnd: str(f['periodEnd']), totalCents: num(f['totalCents']),
    currency: String(f['currency']), source: hub ? 'hub' : 'import', draftedAt: hub?.draftedAt ?? null, issuedAt: hub?.issuedAt ?? null,
    ...(options.internal && hub ? { held: hub.held } : {}),
    lines: lines.map((l) => {
      const own = str(l.fields['timeEntryId']);
      const traced = links.get(l.id)?.map((k) => ({ timeEntryId: k.timeEntryId, hourType: k.hourType, hours: k.centiHours / 100 }));
      return {
        id: l.id, assignmentId: str(l.fields['assignmentId']), kind: String(l.fields['kind']), description: str(l.fields['description']),
        quantity: num(l.fields['quantity']), rateCents: num(l.fields['rateCents']), amountCents: num(l.fields['amountCents']),
        timeEntries: traced ?? (own === null ? [] : [{ timeEntryId: own, hourType: null, hours: num(l.fields['quantity']) }]),
      };
    }),
  };
}
