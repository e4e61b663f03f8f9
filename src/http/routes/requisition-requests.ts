import { z } from 'zod';
import { loadAccess, rolesAt, type Access } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import { Id, RequestFields, TemplateField, type RequestStatus } from '../../model/index.ts';
import { createRequest, moveRequest, RequestInvalidError } from '../../requisitions/lifecycle.ts';
import type { Repos, RequisitionRequestRow } from '../../store/index.ts';
import { principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';

const CreateBody = RequestFields.extend({ worksiteId: Id });
/** Each field: a new value, or null to clear it. */
const r = RequestFields.shape;
const UpdateBody = z.strictObject({
  title: r.title.unwrap().nullable().optional(),
  employmentType: r.employmentType.unwrap().nullable().optional(),
  shift: r.shift.unwrap().nullable().optional(),
  startDate: r.startDate.unwrap().nullable().optional(),
  endDate: r.endDate.unwrap().nullable().optional(),
  openings: r.openings.unwrap().nullable().optional(),
  billRateMinCents: r.billRateMinCents.unwrap().nullable().optional(),
  billRateMaxCents: r.billRateMaxCents.unwrap().nullable().optional(),
});
const Comment = z.string().trim().min(1).max(1000);
const MoveBody = z.strictObject({ comment: Comment.optional() });
const StatusBody = z.strictObject({ to: z.enum(['open', 'on_hold', 'filled', 'cancelled']), comment: Comment.optional() });
const TemplateBody = z.strictObject({
  clientId: Id,
  required: z.array(TemplateField).max(6).meta({ description: 'fields a request must have before submit: position, worksite, shift, startDate, headcount, billRateRange' }),
  requiresApproval: z.boolean().meta({ description: "a submitted request waits for an approver of the client's worksite" }),
});

const RequestView = z.strictObject({
  id: z.string(), clientId: z.string(), worksiteId: z.string(), requestedById: z.string(), status: z.string(), fields: z.record(z.string(), z.unknown()),
  requisitionId: z.string().nullable(), revision: z.number(), createdAt: z.string(), updatedAt: z.string(),
  history: z.array(z.strictObject({ at: z.string(), actor: z.string(), fromStatus: z.string().nullable(), toStatus: z.string(), comment: z.string().nullable() })),
});
const TemplateView = z.strictObject({ clientId: z.string(), required: z.array(z.string()), requiresApproval: z.boolean(), updatedAt: z.string().nullable() });

/** A contact sees a request at a worksite where it holds a role; staff where they are granted. */
function canSee(access: Access, row: RequisitionRequestRow): boolean {
  return access.everything || access.worksites.has(row.worksiteId) || access.adminClients.has(row.clientId);
}

/** Requesters (and client admins) move a client's requests; staff move any they see. */
function mayRequest(access: Access, principal: Principal, worksiteId: string, clientId: string): boolean {
  return principal.kind !== 'contact' || rolesAt(access, worksiteId).has('requester') || access.adminClients.has(clientId);
}

/**
 * The requisition lifecycle in the portal (src/requisitions): draft → submitted → approved (by the
 * client's approver when its template requires it) → open (pushed to the ATS) → on hold | filled |
 * cancelled, with history; request templates per client, defined by ops.
 */
export function registerRequisitionRequests(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  const view = async (tx: Repos, row: RequisitionRequestRow) => ({ ...row, fields: { ...row.fields }, history: await tx.requisitionRequests.history(row.id) });
  const visible = async (tx: Repos, access: Access, id: string) => {
    const row = await tx.requisitionRequests.get(id);
    if (!row || !canSee(access, row)) throw new ApiError('not_found', `requisition request ${id} not found`);
    return row;
  };
  const move = async (principal: Principal, id: string, to: RequestStatus, comment: string | undefined, authorise: (access: Access, row: RequisitionRequestRow) => void) =>
    store.unitOfWork(async (tx) => {
      const at = now();
      const access = await loadAccess(tx, principal, at);
      const row = await visible(tx, access, id);
      authorise(access, row);
      try {
        const after = await moveRequest(tx, policy, { id, to, actor: actorOf(principal), now: at, ...(comment === undefined ? {} : { comment }) });
        return { data: await view(tx, after) };
      } catch (err) {
        if (err instanceof RequestInvalidError) throw new ApiError('invalid', err.message, err.errors.map((e) => ({ path: `fields.${e.path}`, message: e.message })));
        throw err;
      }
    });
  const requester = (principal: Principal) => (access: Access, row: RequisitionRequestRow) => {
    if (!mayRequest(access, principal, row.worksiteId, row.clientId)) throw new ApiError('forbidden', `you are not a requester at worksite ${row.worksiteId}`);
  };

  api.route({
    method: 'post',
    path: '/api/v1/requisition-templates',
    operationId: 'putRequisitionTemplate',
    summary: "Set a client's request template: required fields and whether approval is needed",
    tag: 'portal',
    access: 'requisition.templates',
    body: TemplateBody,
    errors: ['not_found'],
    responses: { 200: { description: 'the template', schema: z.strictObject({ data: TemplateView }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const data = await store.unitOfWork(async (tx) => {
        const at = now();
        const access = await loadAccess(tx, principal, at);
        const client = await tx.canonical.get('client', body.clientId);
        if (!client || (!access.everything && !access.adminClients.has(body.clientId))) throw new ApiError('not_found', `client ${body.clientId} not found`);
        const required = [...new Set(body.required)];
        await tx.requisitionRequests.putTemplate({ clientId: body.clientId, required, requiresApproval: body.requiresApproval, updatedAt: at, updatedBy: actorOf(principal) });
        return { clientId: body.clientId, required, requiresApproval: body.requiresApproval, updatedAt: at };
      });
      return c.json({ data });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/requisition-templates/:id',
    operationId: 'getRequisitionTemplate',
    summary: "A client's request template (id: the client's); the default when ops set none",
    tag: 'portal',
    access: 'records.read',
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the template', schema: z.strictObject({ data: TemplateView }) } },
    handler: async ({ params }, c) => {
      const access = await loadAccess(store.repos, principalOf(c), now());
      if (!access.everything && !access.clients.has(params.id)) throw new ApiError('not_found', `client ${params.id} not found`);
      const t = await store.repos.requisitionRequests.template(params.id);
      return c.json({ data: { clientId: params.id, required: t?.required ?? [], requiresApproval: t?.requiresApproval ?? false, updatedAt: t?.updatedAt ?? null } });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/requisition-requests',
    operationId: 'createRequisitionRequest',
    summary: 'Draft a requisition request at a worksite (the requester is the authenticated contact)',
    description: 'Fields may be incomplete while a draft; the client template is checked on submit. 422 when the worksite is not one the caller sees, 403 without the requester role there.',
    tag: 'portal',
    access: 'requisition.manage',
    body: CreateBody,
    errors: ['forbidden', 'invalid'],
    responses: { 201: { description: 'the draft', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (principal.kind !== 'contact') throw new ApiError('forbidden', 'requisition requests are made by a contact of the client');
      const { worksiteId, ...fields } = body;
      const out = await store.unitOfWork(async (tx) => {
        const at = now();
        const access = await loadAccess(tx, principal, at);
        const worksite = await tx.canonical.get('worksite', worksiteId);
        if (!worksite || worksite.deletedAt !== null || !(access.worksites.has(worksiteId) || access.adminClients.has(String(worksite.fields['clientId'])))) {
          throw new ApiError('invalid', `worksite ${worksiteId} not found`);
        }
        const clientId = String(worksite.fields['clientId']);
        if (!mayRequest(access, principal, worksiteId, clientId)) throw new ApiError('forbidden', `you are not a requester at worksite ${worksiteId}`);
        const row = await createRequest(tx, { clientId, worksiteId, requestedById: principal.id, fields, actor: actorOf(principal), now: at });
        return { data: await view(tx, row) };
      });
      c.header('Location', `/api/v1/requisition-requests/${out.data.id}`);
      return c.json(out, 201);
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/requisition-requests/:id',
    operationId: 'getRequisitionRequest',
    summary: 'A requisition request with its history (who, when, from, to)',
    tag: 'portal',
    access: 'records.read',
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the request', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ params }, c) => {
      const access = await loadAccess(store.repos, principalOf(c), now());
      return c.json({ data: await view(store.repos, await visible(store.repos, access, params.id)) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/requisition-requests/:id',
    operationId: 'updateRequisitionRequest',
    summary: "Change a draft's fields (the ones given; null clears one); 409 once it is submitted",
    tag: 'portal',
    access: 'requisition.manage',
    params: IdParam,
    body: UpdateBody,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'the draft', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(
        await store.unitOfWork(async (tx) => {
          const at = now();
          const access = await loadAccess(tx, principal, at);
          const row = await visible(tx, access, params.id);
          requester(principal)(access, row);
          const next: Record<string, unknown> = { ...row.fields };
          for (const [k, v] of Object.entries(body)) {
            if (v === null) delete next[k];
            else next[k] = v;
          }
          // Each merged field was valid where it came from (stored draft or this body).
          const fields = RequestFields.parse(next);
          if (!(await tx.requisitionRequests.updateDraft(row.id, fields, at))) throw new ApiError('refused', `the request is ${row.status}: only a draft's fields change`);
          const after = await tx.requisitionRequests.get(row.id);
          if (!after) throw new ApiError('not_found', `requisition request ${row.id} not found`);
          return { data: await view(tx, after) };
        }),
      );
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/requisition-requests/:id/submit',
    operationId: 'submitRequisitionRequest',
    summary: "Submit a draft: checked against the client's template; opens at once when the client needs no approval",
    description: '422 with one detail per missing or inconsistent field; 409 naming the state when it is not a draft.',
    tag: 'portal',
    access: 'requisition.manage',
    params: IdParam,
    body: MoveBody,
    bodyOptional: true,
    errors: ['not_found', 'forbidden', 'refused', 'invalid'],
    responses: { 200: { description: 'the request after the move', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(await move(principal, params.id, 'submitted', body.comment, requester(principal)));
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/requisition-requests/:id/approve',
    operationId: 'approveRequisitionRequest',
    summary: "Approve a submitted request (an approver at its worksite, or the client's admin): it opens and goes to the ATS",
    tag: 'portal',
    access: 'requisition.approve',
    params: IdParam,
    body: MoveBody,
    bodyOptional: true,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'the request after the move', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(
        await move(principal, params.id, 'approved', body.comment, (access, row) => {
          if (!rolesAt(access, row.worksiteId).has('approver') && !access.adminClients.has(row.clientId)) throw new ApiError('forbidden', `you are not an approver at worksite ${row.worksiteId}`);
        }),
      );
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/requisition-requests/:id/status',
    operationId: 'moveRequisitionRequest',
    summary: 'Put an open request on hold, reopen it, mark it filled, or cancel it',
    description: 'After opening, the move reaches the ATS through the outbox. 409 naming the state when the move is not allowed from it.',
    tag: 'portal',
    access: 'requisition.manage',
    params: IdParam,
    body: StatusBody,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'the request after the move', schema: z.strictObject({ data: RequestView }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(await move(principal, params.id, body.to, body.comment, requester(principal)));
    },
  });
}
