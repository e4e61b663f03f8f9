import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { Id, Requisition } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { liveRecord, requireRole } from '../portal/authority.ts';
import type { RouteRegistrar } from '../route.ts';
import { recordView, toRecord } from '../schemas/views.ts';

const f = Requisition.shape;

/**
 * What a client may set when opening a requisition. Status (always `open`) and the pay rate (never
 * client-visible) are not fields here, so they cannot be smuggled in (requirement 15).
 */
const OpenRequisitionBody = z
  .strictObject({
    clientId: f.clientId,
    worksiteId: Id,
    requestedById: Id.meta({ description: 'the requesting contact; must hold the requester role at the worksite' }),
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
      'The worksite must belong to the client and the requester must be an active contact of that client holding the requester role at the worksite (403 otherwise).',
    tag: 'portal',
    body: OpenRequisitionBody,
    errors: ['forbidden', 'refused', 'invalid'],
    responses: { 201: { description: 'the new requisition', schema: z.strictObject({ data: recordView('requisition'), outboxIds: z.array(z.string()) }) } },
    handler: async ({ body }, c) => {
      const created = await store.unitOfWork(async (tx) => {
        const client = await liveRecord(tx, 'client', body.clientId);
        if (!client) throw new ApiError('invalid', `client ${body.clientId} not found`);
        const worksite = await liveRecord(tx, 'worksite', body.worksiteId);
        if (!worksite) throw new ApiError('invalid', `worksite ${body.worksiteId} not found`);
        if (worksite.fields['clientId'] !== client.id) throw new ApiError('invalid', `worksite ${worksite.id} does not belong to client ${client.id}`);
        const requester = await requireRole(tx, body.requestedById, worksite.id, 'requester', 'forbidden');
        if (requester.fields['clientId'] !== client.id) throw new ApiError('forbidden', `contact ${requester.id} is not a contact of client ${client.id}`);

        const result = await applyLocalChange(
          tx,
          policy,
          {
            entity: 'requisition',
            changes: {
              clientId: client.id, worksiteId: worksite.id, requestedById: requester.id, title: body.title, status: 'open',
              employmentType: body.employmentType, openings: body.openings, startDate: body.startDate ?? null,
              endDate: body.endDate ?? null, payRateCents: null, billRateCents: body.billRateCents ?? null,
            },
            actor: `contact:${requester.id}`,
          },
          now(),
        );
        const row = await tx.canonical.get('requisition', result.canonicalId);
        if (!row) throw new Error(`requisition ${result.canonicalId} vanished inside its own unit of work`);
        return { data: toRecord(row), outboxIds: [...result.outboxIds] };
      });
      c.header('Location', `/api/v1/records/requisition/${created.data.id}`);
      return c.json(created, 201);
    },
  });
}
