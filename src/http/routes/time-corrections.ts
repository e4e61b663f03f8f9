import { z } from 'zod';
import { applyLocalChange } from '../../engine/index.ts';
import { effectiveHoursOf, hoursOf } from '../../engine/time/effective.ts';
import { appendTimeEvent } from '../../engine/time/events.ts';
import { releaseHeldEntry } from '../../engine/time/release.ts';
import { routeOfEntry } from '../../engine/time/routing.ts';
import { newId } from '../../lib/ids.ts';
import { deltaOf, isZero, roundHours, type HourFigures } from '../../model/index.ts';
import { loadAccess, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError, type ErrorDetail } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';

const Figure = z.number().meta({ description: 'hours after the correction (0–24, two decimals)' });
const CorrectBody = z.strictObject({
  regularHours: Figure,
  overtimeHours: Figure,
  doubleTimeHours: Figure,
  comment: z.string().trim().min(1).max(1000).meta({ description: 'why the approved figures are wrong: required' }),
});

const CorrectResult = z.strictObject({
  data: recordView('time_entry').meta({ description: 'the adjustment: a new time entry, submitted, carrying the signed change' }),
  effectiveBefore: z.strictObject({ regularHours: z.number(), overtimeHours: z.number(), doubleTimeHours: z.number() }),
});

const CORRECTABLE: ReadonlySet<string> = new Set(['approved', 'exported', 'invoiced']);
const FIELDS = ['regularHours', 'overtimeHours', 'doubleTimeHours'] as const;

/** Field-by-field problems with the corrected figures: negative, over 24 in total, more than two decimals. */
export function correctionProblems(target: HourFigures): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const f of FIELDS) {
    const v = target[f];
    if (!Number.isFinite(v)) problems.push({ path: f, message: 'must be a number of hours' });
    else if (v < 0) problems.push({ path: f, message: `cannot be negative (got ${v})` });
    else if (v > 24) problems.push({ path: f, message: `cannot exceed 24 (got ${v})` });
    else if (Math.abs(Math.round(v * 100) - v * 100) > 1e-6) problems.push({ path: f, message: 'carries at most two decimals' });
  }
  const total = roundHours(target.regularHours + target.overtimeHours + target.doubleTimeHours);
  if (problems.length === 0 && total > 24) problems.push({ path: 'regularHours', message: `the corrected hours add up to ${total}, more than 24 in one day` });
  return problems;
}

/**
 * Corrections after approval (decision 0018) and ops release of held entries.
 * A correction never edits the original: it adds an adjustment entry (same assignment and work
 * date, `adjustsEntryId` set, the signed change per hour type) that goes through approval again.
 * Once approved it counts in the effective hours and goes to payroll as its own delta.
 */
export function registerTimeCorrections(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  api.route({
    method: 'post',
    path: '/api/v1/time-entries/:id/correct',
    operationId: 'correctTimeEntry',
    summary: 'Correct approved time: create an adjustment that goes through approval again',
    description:
      'The body holds the figures the entry should have. The hub records the difference from the current effective hours (original plus approved adjustments) as an adjustment entry, status `submitted`, routed like any submission. 409 when the entry is not approved, exported or invoiced (naming its state), is itself an adjustment, or already has a correction waiting; 422 naming the field when a figure is negative, over 24 or the total is over 24, or nothing changes.',
    tag: 'portal',
    access: 'time.submit',
    params: IdParam,
    body: CorrectBody,
    errors: ['not_found', 'refused', 'invalid'],
    responses: { 201: { description: 'the adjustment entry', schema: CorrectResult } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      const target: HourFigures = { regularHours: body.regularHours, overtimeHours: body.overtimeHours, doubleTimeHours: body.doubleTimeHours };
      const result = await store.unitOfWork(async (tx) => {
        const at = now();
        const access = await loadAccess(tx, principal, at);
        const original = await tx.canonical.getScoped('time_entry', params.id, scopeOf(access, 'time_entry'));
        if (!original || original.deletedAt !== null) throw new ApiError('not_found', `time_entry ${params.id} not found`);
        const status = String(original.fields['status']);
        if (original.fields['adjustsEntryId'] !== null) throw new ApiError('refused', `time entry ${original.id} is an adjustment of ${String(original.fields['adjustsEntryId'])}: correct the original`);
        if (!CORRECTABLE.has(status)) throw new ApiError('refused', `time entry is ${status}: only approved, exported or invoiced time is corrected (change or reject it instead)`);
        const problems = correctionProblems(target);
        if (problems.length > 0) throw new ApiError('invalid', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
        const pending = (await tx.time.adjustmentsOf([original.id])).find((a) => a.status === 'submitted' || a.status === 'draft');
        if (pending) throw new ApiError('refused', `time entry ${original.id} already has a correction waiting for approval: ${pending.id}`);
        const before = (await effectiveHoursOf(tx, [original.id])).get(original.id) ?? hoursOf(original.fields);
        const delta = deltaOf(before, target);
        if (isZero(delta)) throw new ApiError('invalid', 'the corrected hours equal the effective hours: nothing to correct', [{ path: 'regularHours', message: 'no change' }]);
        const actor = actorOf(principal);
        const created = await applyLocalChange(
          tx,
          policy,
          {
            entity: 'time_entry', actor, comment: `correction of ${original.id}: ${body.comment}`,
            changes: {
              assignmentId: original.fields['assignmentId'] ?? null, workDate: original.fields['workDate'] ?? null, ...delta, status: 'submitted',
              approvedById: null, approvedAt: null, note: null, adjustsEntryId: original.id, disputeReason: null, payrollHeldUntil: null,
            },
          },
          at,
        );
        // The original keeps its status and figures; its history notes the correction.
        await tx.canonical.insertMany(
          'time_entry_event',
          [{ id: newId(), fields: { timeEntryId: original.id, at, actor, fromStatus: status, toStatus: status, comment: `correction requested: adjustment ${created.canonicalId}` }, changedAt: at }],
          at,
        );
        const adjustment = await tx.canonical.get('time_entry', created.canonicalId);
        if (!adjustment) throw new ApiError('not_found', `time_entry ${created.canonicalId} not found`);
        const route = await routeOfEntry(tx, adjustment, at.slice(0, 10));
        await appendTimeEvent(tx, 'time.corrected', adjustment, route, { actor, recipients: route.approvers, at, data: { route: route.route } });
        if (route.route === 'none') await appendTimeEvent(tx, 'time.needs_approver', adjustment, route, { actor, recipients: route.clientId === null ? [] : await tx.time.clientAdmins(route.clientId, at.slice(0, 10)), at });
        return { data: toVisibleRecord(adjustment, visibleFields(access, 'time_entry')), effectiveBefore: { ...before } };
      });
      return c.json(result, 201);
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/time-entries/:id/release',
    operationId: 'releaseTimeEntry',
    summary: 'Release an entry held after the pay-period cutoff to payroll now',
    description: 'Ops only. Clears payrollHeldUntil, so the push to payroll (and the payroll file) take the entry in the current period. 409 when the entry is not held.',
    tag: 'ops',
    access: 'time.operate',
    params: IdParam,
    errors: ['not_found', 'refused'],
    responses: { 200: { description: 'the released entry', schema: z.strictObject({ data: recordView('time_entry'), outboxIds: z.array(z.string()) }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const result = await store.unitOfWork(async (tx) => {
        const at = now();
        const changed = await releaseHeldEntry(tx, policy, params.id, actorOf(principal), at);
        const after = await tx.canonical.get('time_entry', params.id);
        if (!after) throw new ApiError('not_found', `time_entry ${params.id} not found`);
        return { data: toVisibleRecord(after, visibleFields(await loadAccess(tx, principal, at), 'time_entry')), outboxIds: [...changed.outboxIds] };
      });
      return c.json(result);
    },
  });
}
