import { z } from 'zod';
import { actorOf } from '../../access/principal.ts';
import { listTimeExceptions } from '../../engine/time/exceptions.ts';
import { remindAll } from '../../engine/time/reminders.ts';
import { principalOf } from '../caller.ts';
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

/** Ops views of the time workflow: the exception queue (and, below, remind all). */
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
  registerTimeRemind(api, deps);
}

const RemindBody = z
  .strictObject({ clientId: Id.optional(), worksiteId: Id.optional() })
  .refine((b) => b.clientId !== undefined || b.worksiteId !== undefined, { message: 'name a clientId or a worksiteId', path: ['clientId'] });

/** Ops "remind all" for a client or worksite. */
export function registerTimeRemind(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  api.route({
    method: 'post',
    path: '/api/v1/ops/remind',
    operationId: 'remindAllTime',
    summary: 'Remind the approvers of every waiting time entry of a client or worksite (appends time.reminder events)',
    tag: 'ops',
    access: 'time.operate',
    body: RemindBody,
    errors: ['invalid'],
    responses: { 200: { description: 'how many reminders were appended', schema: z.strictObject({ data: z.strictObject({ count: z.number() }) }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const scope = { ...(body.clientId === undefined ? {} : { clientId: body.clientId }), ...(body.worksiteId === undefined ? {} : { worksiteId: body.worksiteId }) };
      return c.json({ data: { count: await remindAll(store, scope, actorOf(principal), now()) } });
    },
  });
}
