import { z } from 'zod';
import { applyLocalChange, type SyncPolicy } from '../../engine/index.ts';
import { checkTimeEntryTransition, type TimeEntryStatus } from '../../model/index.ts';
import type { FieldMap, Repos } from '../../store/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { loadAccess, rolesAt, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import { principalOf } from '../caller.ts';
import { ApiError } from '../errors.ts';
import { worksiteOfTimeEntry } from '../portal/authority.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';

const Comment = z.string().trim().min(1).max(1000);

// No body names its actor: the approver is the authenticated contact, the submitter the signed-in user.
const ApproveBody = z.strictObject({ comment: Comment.optional() });
const RejectBody = z.strictObject({ comment: Comment.meta({ description: 'why: required, it goes to the worker' }) });
const SubmitBody = z.strictObject({ comment: Comment.optional() });

const ActionResult = z.strictObject({
  data: recordView('time_entry'),
  outboxIds: z.array(z.string()).meta({ description: 'pushes queued by the change (approved time to payroll, say)' }),
});

export interface Move {
  readonly to: TimeEntryStatus;
  readonly principal: Principal;
  readonly comment?: string;
  /** Approve and reject: the caller must hold the approver role (or a delegation) at the worksite. */
  readonly needsApprover: boolean;
  /** More fields to set, given the time of the change. */
  readonly extra?: (at: string) => FieldMap;
}

/**
 * One status move of a time entry inside the caller's unit of work: the check, the canonical write,
 * its history event, the ledger row, the outbox rows and the portal event. The API routes and the
 * e-mail approval link (src/http/approval-link.ts) both approve through it.
 */
export async function moveTimeEntryIn(tx: Repos, policy: SyncPolicy, id: string, m: Move, at: string): Promise<{ data: ReturnType<typeof toVisibleRecord>; outboxIds: string[] }> {
  // The check reads through this unit of work, so it and the write see the same roles.
  const access = await loadAccess(tx, m.principal, at);
  const entry = await tx.canonical.getScoped('time_entry', id, scopeOf(access, 'time_entry'));
  if (!entry || entry.deletedAt !== null) throw new ApiError('not_found', `time_entry ${id} not found`);
  // Authority before legality: someone without it learns nothing about the entry's state.
  let comment = m.comment;
  if (m.needsApprover) {
    const worksiteId = await worksiteOfTimeEntry(tx, entry);
    if (!rolesAt(access, worksiteId).has('approver')) throw new ApiError('forbidden', `you are not an approver at worksite ${worksiteId}`);
    const delegateFor = access.delegations.get(worksiteId);
    if (delegateFor !== undefined) comment = `${comment === undefined ? '' : `${comment} `}(as delegate approver${delegateFor === null ? '' : ` for contact:${delegateFor}`})`;
  }
  // Checked here as well as in the engine: the engine lets a same-status write through (it is not
  // a move), and a second approval must not silently replace the first approver.
  const check = checkTimeEntryTransition(entry.fields['status'] as TimeEntryStatus, m.to);
  if (!check.ok) throw new ApiError('refused', check.reason);
  const result = await applyLocalChange(
    tx,
    policy,
    {
      entity: 'time_entry', canonicalId: id, changes: { status: m.to, ...m.extra?.(at) }, actor: actorOf(m.principal),
      ...(comment === undefined ? {} : { comment }),
    },
    at,
  );
  const after = await tx.canonical.get('time_entry', id);
  if (!after) throw new ApiError('not_found', `time_entry ${id} not found`);
  return { data: toVisibleRecord(after, visibleFields(access, 'time_entry')), outboxIds: [...result.outboxIds] };
}

/**
 * Time entry status moves from the portal: approve and reject by a contact who holds the approver
 * role at the assignment's worksite, submit by the worker or a coordinator. Each runs in one unit
 * of work: the check, the canonical write, its history event, the ledger row and the outbox rows.
 */
export function registerTimeEntries(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  const move = async (id: string, m: Move) => store.unitOfWork(async (tx: Repos) => moveTimeEntryIn(tx, policy, id, m, now()));

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
      'The approver is the authenticated contact: it must hold the approver role at the worksite of the assignment, or a delegation valid today. Sets approvedById and approvedAt; the comment is kept in the time entry history. 404 when the entry is outside what the caller may see, 403 when the caller sees it but may not approve it, 409 when it is not submitted.',
    access: 'time.approve',
    body: ApproveBody,
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      return c.json(
        await move(params.id, {
          to: 'approved', principal, needsApprover: true,
          extra: (at) => ({ approvedById: principal.id, approvedAt: at }), ...(body.comment === undefined ? {} : { comment: body.comment }),
        }),
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
      c.json(await move(params.id, { to: 'rejected', principal: principalOf(c), needsApprover: true, comment: body.comment })),
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/submit',
    operationId: 'submitTimeEntry',
    summary: 'Submit a draft (or corrected rejected) time entry for approval',
    body: SubmitBody,
    bodyOptional: true,
    description: 'By a coordinator (or ops admin) of the worksite, recorded as the signed-in user.',
    access: 'time.submit',
    errors: ['not_found', 'refused', 'invalid'],
    handler: async ({ params, body }, c) =>
      c.json(await move(params.id, { to: 'submitted', principal: principalOf(c), needsApprover: false, ...(body.comment === undefined ? {} : { comment: body.comment }) })),
  });
}
