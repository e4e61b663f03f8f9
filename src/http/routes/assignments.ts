import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { liveRecord, requireRole } from '../portal/authority.ts';
import type { RouteRegistrar } from '../route.ts';
import { Actor, ADMIN_ACTOR, IdParam } from '../schemas/common.ts';
import { recordView, toRecord } from '../schemas/views.ts';

const ApproverBody = z.strictObject({
  contactId: Id.meta({ description: 'the new approver; must hold the approver role at the assignment’s worksite' }),
  by: Actor.optional().meta({ description: `who makes the change; default ${ADMIN_ACTOR}` }),
});

export function registerAssignments(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  api.route({
    method: 'post',
    path: '/api/v1/assignments/:id/approver',
    operationId: 'changeAssignmentApprover',
    summary: 'Change the contact who approves time on an assignment',
    description: '422 when the contact does not hold the approver role at the assignment’s worksite.',
    tag: 'portal',
    params: IdParam,
    body: ApproverBody,
    errors: ['not_found', 'refused', 'invalid'],
    responses: { 200: { description: 'the assignment after the change', schema: z.strictObject({ data: recordView('assignment'), outboxIds: z.array(z.string()) }) } },
    handler: async ({ params, body }, c) =>
      c.json(
        await store.unitOfWork(async (tx) => {
          const assignment = await liveRecord(tx, 'assignment', params.id);
          if (!assignment) throw new ApiError('not_found', `assignment ${params.id} not found`);
          const worksiteId = assignment.fields['worksiteId'];
          if (typeof worksiteId !== 'string') throw new ApiError('invalid', `assignment ${assignment.id} has no worksite, so it can have no approver`);
          await requireRole(tx, body.contactId, worksiteId, 'approver', 'invalid');
          const result = await applyLocalChange(
            tx,
            policy,
            { entity: 'assignment', canonicalId: assignment.id, changes: { approverContactId: body.contactId }, actor: body.by ?? ADMIN_ACTOR },
            now(),
          );
          const row = await tx.canonical.get('assignment', assignment.id);
          if (!row) throw new Error(`assignment ${assignment.id} vanished inside its own unit of work`);
          return { data: toRecord(row), outboxIds: [...result.outboxIds] };
        }),
      ),
  });
}
