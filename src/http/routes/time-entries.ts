import { z } from 'zod';
import { DisputeReason } from '../../model/index.ts';
import type { Repos } from '../../store/index.ts';
import { approvalFields, moveTimeEntry, type Move } from '../portal/time-move.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { Principal } from '../../access/principal.ts';
import { principalOf } from '../caller.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';
import { recordView } from '../schemas/views.ts';
import { registerTimeCorrections } from './time-corrections.ts';
import { registerBulkApprove } from './time-bulk-approve.ts';
import { registerTimeOps } from './time-ops.ts';

const Comment = z.string().trim().min(1).max(1000);

// No body names its actor: the approver is the authenticated contact, the submitter the signed-in user.
const ApproveBody = z.strictObject({ comment: Comment.optional() });
const RejectBody = z.strictObject({ comment: Comment.meta({ description: 'why: required, it goes to the worker' }) });
const DisputeBody = z.strictObject({
  reasonCode: DisputeReason.meta({ description: 'hours_wrong | not_worked | wrong_assignment | other' }),
  comment: Comment.meta({ description: 'what is wrong: required, it goes to the worker and the coordinator' }),
});
const SubmitBody = z.strictObject({ comment: Comment.optional() });

export const ActionResult = z.strictObject({
  data: recordView('time_entry'),
  outboxIds: z.array(z.string()).meta({ description: 'pushes queued by the change (approved time to payroll, say)' }),
});

/**
 * Time entry status moves from the portal: approve, reject and dispute by a contact who holds the
 * approver role at the assignment's worksite, submit by the worker or a coordinator. Each runs in
 * one unit of work: the check, the canonical write, its history event, the ledger row, the outbox
 * rows and the portal event.
 */
export function registerTimeEntries(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;

  const move = async (id: string, m: Move) => store.unitOfWork(async (tx: Repos) => moveTimeEntry(tx, deps, id, m, now()));

  const approveExtra = (principal: Principal) => approvalFields(deps, principal);

  const common = {
    method: 'post',
    tag: 'portal',
    params: IdParam,
    errors: ['not_found', 'forbidden', 'refused', 'invalid'],
    responses: { 200: { description: 'the time entry after the move', schema: ActionResult } },
  } as const;

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/approve',
    operationId: 'approveTimeEntry',
    summary: 'Approve a submitted time entry',
    description:
      'The approver is the authenticated contact: it must hold the approver role at the worksite of the assignment, or a delegation valid today. Sets approvedById and approvedAt; the comment is kept in the time entry history. An approval after the pay period cutoff sets payrollHeldUntil: payroll does not get the entry until then or until ops release it. 404 when the entry is outside what the caller may see, 403 when the caller sees it but may not approve it, 409 when it is not submitted (naming who approved it, when someone did).',
    access: 'time.approve',
    body: ApproveBody,
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(
        await move(params.id, { to: 'approved', principal, needsApprover: true, extra: approveExtra(principal), event: 'time.approved', ...(body.comment === undefined ? {} : { comment: body.comment }) }),
      );
    },
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/reject',
    operationId: 'rejectTimeEntry',
    summary: 'Reject a submitted time entry, with a comment',
    access: 'time.approve',
    body: RejectBody,
    handler: async ({ params, body }, c) =>
      c.json(await move(params.id, { to: 'rejected', principal: principalOf(c), needsApprover: true, comment: body.comment, extra: () => ({ disputeReason: null }), event: 'time.rejected' })),
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/dispute',
    operationId: 'disputeTimeEntry',
    summary: 'Dispute a submitted time entry: reject it with a reason code and a comment',
    description:
      'A dispute is a rejection with a reason (decision 0018): the entry becomes `rejected` with `disputeReason` set, goes back to the worker and coordinator (`time.disputed` event), and can be corrected and submitted again. The history keeps the reason and the comment.',
    access: 'time.approve',
    body: DisputeBody,
    handler: async ({ params, body }, c) =>
      c.json(
        await move(params.id, {
          to: 'rejected', principal: principalOf(c), needsApprover: true, comment: `dispute: ${body.reasonCode}: ${body.comment}`,
          extra: () => ({ disputeReason: body.reasonCode }), event: 'time.disputed', eventData: { reasonCode: body.reasonCode },
        }),
      ),
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/submit',
    operationId: 'submitTimeEntry',
    summary: 'Submit a draft (or corrected rejected) time entry for approval',
    body: SubmitBody,
    bodyOptional: true,
    description:
      'By a coordinator (or ops admin) of the worksite, recorded as the signed-in user. Routed to the assignment’s approver, else the worksite’s approvers, else a delegate valid today (`time.submitted` to them); with none of these the entry is in the ops exception queue (`time.needs_approver`).',
    access: 'time.submit',
    errors: ['not_found', 'refused', 'invalid'],
    handler: async ({ params, body }, c) =>
      c.json(await move(params.id, { to: 'submitted', principal: principalOf(c), needsApprover: false, event: 'time.submitted', ...(body.comment === undefined ? {} : { comment: body.comment }) })),
  });

  registerTimeCorrections(api, deps);
  registerBulkApprove(api, deps, approveExtra);
  registerTimeOps(api, deps);
}
