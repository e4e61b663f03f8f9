import { z } from 'zod';
import { loadAccess, scopeOf, type Access } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { draftInvoice } from '../../invoicing/draft.ts';
import { issueInvoice } from '../../invoicing/issue.ts';
import { DEFAULT_INVOICING } from '../../invoicing/source.ts';
import { invoiceView } from '../../invoicing/view.ts';
import { Id, IsoDate } from '../../model/index.ts';
import type { Repos } from '../../store/index.ts';
import { principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam, Limit, QueryBool } from '../schemas/common.ts';

const DraftBody = z.strictObject({
  clientId: Id,
  date: IsoDate.meta({ description: "any date in the billing period to draft; the client's billing frequency (weekly when unset) decides the period" }),
});

const HeldLineView = z.strictObject({
  assignmentId: z.string(), hourType: z.string(), workDates: z.array(z.string()), centiHours: z.number(), reason: z.string(), timeEntryIds: z.array(z.string()),
});
const InvoiceLineView = z.strictObject({
  id: z.string(), assignmentId: z.string().nullable(), kind: z.string(), description: z.string().nullable(), quantity: z.number(),
  rateCents: z.number().meta({ description: 'the bill rate; invoices hold no pay rate' }), amountCents: z.number(),
  timeEntries: z.array(z.strictObject({ timeEntryId: z.string(), hourType: z.string().nullable(), hours: z.number() })),
});
const InvoiceViewSchema = z.strictObject({
  id: z.string(), number: z.string(), clientId: z.string(), status: z.string(), issueDate: z.string(), dueDate: z.string().nullable(),
  periodStart: z.string().nullable(), periodEnd: z.string().nullable(), totalCents: z.number(), currency: z.string(),
  source: z.enum(['hub', 'import']), draftedAt: z.string().nullable(), issuedAt: z.string().nullable(),
  held: z.array(HeldLineView).optional().meta({ description: 'staff only: hours not billed for a missing rate; an invoice with any cannot be issued' }),
  lines: z.array(InvoiceLineView),
});
const Summary = z.strictObject({
  id: z.string(), number: z.string(), clientId: z.string(), status: z.string(), periodStart: z.string().nullable(), periodEnd: z.string().nullable(),
  totalCents: z.number(), held: z.number(),
});

/** A client the caller invoices: visible to it with its invoices, else answered like a missing one. */
function requireBillingClient(access: Access, clientId: string): void {
  if (access.everything || access.billingClients.has(clientId)) return;
  throw new ApiError('not_found', `client ${clientId} not found`);
}

/**
 * Invoices drafted from approved time (src/invoicing): staff draft and issue; the client's billing
 * contacts read issued ones (the policy's invoice scope), never a draft, never a pay rate.
 */
export function registerInvoices(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;
  const settings = deps.invoicing ?? DEFAULT_INVOICING;

  const visibleInvoice = async (tx: Repos, access: Access, id: string) => {
    const row = await tx.canonical.getScoped('invoice', id, scopeOf(access, 'invoice'));
    if (!row || row.deletedAt !== null) throw new ApiError('not_found', `invoice ${id} not found`);
    return row;
  };

  api.route({
    method: 'post',
    path: '/api/v1/invoices/draft',
    operationId: 'draftInvoice',
    summary: "Draft (or draft again) a client's invoice for a billing period from its approved time",
    description:
      'One line per assignment × rate period × hour type, at the bill rate in effect on each work date; approved time from before the period not yet billed is caught up on adjustment lines. Hours without a rate are held and named (the invoice cannot be issued until a rate exists and it is drafted again). 409 when the client is invoiced from its billing system or has nothing to bill.',
    tag: 'billing',
    access: 'invoice.draft',
    body: DraftBody,
    errors: ['not_found', 'refused', 'invalid'],
    responses: { 200: { description: 'the draft', schema: z.strictObject({ data: InvoiceViewSchema, redrafted: z.boolean() }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const out = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, now());
        requireBillingClient(access, body.clientId);
        const drafted = await draftInvoice(tx, { clientId: body.clientId, date: body.date, actor: actorOf(principal), now: now(), settings });
        const row = await tx.canonical.get('invoice', drafted.invoiceId);
        if (!row) throw new Error(`invoice ${drafted.invoiceId} vanished inside its own unit of work`);
        return { data: await invoiceView(tx, row, { internal: true }), redrafted: drafted.redrafted };
      });
      c.header('Location', `/api/v1/invoices/${out.data.id}`);
      return c.json(out);
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/invoices/:id/issue',
    operationId: 'issueInvoice',
    summary: 'Issue a drafted invoice: once, and never with held lines',
    description:
      'The invoice becomes issued and never changes again; its time entries become invoiced; `invoice.issued` is appended for notifications. A second issue answers 409 naming the first; held lines answer 409 naming them.',
    tag: 'billing',
    access: 'invoice.issue',
    params: IdParam,
    errors: ['not_found', 'refused'],
    responses: { 200: { description: 'the issued invoice', schema: z.strictObject({ data: InvoiceViewSchema }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const data = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, now());
        const row = await visibleInvoice(tx, access, params.id);
        requireBillingClient(access, String(row.fields['clientId']));
        await issueInvoice(tx, policy, { invoiceId: row.id, actor: actorOf(principal), now: now() });
        const after = await tx.canonical.get('invoice', row.id);
        if (!after) throw new Error(`invoice ${row.id} vanished inside its own unit of work`);
        return invoiceView(tx, after, { internal: true });
      });
      return c.json({ data });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/invoices/:id',
    operationId: 'getInvoice',
    summary: 'An invoice with its lines and the time entry hours each line bills',
    description: "Staff see drafts and held lines; a client's billing contacts and admins see its issued invoices. Outside the caller's scope: 404.",
    tag: 'billing',
    access: 'records.read',
    audit: { action: 'invoice.read', targetType: 'invoice' },
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the invoice', schema: z.strictObject({ data: InvoiceViewSchema }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const access = await loadAccess(store.repos, principal, now());
      const row = await visibleInvoice(store.repos, access, params.id);
      return c.json({ data: await invoiceView(store.repos, row, { internal: access.internal }) });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/invoices',
    operationId: 'listInvoices',
    summary: 'Invoices the hub drafted, newest first',
    tag: 'billing',
    access: 'records.read',
    query: z.strictObject({ clientId: Id.optional(), issued: QueryBool.optional(), limit: Limit }),
    responses: { 200: { description: 'invoices', schema: z.strictObject({ data: z.array(Summary) }) } },
    handler: async ({ query }, c) => {
      const principal = principalOf(c);
      const access = await loadAccess(store.repos, principal, now());
      const rows = await store.repos.invoicing.list({ ...(query.clientId === undefined ? {} : { clientId: query.clientId }), ...(query.issued === undefined ? {} : { issued: query.issued }), limit: query.limit });
      const visible = await store.repos.canonical.getMany('invoice', rows.map((r) => r.invoiceId));
      const scope = scopeOf(access, 'invoice');
      const data = [];
      for (const r of rows) {
        const inv = scope === undefined ? visible.get(r.invoiceId) : await store.repos.canonical.getScoped('invoice', r.invoiceId, scope);
        if (!inv) continue;
        data.push({
          id: inv.id, number: String(inv.fields['number']), clientId: r.clientId, status: String(inv.fields['status']), periodStart: r.periodStart,
          periodEnd: r.periodEnd, totalCents: Number(inv.fields['totalCents']), held: access.internal ? r.held.length : 0,
        });
      }
      return c.json({ data });
    },
  });
}
