import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { checkTimeEntryTransition, Id, type TimeEntryStatus } from '../../model/index.ts';
import type { FieldMap, Repos } from '../../store/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { liveRecord, requireRole, worksiteOfTimeEntry } from '../portal/authority.ts';
import type { RouteRegistrar } from '../route.ts';
import { Actor, ADMIN_ACTOR, IdParam } from '../schemas/common.ts';
import { recordView, toRecord } from '../schemas/views.ts';

const Comment = z.string().trim().min(1).max(1000);

const ApproveBody = z.strictObject({
  contactId: Id.meta({ description: 'the approving contact; must hold the approver role at the worksite of the assignment' }),
  comment: Comment.optional(),
});
const RejectBody = z.strictObject({
  contactId: Id.meta({ description: 'the rejecting contact; must hold the approver role at the worksite of the assignment' }),
  comment: Comment.meta({ description: 'why: required, it goes to the worker' }),
});
const SubmitBody = z.strictObject({
  by: Actor.optional().meta({ description: `who submits (worker or coordinator); default ${ADMIN_ACTOR}` }),
  comment: Comment.optional(),
});

const ActionResult = z.strictObject({
  data: recordView('time_entry'),
  outboxIds: z.array(z.string()).meta({ description: 'pushes queued by the change (approved time to payroll, say)' }),
});

interface Move {
  readonly to: TimeEntryStatus;
  readonly actor: string;
  readonly comment?: string;
  /** The contact whose approver role is checked; absent for submit. */
  readonly approverId?: string;
  /** More fields to set, given the time of the change. */
  readonly extra?: (at: string) => FieldMap;
}

/**
 * Time entry status moves from the portal: approve and reject by a contact who holds the approver
 * role at the assignment's worksite, submit by the worker or a coordinator. Each runs in one unit
 * of work: the check, the canonical write, its history event, the ledger row and the outbox rows.
 */
export function registerTimeEntries(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  const move = async (id: string, m: Move) =>
    store.unitOfWork(async (tx: Repos) => {
      const entry = await liveRecord(tx, 'time_entry', id);
      if (!entry) throw new ApiError('not_found', `time_entry ${id} not found`);
      // Authority before legality: someone without it learns nothing about the entry's state.
      if (m.approverId !== undefined) await requireRole(tx, m.approverId, await worksiteOfTimeEntry(tx, entry), 'approver', 'forbidden');
      // Checked here as well as in the engine: the engine lets a same-status write through (it is not
      // a move), and a second approval must not silently replace the first approver.
      const check = checkTimeEntryTransition(entry.fields['status'] as TimeEntryStatus, m.to);
      if (!check.ok) throw new ApiError('refused', check.reason);
      const at = now();
      const result = await applyLocalChange(
        tx,
        policy,
        {
          entity: 'time_entry', canonicalId: id, changes: { status: m.to, ...m.extra?.(at) }, actor: m.actor,
          ...(m.comment === undefined ? {} : { comment: m.comment }),
        },
        at,
      );
      const after = await tx.canonical.get('time_entry', id);
      if (!after) throw new ApiError('not_found', `time_entry ${id} not found`);
      return { data: toRecord(after), outboxIds: [...result.outboxIds] };
    });

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
    description: 'Sets approvedById and approvedAt; the comment is kept in the time entry history. 403 when the contact is not an approver at the worksite, 409 when the entry is not submitted.',
    body: ApproveBody,
    handler: async ({ params, body }, c) =>
      c.json(
        await move(params.id, {
          to: 'approved', actor: `contact:${body.contactId}`, approverId: body.contactId,
          extra: (at) => ({ approvedById: body.contactId, approvedAt: at }), ...(body.comment === undefined ? {} : { comment: body.comment }),
        }),
      ),
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/reject',
    operationId: 'rejectTimeEntry',
    summary: 'Reject a submitted time entry, with a comment',
    body: RejectBody,
    handler: async ({ params, body }, c) =>
      c.json(await move(params.id, { to: 'rejected', actor: `contact:${body.contactId}`, approverId: body.contactId, comment: body.comment })),
  });

  api.route({
    ...common,
    path: '/api/v1/time-entries/:id/submit',
    operationId: 'submitTimeEntry',
    summary: 'Submit a draft (or corrected rejected) time entry for approval',
    body: SubmitBody,
    bodyOptional: true,
    errors: ['not_found', 'refused', 'invalid'],
    handler: async ({ params, body }, c) =>
      c.json(await move(params.id, { to: 'submitted', actor: body.by ?? ADMIN_ACTOR, ...(body.comment === undefined ? {} : { comment: body.comment }) })),
  });
}
