import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { loadAccess, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { principalOf } from '../caller.ts';
import { ApiError } from '../errors.ts';
import { requireRole } from '../portal/authority.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';

const ApproverBody = z.strictObject({
  contactId: Id.meta({ description: 'the new approver; must hold the approver role at the assignment’s worksite' }),
});

export function registerAssignments(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  api.route({
    method: 'post',
    path: '/api/v1/assignments/:id/approver',
    operationId: 'changeAssignmentApprover',
    summary: 'Change the contact who approves time on an assignment',
    description:
      'By a client_admin of the assignment’s client, or a coordinator; recorded as the signed-in principal. 404 when the assignment is outside what the caller may see, 422 when the new contact does not hold the approver role at the assignment’s worksite.',
    tag: 'portal',
    access: 'assignment.approver',
    params: IdParam,
    body: ApproverBody,
    errors: ['not_found', 'forbidden', 'refused', 'invalid'],
    responses: { 200: { description: 'the assignment after the change', schema: z.strictObject({ data: recordView('assignment'), outboxIds: z.array(z.string()) }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(
        await store.unitOfWork(async (tx) => {
          const access = await loadAccess(tx, principal, now());
          const assignment = await tx.canonical.getScoped('assignment', params.id, scopeOf(access, 'assignment'));
          if (!assignment || assignment.deletedAt !== null) throw new ApiError('not_found', `assignment ${params.id} not found`);
          const worksiteId = assignment.fields['worksiteId'];
          if (typeof worksiteId !== 'string') throw new ApiError('invalid', `assignment ${assignment.id} has no worksite, so it can have no approver`);
          const worksite = await tx.canonical.get('worksite', worksiteId);
          const clientId = worksite === null ? null : String(worksite.fields['clientId']);
          if (principal.kind === 'contact' && (clientId === null || !access.adminClients.has(clientId))) {
            throw new ApiError('forbidden', `only a client_admin of client ${String(clientId)} changes approvers`);
          }
          // A contact the caller cannot see is "not found", whatever it is: no existence oracle.
          if ((await tx.canonical.getScoped('contact', body.contactId, scopeOf(access, 'contact'))) === null) throw new ApiError('invalid', `contact ${body.contactId} not found`);
          const approver = await requireRole(tx, body.contactId, worksiteId, 'approver', 'invalid');
          // Defence in depth: the new approver must be a contact of the assignment's own client.
          if (approver.fields['clientId'] !== clientId) throw new ApiError('invalid', `contact ${body.contactId} is not a contact of client ${String(clientId)}`);
          const result = await applyLocalChange(
            tx,
            policy,
            { entity: 'assignment', canonicalId: assignment.id, changes: { approverContactId: body.contactId }, actor: actorOf(principal) },
            now(),
          );
          const row = await tx.canonical.get('assignment', assignment.id);
          if (!row) throw new Error(`assignment ${assignment.id} vanished inside its own unit of work`);
          return { data: toVisibleRecord(row, visibleFields(access, 'assignment')), outboxIds: [...result.outboxIds] };
        }),
      );
    },
  });
}
