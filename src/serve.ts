import { filesRoot } from './config/index.ts';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import { startRetention } from './access/retention.ts';
import { authenticatorFromEnv, mailerFromEnv } from './access/runtime.ts';
import { createApp, type CrosswalkApp } from './http/app.ts';
import { createCounters, type HttpCounters } from './http/deps.ts';
import type { AppEnv } from './http/env.ts';
import { startServer, type ServerHandle } from './http/server.ts';
import { mountWebhooks, type WebhookReceiver } from './http/webhooks.ts';
import { mountConsole, OpsSignIn } from './http/console/index.ts';
import { signInRequest, SIGN_IN_FAILED, SIGN_IN_LIMITED } from './http/console/auth.ts';
import { allowedOrigins, crossOriginRefusal } from './http/console/csrf.ts';
import { isCsvUpload, mountCsvRoutes } from './csv/http.ts';
import { isDocumentUpload } from './http/routes/document-upload.ts';
import type { Hub } from './hub.ts';
import { isEntityName, type EntityName } from './model/index.ts';
import { nowIso } from './lib/time.ts';
import { TimeoutError, withTimeout } from './lib/timeout.ts';
import { renderFamily } from './http/metrics/exposition.ts';
import { EnqueueBatcher, type QueueCounts, type QueueStats } from './queue/index.ts';
import { reconcileMetrics } from './reconcile/index.ts';
import { enqueueDuePushes } from '../jobs/lib/push-due.ts';
import { checkWebhookSignatureForm } from '../connectors/kit/index.ts';
import { inboxJobId } from './queue/ids.ts';
import { requestPull, requestReconcile } from '../jobs/lib/request-run.ts';
import { startTimeWorkflowTimer } from './engine/time/timer.ts';
import { DEFAULT_TIME_SETTINGS } from './model/index.ts';

/**
 * The hub's HTTP face: the API, webhooks, health, metrics and Bull Board, wired to the hub's
 * services. `crosswalk serve` and the demo both start it.
 */
export function buildHttpApp(hub: Hub, counters: HttpCounters = createCounters()): CrosswalkApp {
  const config = hub.config;
  return createApp({
    store: hub.store(),
    policy: hub.registry(),
    adminToken: config.adminToken,
    authenticator: authenticatorFromEnv(hub.store(), config.adminToken),
    mailer: mailerFromEnv(filesRoot(config)),
    ...(process.env['CROSSWALK_PUBLIC_URL'] ? { publicUrl: process.env['CROSSWALK_PUBLIC_URL'] } : {}),
    systems: config.systems.map((s) => ({ id: s.id, kind: s.kind })),
    invoicing: config.invoicing,
    timeSettings: config.time ?? DEFAULT_TIME_SETTINGS,
    counters,
    log: hub.logger.child({ component: 'http' }),
    triggerSync: async (systemId, entity, full) => {
      const { runId, jobId } = await requestPull(hub, systemId, { entity: entity ?? undefined, full });
      return { runId, jobIds: [jobId] };
    },
    triggerReconcile: async (systemId, entity) => {
      const { runId, jobId } = await requestReconcile(hub, systemId, { entity: entity ?? undefined });
      return { runId, jobIds: [jobId] };
    },
    health: async () => {
      if (hub.queue().kind !== 'bullmq') return { queue: { ok: true, detail: 'inline' } };
      try {
        await withTimeout(hub.queue().stats(), QUEUE_STATS_TIMEOUT_MS);
        return { redis: { ok: true } };
      } catch (err) {
        return { redis: { ok: false, detail: err instanceof Error ? err.message : 'unreachable' } };
      }
    },
    afterWrite: debounce(() => enqueueDuePushes(hub, (name, payload, options) => hub.queue().enqueue(name, payload, options)), 50, hub),
    metrics: async () => (await queueMetrics(hub)) + (await reconcileMetrics(hub.store())),
    mount: (app, api) => {
      const enqueuer = new EnqueueBatcher(hub.queue());
      mountWebhooks(app, {
        store: hub.store(),
        counters,
        log: hub.logger.child({ component: 'webhooks' }),
        bodyLimit: config.http.webhookBodyLimit,
        now: nowIso,
        receiver: (system) => receiverFor(hub, system),
        enqueue: (system, inboxId) => enqueuer.enqueue({ name: 'webhook.process', payload: { system, inboxId }, options: { jobId: inboxJobId(inboxId) } }),
      });
      mountCsvRoutes(app, api, {
        store: hub.store(), engine: hub.engine(), mappings: hub.registry(), policy: hub.registry(),
        limits: { maxFileBytes: config.http.uploadBodyLimit }, log: hub.logger.child({ component: 'csv' }),
      });
      // One password checker for the console and Bull Board: their failed sign-ins count together.
      const signIn = new OpsSignIn({ store: hub.store() });
      mountBullBoard(app, hub, { signIn });
      mountConsole(app, {
        store: hub.store(), policy: hub.registry(), signIn, systems: config.systems,
        log: hub.logger.child({ component: 'console' }),
        imports: { engine: hub.engine(), mappings: hub.registry() },
        mappings: { dir: config.mappings, systems: config.systems.map((s) => ({ id: s.id, connector: s.connector })), registry: hub.registry() },
      });
    },
  });
}

/** Runs `fn` once, `ms` after the first of a burst of calls; a failure is logged, never thrown at the caller. */
function debounce(fn: () => Promise<unknown>, ms: number, hub: Hub): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn().catch((err: unknown) => hub.logger.warn({ err }, 'queueing pushes after a write failed; the relay will'));
    }, ms);
    timer.unref();
  };
}

function receiverFor(hub: Hub, system: string): WebhookReceiver | null {
  if (!hub.config.systems.some((s) => s.id === system)) return null;
  const connector = hub.connector(system);
  if (!connector.verifyWebhook || !connector.parseWebhook) return null;
  // The manifest's signing scheme says which header carries the signature and in what form.
  const webhook = hub.manifest(system).webhook;
  const scheme = webhook === undefined || webhook.scheme === 'none' ? null : webhook.scheme;
  return {
    ...(scheme !== null && { checkHeaders: (headers) => checkWebhookSignatureForm(scheme, headers) }),
    verify: (raw, headers) => connector.verifyWebhook?.(raw, headers) ?? { ok: false, status: 401, reason: 'no verifier' },
    parse: (raw, headers) => connector.parseWebhook?.(raw, headers) ?? [],
    keepHeaders: [hub.manifest(system).webhook?.idHeader, hub.manifest(system).webhook?.timestampHeader].filter((h): h is string => h !== undefined),
    ...(connector.acceptWebhookHandshake && { handshake: async (raw, headers) => (await connector.acceptWebhookHandshake?.(raw, headers)) ?? false }),
  };
}

export interface BullBoardOptions {
  /** The ops users' password checker (share the console's, so failures count together). */
  readonly signIn: OpsSignIn;
  /**
   * Origins besides the request's own that a POST may come from (a TLS proxy's public URL).
   * @defaultValue []
   */
  readonly origins?: readonly string[];
}

/** The challenge that makes a browser show its sign-in box: every 401 here carries it. */
const BULL_BOARD_CHALLENGE = 'Basic realm="crosswalk", charset="UTF-8"';

/**
 * Bull Board at /admin/queues, for active ops admins only: a console session cookie, or Basic
 * e-mail:password (rate limited and audited with the console's sign-in). A missing or failed
 * credential is a 401 with `WWW-Authenticate` (answered here, not thrown: the app's error handler
 * would turn a thrown 401 into JSON without the header). Anything but GET/HEAD/OPTIONS must come
 * from this origin — Bull Board's own API accepts any body type, so a cross-site `text/plain` form
 * could otherwise retry, promote or clean jobs with the browser's credentials.
 */
export function mountBullBoard(app: Hono<AppEnv>, hub: Hub, options: BullBoardOptions): void {
  const base = '/admin/queues';
  const { signIn } = options;
  const extra = allowedOrigins(options.origins ?? []);
  const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
    const req = signInRequest(c);
    const challenge = (message: string) => c.text(message, 401, { 'WWW-Authenticate': BULL_BOARD_CHALLENGE });
    const header = c.req.header('authorization');
    let role: string;
    if (header !== undefined && header.trim() !== '') {
      const result = await signIn.basic(header, req);
      if (result === null) return challenge('Bull Board takes Basic e-mail:password of an ops admin, or a console session.');
      if (!result.ok) {
        return result.status === 429
          ? c.text(SIGN_IN_LIMITED, 429, { 'Retry-After': '900', 'WWW-Authenticate': BULL_BOARD_CHALLENGE })
          : challenge(SIGN_IN_FAILED);
      }
      role = result.user.role;
    } else {
      const session = await signIn.session(c.req.header('cookie'), req);
      if (session === null) return challenge('Sign in with the e-mail address and password of an ops admin.');
      if (!session.ok) return challenge('Your console session has ended; sign in again.');
      role = session.user.role;
    }
    if (role !== 'ops_admin') return c.text(`Bull Board is for ops admins; your role is ${role}.`, 403);
    const refusal = crossOriginRefusal({ method: c.req.method, url: c.req.url, header: (name) => c.req.header(name) }, extra);
    if (refusal !== null) return c.text(`${refusal.title}: ${refusal.message}`, 403);
    await next();
    return undefined;
  };
  // `/admin/queues/*` matches `/admin/queues` itself too (hono), so one registration guards both.
  app.use(`${base}/*`, guard);
  if (hub.queue().kind !== 'bullmq') {
    app.get(base, (c) => c.text('The inline queue runs jobs in-process; set REDIS_URL to queue on BullMQ and see them here.', 200));
    return;
  }
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(base);
  createBullBoard({ queues: hub.queue().queues(hub.config.systems.map((s) => s.id)).map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  app.route(base, adapter.registerPlugin());
}

/**
 * How long a scrape or a health check waits for the queue's job counts. A BullMQ command issued
 * while Redis is down after having been up waits out ioredis' reconnect retries (73 s measured);
 * /metrics and /health answer within 2 s whatever Redis does.
 */
export const QUEUE_STATS_TIMEOUT_MS = 1_500;

const QUEUE_STATES: ReadonlyArray<keyof QueueCounts> = ['waiting', 'active', 'delayed', 'failed', 'completed'];

/**
 * The queue's families for /metrics: job counts per system and state, and `crosswalk_queue_up`
 * (0 when the counts could not be read in time; the job counts are then left out, not zeroed, so
 * an alert on depth does not see an outage as an empty queue).
 */
export async function queueMetrics(hub: Pick<Hub, 'queue' | 'logger'>, timeoutMs = QUEUE_STATS_TIMEOUT_MS): Promise<string> {
  let stats: QueueStats | null = null;
  let reason = '';
  try {
    stats = await withTimeout(hub.queue().stats(), timeoutMs);
  } catch (err) {
    reason = err instanceof TimeoutError ? `no answer within ${timeoutMs} ms` : 'the queue refused the read';
    hub.logger.warn({ err }, 'metrics: queue job counts unavailable');
  }
  const up = renderFamily({
    name: 'crosswalk_queue_up',
    help: `Whether the queue's job counts could be read for this scrape (within ${timeoutMs} ms).`,
    type: 'gauge',
    samples: [{ value: stats ? 1 : 0 }],
  });
  if (!stats) return `# crosswalk_queue_jobs unavailable: ${reason}\n${up}`;
  const samples = Object.entries(stats).flatMap(([system, counts]) =>
    QUEUE_STATES.map((state) => ({ labels: { system, state }, value: counts[state] })),
  );
  return renderFamily({ name: 'crosswalk_queue_jobs', help: 'Jobs in each system queue by state.', type: 'gauge', samples }) + up;
}

export async function serveHub(hub: Hub, options: { port?: number; host?: string } = {}): Promise<ServerHandle> {
  const app = buildHttpApp(hub);
  const { http } = hub.config;
  const server = await startServer(app, {
    host: options.host ?? http.host,
    port: options.port ?? http.port,
    limits: {
      headersTimeoutMs: http.headersTimeoutMs, requestTimeoutMs: http.requestTimeoutMs, uploadTimeoutMs: http.uploadTimeoutMs,
      keepAliveTimeoutMs: http.keepAliveTimeoutMs, maxConnections: http.maxConnections,
    },
    isUpload: (method, path) => isCsvUpload(method, path) || isDocumentUpload(method, path),
  });
  // Audit events and idempotent answers past their retention go, now and every six hours.
  const retention = startRetention(hub.store(), hub.config.access, (err) => hub.logger.warn({ err }, 'purging expired audit events failed; next try in six hours'));
  // Time reminders, escalations and the release of cutoff holds whose next period has begun, every 15 minutes.
  const timeClock = startTimeWorkflowTimer(hub.store(), hub.registry(), hub.config.time ?? DEFAULT_TIME_SETTINGS, (err) => hub.logger.warn({ err }, 'time reminders pass failed; next try in 15 minutes'));
  return { ...server, close: async () => {
    timeClock.stop();
    retention.stop();
    await server.close();
  } };
}

export function entityOrNull(name: string | null): EntityName | null {
  return name !== null && isEntityName(name) ? name : null;
}
