import { RefusedError } from '../engine/index.ts';
import { newId } from '../lib/ids.ts';
import { BillingFrequency, billingPeriod, draftLines, type BillingPeriod, type DraftResult } from '../model/index.ts';
import type { DraftLineRow, FieldMap, LineLink, Repos } from '../store/index.ts';
import { invoiceSourceOf, type InvoicingSettings } from './source.ts';

export interface DraftRequest {
  readonly clientId: string;
  /** Any date in the billing period to draft (the client's frequency decides the period). */
  readonly date: string;
  /** `user:<id>`, `service:<key>`, `cli:<name>`. */
  readonly actor: string;
  readonly now: string;
  readonly settings: InvoicingSettings;
}

export interface DraftOutcome {
  readonly invoiceId: string;
  readonly number: string;
  readonly period: BillingPeriod;
  /** True when an open draft of the period was replaced. */
  readonly redrafted: boolean;
  readonly result: DraftResult;
  /** Time entry hours the lines bill (one per hour type of an entry). */
  readonly linked: number;
}

/**
 * Drafts the invoice of a client's billing period from its billable time, or drafts its open draft
 * again (new approvals, a rate added for held hours). Runs in the caller's unit of work: the read of
 * billable time and the links that claim it commit together, and the unique link index makes a
 * second claim of the same hours fail rather than bill them twice.
 */
export async function draftInvoice(tx: Repos, req: DraftRequest): Promise<DraftOutcome> {
  const client = await tx.canonical.get('client', req.clientId);
  if (!client || client.deletedAt !== null) throw new RefusedError(`client ${req.clientId} not found`, 'not_found');
  if (invoiceSourceOf(req.settings, client.id) !== 'hub') {
    throw new RefusedError(`client ${client.id} is invoiced from its billing system (config invoicing.clients): the hub does not draft its invoices`, 'refused');
  }
  // Unset (or a value this version does not know) bills weekly.
  const frequency = BillingFrequency.safeParse(client.fields['billingFrequency']);
  const period = billingPeriod(frequency.success ? frequency.data : null, req.date);
  const existing = await tx.invoicing.openDraft(client.id, period.start);
  const billable = await tx.invoicing.billableTime(client.id, period.end, existing?.invoiceId ?? null);
  const rates = await tx.invoicing.ratesOfClient(client.id);
  const result = draftLines(billable, rates, period.start);
  if (result.lines.length === 0 && result.held.length === 0 && !existing) {
    throw new RefusedError(`client ${client.id} has no approved time left to bill up to ${period.end}`, 'refused');
  }

  const today = req.now.slice(0, 10);
  const invoiceId = existing?.invoiceId ?? newId();
  const number = existing ? String((await tx.canonical.get('invoice', invoiceId))?.fields['number']) : `INV-${period.start.replaceAll('-', '')}-${invoiceId.slice(-8).toUpperCase()}`;
  const fields: FieldMap = {
    clientId: client.id, number, issueDate: today, dueDate: null, periodStart: period.start, periodEnd: period.end,
    status: 'draft', totalCents: result.totalCents, currency: 'USD',
  };
  if (existing) {
    await tx.invoicing.clearDraftLines(invoiceId);
    await tx.canonical.updateMany('invoice', [{ id: invoiceId, fields, changedAt: req.now }], req.now);
    await tx.invoicing.redrafted(invoiceId, req.now, req.actor, result.held);
  } else {
    await tx.canonical.insertMany('invoice', [{ id: invoiceId, fields, changedAt: req.now }], req.now);
    await tx.invoicing.insert({ invoiceId, clientId: client.id, periodStart: period.start, periodEnd: period.end, draftedAt: req.now, draftedBy: req.actor, held: [...result.held] });
  }

  const lineRows: DraftLineRow[] = [];
  const links: LineLink[] = [];
  for (const line of result.lines) {
    const lineId = newId();
    lineRows.push({
      id: lineId, invoiceId, assignmentId: line.assignmentId, kind: line.kind, description: line.description,
      quantity: line.centiHours / 100, rateCents: line.rateCents, amountCents: line.amountCents,
    });
    for (const e of line.entries) links.push({ lineId, invoiceId, timeEntryId: e.timeEntryId, hourType: e.hourType, centiHours: e.centiHours });
  }
  await tx.invoicing.insertLines(lineRows, req.now);
  const linked = await tx.invoicing.link(links);
  await tx.ledger.appendMany([
    {
      at: req.now, direction: 'local', system: 'portal', entity: 'invoice', canonicalId: invoiceId, externalId: null,
      action: existing ? 'update' : 'create', outcome: 'applied',
      diff: [{ field: 'totalCents', from: null, to: result.totalCents, result: 'applied' }],
      reason: `drafted from approved time ${period.start}..${period.end}: ${result.lines.length} line(s), ${result.held.length} held`,
      sourceModifiedAt: null, actor: req.actor, runId: null, jobId: null,
    },
  ]);
  return { invoiceId, number, period, redrafted: existing !== null, result, linked };
}
