import { z } from 'zod';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { RouteRegistrar } from '../route.ts';
import { After, EntityNameSchema, Limit, opt, Page, pageOf } from '../schemas/common.ts';
import { InboxView, OutboxView, toInbox, toOutbox } from '../schemas/views.ts';

const MAX_REPLAY = 500;

const OutboxQuery = z.strictObject({
  status: z.enum(['pending', 'processing', 'done', 'failed']).optional(),
  system: z.string().min(1).max(100).optional(),
  entity: EntityNameSchema.optional(),
  canonicalId: Id.optional(),
  after: After,
  limit: Limit,
});

const InboxQuery = z.strictObject({
  status: z.enum(['pending', 'done', 'failed', 'ignored']).optional(),
  system: z.string().min(1).max(100).optional(),
  after: After,
  limit: Limit,
});

const ReplayBody = z.strictObject({ ids: z.array(Id).min(1).max(MAX_REPLAY) });

const ReplayOutcome = z.strictObject({ id: z.string(), ok: z.boolean(), error: z.string().optional() });

/** The durable queues of record: what waits to be pushed (outbox) and what arrived (inbox). */
export function registerQueues(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;

  api.route({
    method: 'get',
    path: '/api/v1/outbox',
    access: 'sync.read',
    operationId: 'listOutbox',
    summary: 'Pushes waiting for, done by or failed at a system',
    tag: 'outbox',
    query: OutboxQuery,
    responses: { 200: { description: 'a page of outbox rows', schema: Page(OutboxView) } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.outbox.list({
        limit: q.limit + 1,
        ...opt('status', q.status),
        ...opt('system', q.system),
        ...opt('entity', q.entity),
        ...opt('canonicalId', q.canonicalId),
        ...opt('after', q.after),
      });
      return c.json(pageOf(rows, q.limit, (r) => r.id, toOutbox));
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/outbox/replay',
    access: 'sync.operate',
    operationId: 'replayOutbox',
    summary: 'Put failed (parked) outbox rows back in the queue',
    description: 'Only failed rows are replayed; any other id gets `ok: false` with the reason. The relay picks replayed rows up.',
    tag: 'outbox',
    body: ReplayBody,
    responses: {
      200: {
        description: 'an outcome per id',
        schema: z.strictObject({ data: z.array(ReplayOutcome), replayed: z.number().int() }),
      },
    },
    handler: async ({ body }, c) => {
      const ids = [...new Set(body.ids)];
      const outcomes = await store.unitOfWork(async (tx) => {
        const at = now();
        const out: Array<z.infer<typeof ReplayOutcome>> = [];
        for (const id of ids) {
          const row = await tx.outbox.get(id);
          if (!row) out.push({ id, ok: false, error: `outbox row ${id} not found` });
          else if (row.status !== 'failed') out.push({ id, ok: false, error: `outbox row ${id} is ${row.status}; only failed rows are replayed` });
          else {
            await tx.outbox.replay([id], at);
            out.push({ id, ok: true });
          }
        }
        return out;
      });
      return c.json({ data: outcomes, replayed: outcomes.filter((o) => o.ok).length });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/inbox',
    access: 'sync.read',
    operationId: 'listInbox',
    summary: 'Verified inbound deliveries (payloads are not returned)',
    tag: 'inbox',
    query: InboxQuery,
    responses: { 200: { description: 'a page of inbox rows', schema: Page(InboxView) } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.inbox.list({ limit: q.limit + 1, ...opt('status', q.status), ...opt('system', q.system), ...opt('after', q.after) });
      return c.json(pageOf(rows, q.limit, (r) => r.id, toInbox));
    },
  });
}
