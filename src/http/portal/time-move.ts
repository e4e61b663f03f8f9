import { applyLocalChange } from '../../engine/index.ts';
import { appendTimeEvent } from '../../engine/time/events.ts';
import { routeOfEntry } from '../../engine/time/routing.ts';
import { payrollHold } from '../../engine/time/cutoff.ts';
import { checkTimeEntryTransition, DEFAULT_TIME_SETTINGS, type PortalEventType, type TimeEntryStatus } from '../../model/index.ts';
import type { CanonicalRow, FieldMap, Repos } from '../../store/index.ts';
import { loadAccess, rolesAt, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { toVisibleRecord } from '../schemas/views.ts';
import { worksiteOfTimeEntry } from './authority.ts';

export interface Move {
  readonly to: TimeEntryStatus;
  readonly principal: Principal;
  readonly comment?: string;
  /** Approve and reject: the caller must hold the approver role (or a delegation) at the worksite. */
  readonly needsApprover: boolean;
  /** More fields to set, given the time of the change and the entry as it is. */
  readonly extra?: (at: string, entry: CanonicalRow) => FieldMap;
  /** The portal event the move appends, and facts for it. */
  readonly event: PortalEventType;
  readonly eventData?: Record<string, string | number | null>;
}

const COUNTED: ReadonlySet<string> = new Set(['approved', 'exported', 'invoiced']);

/**
 * One status move of a time entry in the caller's unit of work: scope, authority, legality, the
 * canonical write (with its history row, ledger row and outbox rows) and its portal event. Under
 * concurrency the first approver wins: the unit of work serialises, and the second finds the entry
 * no longer submitted and is answered 409 naming who approved and when.
 */
export async function moveTimeEntry(tx: Repos, deps: ResolvedDeps, id: string, m: Move, at: string) {
  const { policy } = deps;
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
  const from = entry.fields['status'] as TimeEntryStatus;
  const check = checkTimeEntryTransition(from, m.to);
  if (!check.ok) {
    const approvedBy = entry.fields['approvedById'];
    if (COUNTED.has(from) && typeof approvedBy === 'string') {
      throw new ApiError('refused', `time entry is already ${from}: approved by contact:${approvedBy} at ${String(entry.fields['approvedAt'])}`);
    }
    throw new ApiError('refused', check.reason);
  }
  // A rejected correction is closed: resubmitting it would stack a delta computed from older
  // effective hours on top of a newer correction. Correct the original again instead.
  if (m.to === 'submitted' && entry.fields['adjustsEntryId'] !== null) {
    throw new ApiError('refused', `time entry is a ${from} correction of ${String(entry.fields['adjustsEntryId'])}: correct the original again instead`);
  }
  const result = await applyLocalChange(
    tx,
    policy,
    {
      entity: 'time_entry', canonicalId: id, changes: { status: m.to, ...m.extra?.(at, entry) }, actor: actorOf(m.principal),
      ...(comment === undefined ? {} : { comment }),
    },
    at,
  );
  const after = await tx.canonical.get('time_entry', id);
  if (!after) throw new ApiError('not_found', `time_entry ${id} not found`);
  const route = await routeOfEntry(tx, after, at.slice(0, 10));
  // A submission at a worksite nobody can approve goes to the ops queue, not into silence.
  const type: PortalEventType = m.event === 'time.submitted' && route.route === 'none' ? 'time.needs_approver' : m.event;
  const recipients = type === 'time.submitted' ? route.approvers : type === 'time.needs_approver' && route.clientId !== null ? await tx.time.clientAdmins(route.clientId, at.slice(0, 10)) : [];
  const held = after.fields['payrollHeldUntil'];
  await appendTimeEvent(tx, type, after, route, {
    actor: actorOf(m.principal), recipients, at,
    data: { ...m.eventData, ...(m.to === 'approved' && typeof held === 'string' ? { payrollHeldUntil: held } : {}), ...(type === 'time.submitted' ? { route: route.route } : {}) },
  });
  return { data: toVisibleRecord(after, visibleFields(access, 'time_entry')), outboxIds: [...result.outboxIds] };
}

/**
 * The fields an approval sets, whoever approves (the API, bulk approval, an e-mail link): who and
 * when, and the payroll hold when the approval comes after its pay period's cutoff (decision 0018).
 */
export function approvalFields(deps: Pick<ResolvedDeps, 'policy' | 'timeSettings'>, principal: Principal): (at: string, entry: CanonicalRow) => FieldMap {
  const settings = deps.timeSettings ?? DEFAULT_TIME_SETTINGS;
  return (at, entry) => ({
    approvedById: principal.id,
    approvedAt: at,
    payrollHeldUntil: payrollHold(deps.policy, settings, { workDate: String(entry.fields['workDate']), isAdjustment: entry.fields['adjustsEntryId'] !== null }, at),
  });
}
