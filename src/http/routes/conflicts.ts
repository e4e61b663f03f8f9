import { z } from 'zod';
import { ConflictResolver, type ResolveRequest } from '../../engine/index.ts';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { actorFor } from '../caller.ts';
import type { RouteRegistrar } from '../route.ts';
import { After, EntityNameSchema, IdParam, Limit, opt, Page, pageOf, ScalarValue, Single } from '../schemas/common.ts';
import { ConflictView, LedgerEntryView, toConflict, toLedgerEntry } from '../schemas/views.ts';

/** Most conflicts one bulk request resolves; a larger filter reports `more: true`. */
const MAX_BULK = 500;

const ConflictQuery = z.strictObject({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  entity: EntityNameSchema.optional(),
  system: z.string().min(1).max(100).optional(),
  field: z.string().min(1).max(100).optional(),
  canonicalId: Id.optional(),
  after: After,
  limit: Limit,
});

/** take incoming | take current | set a value: exactly one, with who decided and why. */
const choiceFields = {
  take: z.enum(['incoming', 'current']).optional().meta({ description: 'keep the incoming or the current value' }),
  value: ScalarValue.optional().meta({ description: 'set this value instead (null clears the field)' }),
  reason: z.string().trim().min(1).max(500).optional(),
};

function exactlyOneChoice(body: { take?: string | undefined; value?: unknown }, ctx: z.RefinementCtx): void {
  if ((body.take === undefined) === (body.value === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give exactly one of take (incoming | current) or value', path: [] });
  }
}

const ResolveBody = z.strictObject(choiceFields).superRefine(exactlyOneChoice);

const BulkFilter = z.strictObject({
  entity: EntityNameSchema.optional(),
  system: z.string().min(1).max(100).optional(),
  field: z.string().min(1).max(100).optional(),
  canonicalId: Id.optional(),
});

const BulkBody = z
  .strictObject({
    ids: z.array(Id).min(1).max(MAX_BULK).optional().meta({ description: `conflict ids, at most ${MAX_BULK}` }),
    filter: BulkFilter.optional().meta({ description: `every open conflict matching all given keys (at most ${MAX_BULK} per request)` }),
    ...choiceFields,
  })
  .superRefine((body, ctx) => {
    if ((body.ids === undefined) === (body.filter === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of ids or filter', path: [] });
    }
    exactlyOneChoice(body, ctx);
  });

const OutcomeView = z.strictObject({
  conflictId: z.string(),
  ok: z.boolean(),
  value: ScalarValue.optional(),
  error: z.string().optional(),
  outboxIds: z.array(z.string()).optional(),
});

/** The request as the resolver takes it; `by` is the authenticated principal (never the body). */
function toRequest(body: z.infer<typeof ResolveBody>, by: string): ResolveRequest {
  const base = { by, ...opt('reason', body.reason) };
  return body.take !== undefined ? { ...base, choice: body.take } : { ...base, choice: 'value', value: body.value ?? null };
}

export function registerConflicts(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;
  const resolver = new ConflictResolver(store, policy, now);

  api.route({
    method: 'get',
    path: '/api/v1/conflicts',
    access: 'sync.read',
    operationId: 'listConflicts',
    summary: 'Conflicts waiting for a person (open by default)',
    tag: 'conflicts',
    query: ConflictQuery,
    responses: { 200: { description: 'a page of conflicts', schema: Page(ConflictView) } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.conflicts.list({
        limit: q.limit + 1,
        ...opt('status', q.status === 'all' ? undefined : q.status),
        ...opt('entity', q.entity),
        ...opt('system', q.system),
        ...opt('field', q.field),
        ...opt('canonicalId', q.canonicalId),
        ...opt('after', q.after),
      });
      return c.json(pageOf(rows, q.limit, (r) => r.id, toConflict));
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/conflicts/:id',
    access: 'sync.read',
    operationId: 'getConflict',
    summary: 'One conflict with the current canonical value and the record’s latest ledger entries',
    tag: 'conflicts',
    params: IdParam,
    errors: ['not_found'],
    responses: {
      200: {
        description: 'the conflict',
        schema: z.strictObject({
          data: ConflictView,
          currentValue: ScalarValue.meta({ description: 'the canonical value of the field now (null when the record is gone)' }),
          ledger: z.array(LedgerEntryView),
        }),
      },
    },
    handler: async ({ params }, c) => {
      const conflict = await store.repos.conflicts.get(params.id);
      if (!conflict) throw new ApiError('not_found', `conflict ${params.id} not found`);
      const [record, entries] = await Promise.all([
        store.repos.canonical.get(conflict.entity, conflict.canonicalId),
        store.repos.ledger.latestFor(conflict.entity, conflict.canonicalId, 20),
      ]);
      return c.json({ data: toConflict(conflict), currentValue: record?.fields[conflict.field] ?? null, ledger: entries.map(toLedgerEntry) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/conflicts/:id/resolve',
    access: 'conflicts.resolve',
    operationId: 'resolveConflict',
    summary: 'Resolve one conflict: take the incoming value, keep the current one, or set a value',
    description:
      'Updates the canonical record, writes the ledger with who and why, and queues outbox rows for every system left holding another value.',
    tag: 'conflicts',
    params: IdParam,
    body: ResolveBody,
    errors: ['not_found', 'refused', 'invalid'],
    responses: { 200: { description: 'the resolution and the conflict after it', schema: z.strictObject({ data: OutcomeView, conflict: ConflictView }) } },
    handler: async ({ params, body }, c) => {
      // resolveIn (not resolve) inside our own unit of work, so a refusal reaches the client as its status.
      const outcome = await store.unitOfWork((tx) => resolver.resolveIn(tx, params.id, toRequest(body, actorFor(c))));
      const conflict = await store.repos.conflicts.get(params.id);
      if (!conflict) throw new ApiError('not_found', `conflict ${params.id} not found`);
      return c.json({ data: outcomeView(outcome), conflict: toConflict(conflict) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/conflicts/resolve',
    access: 'conflicts.resolve',
    operationId: 'resolveConflicts',
    summary: 'Resolve many conflicts the same way, each in its own unit of work',
    description: 'One refusal does not undo the others: the answer lists an outcome per conflict.',
    tag: 'conflicts',
    body: BulkBody,
    responses: {
      200: {
        description: 'an outcome per conflict',
        schema: Single(z.array(OutcomeView)).extend({
          resolved: z.number().int(),
          refused: z.number().int(),
          more: z.boolean().meta({ description: `the filter matched more than ${MAX_BULK} open conflicts: send it again` }),
        }),
      },
    },
    handler: async ({ body }, c) => {
      let ids: string[];
      let more = false;
      if (body.ids !== undefined) {
        ids = [...new Set(body.ids)];
      } else {
        const f = body.filter ?? {};
        const open = await store.repos.conflicts.list({
          status: 'open', limit: MAX_BULK + 1, ...opt('entity', f.entity), ...opt('system', f.system), ...opt('field', f.field),
          ...opt('canonicalId', f.canonicalId),
        });
        more = open.length > MAX_BULK;
        ids = open.slice(0, MAX_BULK).map((x) => x.id);
      }
      const outcomes = await resolver.resolveMany(ids, toRequest(body, actorFor(c)));
      const resolved = outcomes.filter((o) => o.ok).length;
      return c.json({ data: outcomes.map(outcomeView), resolved, refused: outcomes.length - resolved, more });
    },
  });
}

function outcomeView(o: { conflictId: string; ok: boolean; value?: unknown; error?: string; outboxIds?: readonly string[] }): z.infer<typeof OutcomeView> {
  return {
    conflictId: o.conflictId,
    ok: o.ok,
    ...opt('value', o.value as z.infer<typeof ScalarValue> | undefined),
    ...opt('error', o.error),
    ...opt('outboxIds', o.outboxIds ? [...o.outboxIds] : undefined),
  };
}
