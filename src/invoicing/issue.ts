import { applyLocalChange, RefusedError, type SyncPolicy } from '../engine/index.ts';
import type { Repos } from '../store/index.ts';

export interface IssueRequest {
  readonly invoiceId: string;
  readonly actor: string;
  readonly now: string;
}

export interface IssueOutcome {
  readonly invoiceId: string;
  readonly number: string;
  readonly timeEntries: number;
  readonly eventSeq: number;
}

/**
 * Issues a hub draft, in the caller's unit of work: refused when it holds lines for a missing rate
 * or was issued already (one issue: a second answers 409 naming the first), else the invoice becomes
 * `issued` (frozen from then on by the store's triggers), each time entry it bills becomes `invoiced`
 * with its history line, and `invoice.issued` is appended for notifications.
 */
export async function issueInvoice(tx: Repos, policy: SyncPolicy, req: IssueRequest): Promise<IssueOutcome> {
  const invoice = await tx.canonical.get('invoice', req.invoiceId);
  const hub = await tx.invoicing.get(req.invoiceId);
  if (!invoice || invoice.deletedAt !== null) throw new RefusedError(`invoice ${req.invoiceId} not found`, 'not_found');
  const number = String(invoice.fields['number']);
  if (!hub) throw new RefusedError(`invoice ${number} was imported (status ${String(invoice.fields['status'])}); only invoices the hub drafted are issued here`, 'refused');
  if (hub.issuedAt !== null) throw new RefusedError(`invoice ${number} is already issued (at ${hub.issuedAt} by ${hub.issuedBy ?? 'unknown'})`, 'refused');
  if (hub.held.length > 0) {
    throw new RefusedError(`invoice ${number} cannot be issued: ${hub.held.length} line(s) held for a missing bill rate — ${hub.held.map((h) => h.reason).join('; ')}. Add the rate and draft again.`, 'refused');
  }
  const entryIds = await tx.invoicing.timeEntryIds(req.invoiceId);
  if (entryIds.length === 0) throw new RefusedError(`invoice ${number} bills no time: nothing to issue`, 'refused');

  const today = req.now.slice(0, 10);
  await tx.canonical.updateMany('invoice', [{ id: invoice.id, fields: { ...invoice.fields, status: 'issued', issueDate: today }, changedAt: req.now }], req.now);
  if (!(await tx.invoicing.markIssued(invoice.id, req.now, req.actor))) throw new RefusedError(`invoice ${number} is already issued`, 'refused');
  await tx.ledger.appendMany([
    {
      at: req.now, direction: 'local', system: 'portal', entity: 'invoice', canonicalId: invoice.id, externalId: null, action: 'transition', outcome: 'applied',
      diff: [{ field: 'status', from: 'draft', to: 'issued', result: 'applied' }], reason: `issued ${number}`, sourceModifiedAt: null, actor: req.actor, runId: null, jobId: null,
    },
  ]);
  for (const id of entryIds) {
    // Billing does not wait for payroll: approved → invoiced is a legal move (decision 0016). The
    // hub's invoicing decides this status, whoever owns the entry's other fields.
    await applyLocalChange(tx, policy, { entity: 'time_entry', canonicalId: id, changes: { status: 'invoiced' }, actor: req.actor, comment: `invoiced on ${number}`, overrideOwnership: true }, req.now);
  }
  const eventSeq = await tx.events.append({
    type: 'invoice.issued', entity: 'invoice', canonicalId: invoice.id, clientId: String(invoice.fields['clientId']), worksiteId: null, actor: req.actor,
    data: { number, periodStart: hub.periodStart, periodEnd: hub.periodEnd, issueDate: today }, at: req.now,
  });
  return { invoiceId: invoice.id, number, timeEntries: entryIds.length, eventSeq };
}
