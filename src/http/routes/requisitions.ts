import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { Id, Requisition } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { loadAccess, rolesAt, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { principalOf } from '../caller.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';

const f = Requisition.shape;

/**
 * What a client may set when opening a requisition. Status (always `open`) and the pay rate (never
 * client-visible) are not fields here, so they cannot be smuggled in.
 */
const OpenRequisitionBody = z
  .strictObject({
    clientId: f.clientId.optional().meta({ description: 'the client of the worksite; checked when given' }),
    worksiteId: Id,
    title: f.title,
    employmentType: f.employmentType,
    openings: z.number().int().min(1).max(10_000),
    startDate: f.startDate.unwrap().optional(),
    endDate: f.endDate.unwrap().optional(),
    billRateCents: f.billRateCents.unwrap().optional(),
  })
  .refine((b) => b.endDate === undefined || b.startDate === undefined || b.endDate >= b.startDate, {
    message: 'endDate is before startDate',
    path: ['endDate'],
  });

export function registerRequisitions(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  api.route({
    method: 'post',
    path: '/api/v1/requisitions',
    operationId: 'openRequisition',
    summary: 'Open a requisition for a worksite of a client',
    description:
      'The requester is the authenticated contact: it must hold the requester role at the worksite (or be client_admin of its client); 422 when the worksite is not one the caller can see, 403 when it sees it without the role.',
    tag: 'portal',
    access: 'requisition.open',
    body: OpenRequisitionBody,
    errors: ['forbidden', 'refused', 'invalid'],
    responses: { 201: { description: 'the new requisition', schema: z.strictObject({ data: recordView('requisition'), outboxIds: z.array(z.string()) }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (principal.kind !== 'contact') throw new ApiError('forbidden', 'requisitions are opened by a contact of the client');
      const created = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, now());
        // A worksite outside the caller's scope is answered like a missing one.
        const worksite = await tx.canonical.getScoped('worksite', body.worksiteId, scopeOf(access, 'worksite'));
        if (!worksite || worksite.deletedAt !== null) throw new ApiError('invalid', `worksite ${body.worksiteId} not found`);
        const clientId = String(worksite.fields['clientId']);
        if (body.clientId !== undefined && body.clientId !== clientId) throw new ApiError('invalid', `worksite ${worksite.id} does not belong to client ${body.clientId}`);
        if (!rolesAt(access, worksite.id).has('requester')) throw new ApiError('forbidden', `you are not a requester at worksite ${worksite.id}`);

        const result = await applyLocalChange(
          tx,
          policy,
          {
            entity: 'requisition',
            changes: {
              clientId, worksiteId: worksite.id, requestedById: principal.id, title: body.title, status: 'open',
              employmentType: body.employmentType, openings: body.openings, startDate: body.startDate ?? null,
              endDate: body.endDate ?? null, payRateCents: null, billRateCents: body.billRateCents ?? null,
            },
            actor: actorOf(principal),
          },
          now(),
        );
        const row = await tx.canonical.get('requisition', result.canonicalId);
        if (!row) throw new Error(`requisition ${result.canonicalId} vanished inside its own unit of work`);
        await tx.events.append({
          type: 'requisition.created', entity: 'requisition', canonicalId: row.id, clientId, worksiteId: worksite.id, actor: actorOf(principal),
          data: { title: body.title, openings: body.openings, startDate: body.startDate ?? null }, at: now(),
        });
        return { data: toVisibleRecord(row, visibleFields(access, 'requisition')), outboxIds: [...result.outboxIds] };
      });
      c.header('Location', `/api/v1/records/requisition/${created.data.id}`);
      return c.json(created, 201);
    },
  });
}
