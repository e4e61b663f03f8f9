import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { nowIso } from '../lib/time.ts';
import { createLogger } from '../lib/logger.ts';
import { requireAdminToken } from './auth.ts';
import { createCounters, type HttpDeps, type ResolvedDeps } from './deps.ts';
import type { AppEnv } from './env.ts';
import { envelope, errorResponse } from './errors.ts';
import { createRegistrar, type RouteRegistrar } from './route.ts';
import { registerAssignments } from './routes/assignments.ts';
import { registerConflicts } from './routes/conflicts.ts';
import { registerHealth } from './routes/health.ts';
import { registerIdentity } from './routes/identity.ts';
import { registerLedger } from './routes/ledger.ts';
import { registerMetrics } from './routes/metrics.ts';
import { registerOpenApi } from './routes/openapi.ts';
import { registerQueues } from './routes/queues.ts';
import { registerRecords } from './routes/records.ts';
import { registerRequisitions } from './routes/requisitions.ts';
import { registerRuns } from './routes/runs.ts';
import { registerSystems } from './routes/systems.ts';
import { registerTimeEntries } from './routes/time-entries.ts';

export const DEFAULT_JSON_BODY_LIMIT = 1_048_576;

export type CrosswalkApp = Hono<AppEnv> & {
  /** Every route registered through the registrar: the OpenAPI document's source. */
  readonly apiRoutes: RouteRegistrar['routes'];
};

function resolve(deps: HttpDeps): ResolvedDeps {
  return {
    ...deps,
    now: deps.now ?? nowIso,
    counters: deps.counters ?? createCounters(),
    log: deps.log ?? createLogger({ name: 'http' }),
    jsonBodyLimit: deps.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT,
  };
}

/** The response's route template for metrics: a bounded label, never the raw path. */
function routeLabel(c: Parameters<typeof matchedRoutes>[0]): string {
  const last = matchedRoutes(c).at(-1);
  return last && last.method !== 'ALL' ? last.path : 'unmatched';
}

/**
 * The hono app: request id, response counting, bearer auth on `/api/v1`, the API's routes, then
 * whatever `deps.mount` adds (webhooks, Bull Board). One error envelope for everything.
 */
export function createApp(input: HttpDeps): CrosswalkApp {
  const deps = resolve(input);
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
    // A write that succeeded may have left outbox rows: let the runtime queue their pushes now.
    // (A webhook delivery only writes its inbox row; what its processing changes is queued by the job.)
    if (deps.afterWrite && c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.res.status < 400 && !c.req.path.startsWith('/webhooks/')) {
      deps.afterWrite();
    }
    const route = routeLabel(c);
    const key = `${c.req.method} ${route} ${c.res.status}`;
    const counter = deps.counters.httpResponses.get(key);
    if (counter) counter.count++;
    else deps.counters.httpResponses.set(key, { method: c.req.method, route, status: c.res.status, count: 1 });
  });
  app.use('/api/v1/*', requireAdminToken(deps.adminToken));

  const api = createRegistrar(app, deps.jsonBodyLimit);
  registerRecords(api, deps);
  registerLedger(api, deps);
  registerConflicts(api, deps);
  registerIdentity(api, deps);
  registerRuns(api, deps);
  registerQueues(api, deps);
  registerSystems(api, deps);
  registerTimeEntries(api, deps);
  registerRequisitions(api, deps);
  registerAssignments(api, deps);
  registerHealth(api, deps);
  registerMetrics(api, deps);
  registerOpenApi(api);
  deps.mount?.(app, api);

  app.notFound((c) => c.json(envelope('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => errorResponse(err, c, deps.log));
  return Object.assign(app, { apiRoutes: api.routes });
}
