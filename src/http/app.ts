import { Hono, type Context } from 'hono';
import { accessFor } from './caller.ts';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { nowIso } from '../lib/time.ts';
import { sensitiveHeaders } from '../../connectors/index.ts';
import { createLogger } from '../lib/logger.ts';
import { authFailureAudit, createAuthenticator } from '../access/authenticate.ts';
import { clientIp, writeAudit } from './audit.ts';
import { fromThisOrigin } from './origin.ts';
import { idempotencyRunner } from './idempotency.ts';
import { registerAccess } from './routes/access.ts';
import { registerMe } from './routes/me.ts';
import { mountSignIn } from './sign-in.ts';
import { mountApprovalLinks } from './approval-link.ts';
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
import { registerInvoices } from './routes/invoices.ts';
import { registerRequisitionRequests } from './routes/requisition-requests.ts';
import { registerRequisitions } from './routes/requisitions.ts';
import { registerRuns } from './routes/runs.ts';
import { registerSystems } from './routes/systems.ts';
import { registerTimeEntries } from './routes/time-entries.ts';
import { registerNotifications } from './routes/notifications.ts';
import { registerDocuments } from './routes/documents.ts';
import { registerComments } from './routes/comments.ts';
import { documentServicesFor } from '../documents/runtime.ts';

export const DEFAULT_JSON_BODY_LIMIT = 1_048_576;

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);


export type CrosswalkApp = Hono<AppEnv> & {
  /** Every route registered through the registrar: the OpenAPI document's source. */
  readonly apiRoutes: RouteRegistrar['routes'];
};

function resolve(deps: HttpDeps): ResolvedDeps {
  return {
    ...deps,
    now: deps.now ?? nowIso,
    counters: deps.counters ?? createCounters(),
    log: deps.log ?? createLogger({ name: 'http', redactHeaders: sensitiveHeaders() }),
    jsonBodyLimit: deps.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT,
    documents: deps.documents ?? documentServicesFor(deps.store),
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
  const authenticator = deps.authenticator ?? createAuthenticator({ store: deps.store, now: deps.now, adminToken: deps.adminToken });
  // Every API request resolves its one principal before any route runs (null: nobody signed in; the
  // route's policy action decides whether that is enough). A credential that fails is a 401 with the
  // reason, and an audit row — never a fall back to anonymous.
  app.use('/api/v1/*', async (c, next) => {
    c.set('principal', null);
    const result = await authenticator.authenticate({
      authorization: c.req.header('authorization'), cookie: c.req.header('cookie'), ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null,
    });
    if (result.ok === false) {
      await deps.store.repos.audit.append([authFailureAudit(result, { at: deps.now(), ip: clientIp(c), userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null, requestId: c.get('requestId') })]);
      return c.json(envelope('unauthorized', result.reason), 401, { 'WWW-Authenticate': 'Bearer realm="crosswalk", error="invalid_token"' });
    }
    if (result.ok === true) {
      const principal = result.principal;
      // A browser's cookie rides along on any site's form: a cookie-authenticated write must come
      // from this origin (API keys and bearer tokens are never sent by a browser on its own).
      if (principal.credential.type === 'session' && !SAFE_METHODS.has(c.req.method) && !fromThisOrigin(c.req.url, c.req.header('origin'), c.req.header('sec-fetch-site'))) {
        return c.json(envelope('forbidden', 'a cookie-authenticated write must come from this origin'), 403);
      }
      c.set('principal', principal);
    }
    await next();
    // The access audit: what the route marked (writes, sensitive reads, refusals), with the outcome.
    const mark = c.get('audit');
    if (mark !== undefined) {
      const status = c.res.status;
      await writeAudit(deps.store, c, {
        principal: c.get('principal') ?? null, requestId: c.get('requestId') ?? null, action: mark.action, targetType: mark.targetType, targetId: mark.targetId,
        outcome: status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failure',
        reason: mark.reason ?? (status < 400 ? null : `HTTP ${status}`),
      }, deps.now());
    }
    return undefined;
  });

  const everywhere = async (c: Context<AppEnv>) => (await accessFor(c, deps.store.repos, deps.now())).everything;
  const api = createRegistrar(app, deps.jsonBodyLimit, idempotencyRunner(deps.store, deps.now), everywhere);
  registerRecords(api, deps);
  registerLedger(api, deps);
  registerConflicts(api, deps);
  registerIdentity(api, deps);
  registerRuns(api, deps);
  registerQueues(api, deps);
  registerSystems(api, deps);
  registerTimeEntries(api, deps);
  registerRequisitions(api, deps);
  registerInvoices(api, deps);
  registerRequisitionRequests(api, deps);
  registerAssignments(api, deps);
  registerDocuments(app, api, deps);
  registerComments(api, deps);
  registerHealth(api, deps);
  registerMetrics(api, deps);
  registerMe(api, deps);
  registerAccess(api, deps);
  registerNotifications(api, deps);
  mountSignIn(app, api, deps);
  mountApprovalLinks(app, deps);
  registerOpenApi(api);
  deps.mount?.(app, api);

  app.notFound((c) => c.json(envelope('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => errorResponse(err, c, deps.log));
  return Object.assign(app, { apiRoutes: api.routes });
}
