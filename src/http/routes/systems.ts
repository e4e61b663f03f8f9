import { z } from 'zod';
import type { ResolvedDeps, TriggerResult } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { EntityNameSchema, Single } from '../schemas/common.ts';

const SystemParam = z.strictObject({ id: z.string().min(1).max(100) });

const TriggerView = z.strictObject({ runId: z.string().optional(), jobIds: z.array(z.string()) });

function toTrigger(r: TriggerResult): z.infer<typeof TriggerView> {
  return { ...(r.runId === undefined ? {} : { runId: r.runId }), jobIds: [...r.jobIds] };
}

/** Sync and reconcile triggers: they only queue work, through hooks the queue runtime provides. */
export function registerSystems(api: RouteRegistrar, deps: ResolvedDeps): void {
  const known = new Set(deps.systems.map((s) => s.id));
  const system = (id: string): string => {
    if (!known.has(id)) throw new ApiError('not_found', `no system "${id}" (configured: ${[...known].join(', ') || 'none'})`);
    return id;
  };

  api.route({
    method: 'post',
    path: '/api/v1/systems/:id/sync',
    access: 'sync.operate',
    operationId: 'triggerSync',
    summary: 'Queue a pull from a system (incremental unless full)',
    tag: 'systems',
    params: SystemParam,
    body: z.strictObject({
      entity: EntityNameSchema.optional().meta({ description: 'one entity; default every entity the system syncs' }),
      full: z.boolean().optional().meta({ description: 'ignore the saved cursor and pull everything (default false)' }),
    }),
    bodyOptional: true,
    errors: ['not_found', 'not_implemented', 'config_error'],
    responses: { 202: { description: 'queued', schema: Single(TriggerView) } },
    handler: async ({ params, body }, c) => {
      const id = system(params.id);
      if (!deps.triggerSync) throw new ApiError('not_implemented', 'sync triggers need the queue runtime, and this server was started without it');
      const result = await deps.triggerSync(id, body.entity ?? null, body.full ?? false);
      return c.json({ data: toTrigger(result) }, 202);
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/systems/:id/reconcile',
    access: 'sync.operate',
    operationId: 'triggerReconcile',
    summary: 'Queue a reconciliation of a system against the canonical store',
    tag: 'systems',
    params: SystemParam,
    body: z.strictObject({ entity: EntityNameSchema.optional().meta({ description: 'one entity; default every entity the system syncs' }) }),
    bodyOptional: true,
    errors: ['not_found', 'not_implemented', 'config_error'],
    responses: { 202: { description: 'queued', schema: Single(TriggerView) } },
    handler: async ({ params, body }, c) => {
      const id = system(params.id);
      if (!deps.triggerReconcile) {
        throw new ApiError('not_implemented', 'reconcile triggers need the queue runtime, and this server was started without it');
      }
      const result = await deps.triggerReconcile(id, body.entity ?? null);
      return c.json({ data: toTrigger(result) }, 202);
    },
  });
}
