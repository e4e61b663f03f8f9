import { z } from 'zod';
import { listTimeExceptions } from '../../engine/time/exceptions.ts';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { RouteRegistrar } from '../route.ts';

const ExceptionView = z.strictObject({
  timeEntryId: z.string(),
  reason: z.enum(['no_approver', 'held_after_cutoff']),
  workDate: z.string(),
  worksiteId: z.string().nullable(),
  clientId: z.string().nullable(),
  since: z.string().nullable(),
  waitingHours: z.number().nullable(),
  heldUntil: z.string().nullable(),
});

/** Ops views of the time workflow: the exception queue. */
export function registerTimeOps(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  api.route({
    method: 'get',
    path: '/api/v1/exceptions/time',
    operationId: 'listTimeExceptions',
    summary: 'The ops exception queue for time: submitted entries nobody can approve, approvals held after a cutoff',
    tag: 'ops',
    access: 'time.ops_read',
    query: z.strictObject({ clientId: Id.optional() }),
    responses: { 200: { description: 'every exception, oldest first per kind', schema: z.strictObject({ data: z.array(ExceptionView) }) } },
    handler: async ({ query }, c) => c.json({ data: await listTimeExceptions(store.repos, now(), query.clientId === undefined ? {} : { clientId: query.clientId }) }),
  });
}
