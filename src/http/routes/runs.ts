import { z } from 'zod';
import { Id } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam, Limit, opt, Page, pageOf, Single } from '../schemas/common.ts';
import { RunView, toRun } from '../schemas/views.ts';

const RunsQuery = z.strictObject({
  kind: z.enum(['pull', 'reconcile', 'import', 'export', 'push']).optional(),
  system: z.string().min(1).max(100).optional(),
  entity: z.string().min(1).max(100).optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'partial']).optional(),
  before: Id.optional().meta({ description: 'keyset cursor: the `next` value of the previous page' }),
  limit: Limit,
});

export function registerRuns(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { runs } = deps.store.repos;

  api.route({
    method: 'get',
    path: '/api/v1/runs',
    access: 'sync.read',
    operationId: 'listRuns',
    summary: 'Pulls, reconciliations, imports and exports, newest first',
    tag: 'runs',
    query: RunsQuery,
    responses: { 200: { description: 'a page of runs', schema: Page(RunView) } },
    handler: async ({ query: q }, c) => {
      const rows = await runs.page({
        limit: q.limit + 1,
        ...opt('kind', q.kind),
        ...opt('system', q.system),
        ...opt('entity', q.entity),
        ...opt('status', q.status),
        ...opt('before', q.before),
      });
      return c.json(pageOf(rows, q.limit, (r) => r.id, toRun));
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/runs/:id',
    access: 'sync.read',
    operationId: 'getRun',
    summary: 'One run with its counts and report',
    tag: 'runs',
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the run', schema: Single(RunView) } },
    handler: async ({ params }, c) => {
      const run = await runs.get(params.id);
      if (!run) throw new ApiError('not_found', `run ${params.id} not found`);
      return c.json({ data: toRun(run) });
    },
  });
}
