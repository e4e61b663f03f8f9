import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { createApp, type CrosswalkApp } from './http/app.ts';
import { createCounters, type HttpCounters } from './http/deps.ts';
import type { AppEnv } from './http/env.ts';
import { startServer, type ServerHandle } from './http/server.ts';
import { mountWebhooks, type WebhookReceiver } from './http/webhooks.ts';
import { mountConsole } from './http/console/index.ts';
import { mountCsvRoutes } from './csv/http.ts';
import type { Hub } from './hub.ts';
import { isEntityName, type EntityName } from './model/index.ts';
import { newId } from './lib/ids.ts';
import { nowIso } from './lib/time.ts';
import { EnqueueBatcher, type QueueStats } from './queue/index.ts';
import { reconcileMetrics } from './reconcile/index.ts';
import { enqueueDuePushes } from '../jobs/lib/push-due.ts';

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
    systems: config.systems.map((s) => ({ id: s.id, kind: s.kind })),
    counters,
    log: hub.logger.child({ component: 'http' }),
    triggerSync: async (systemId, entity, full) => {
      const order = hub.pullOrder(systemId, entity ?? undefined);
      const [first, ...then] = order as [string, ...string[]];
      const jobId = `pull:${systemId}:api:${newId()}`;
      await hub.queue().enqueue('sync.pull', { system: systemId, entity: first, full, then }, { jobId });
      return { jobIds: [jobId] };
    },
    triggerReconcile: async (systemId, entity) => {
      const order = hub.pullOrder(systemId, entity ?? undefined);
      const [first, ...then] = order as [string, ...string[]];
      const jobId = `reconcile:${systemId}:api:${newId()}`;
      await hub.queue().enqueue('reconcile.run', { system: systemId, entity: first, then }, { jobId });
      return { jobIds: [jobId] };
    },
    health: async () => {
      if (hub.queue().kind !== 'bullmq') return { queue: { ok: true, detail: 'inline' } };
      try {
        await hub.queue().stats();
        return { redis: { ok: true } };
      } catch (err) {
        return { redis: { ok: false, detail: err instanceof Error ? err.message : 'unreachable' } };
      }
    },
    afterWrite: debounce(() => enqueueDuePushes(hub, (name, payload, options) => hub.queue().enqueue(name, payload, options)), 50, hub),
    metrics: async () => queueMetrics(await hub.queue().stats()) + (await reconcileMetrics(hub.store())),
    mount: (app, api) => {
      const enqueuer = new EnqueueBatcher(hub.queue());
      mountWebhooks(app, {
        store: hub.store(),
        counters,
        log: hub.logger.child({ component: 'webhooks' }),
        bodyLimit: config.http.webhookBodyLimit,
        now: nowIso,
        receiver: (system) => receiverFor(hub, system),
        enqueue: (system, inboxId) => enqueuer.enqueue({ name: 'webhook.process', payload: { system, inboxId }, options: { jobId: `inbox:${inboxId}` } }),
      });
      mountCsvRoutes(app, api, {
        store: hub.store(), engine: hub.engine(), mappings: hub.registry(), policy: hub.registry(), adminToken: config.adminToken,
        limits: { maxFileBytes: config.http.uploadBodyLimit }, log: hub.logger.child({ component: 'csv' }),
      });
      mountBullBoard(app, hub);
      mountConsole(app, {
        store: hub.store(), policy: hub.registry(), adminToken: config.adminToken, systems: config.systems,
        log: hub.logger.child({ component: 'console' }),
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
  return {
    verify: (raw, headers) => connector.verifyWebhook?.(raw, headers) ?? { ok: false, status: 401, reason: 'no verifier' },
    parse: (raw, headers) => connector.parseWebhook?.(raw, headers) ?? [],
    keepHeaders: [hub.manifest(system).webhook?.idHeader, hub.manifest(system).webhook?.timestampHeader].filter((h): h is string => h !== undefined),
    ...(connector.acceptWebhookHandshake && { handshake: async (raw, headers) => (await connector.acceptWebhookHandshake?.(raw, headers)) ?? false }),
  };
}

/** Bull Board at /admin/queues, behind basic auth with the admin token as password. */
function mountBullBoard(app: Hono<AppEnv>, hub: Hub): void {
  const token = hub.config.adminToken;
  const base = '/admin/queues';
  app.use(
    `${base}/*`,
    basicAuth({
      verifyUser: (_user, password) => token !== null && token !== '' && safeEqual(password, token),
      realm: 'crosswalk',
    }),
  );
  if (hub.queue().kind !== 'bullmq') {
    app.get(base, (c) => c.text('The inline queue runs jobs in-process; set REDIS_URL to queue on BullMQ and see them here.', 200));
    return;
  }
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(base);
  createBullBoard({ queues: hub.queue().queues(hub.config.systems.map((s) => s.id)).map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  app.route(base, adapter.registerPlugin());
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function queueMetrics(stats: QueueStats): string {
  const lines = ['# HELP crosswalk_queue_jobs Jobs in each system queue by state.', '# TYPE crosswalk_queue_jobs gauge'];
  for (const [system, counts] of Object.entries(stats)) {
    for (const [state, n] of Object.entries(counts)) lines.push(`crosswalk_queue_jobs{system="${system.replace(/["\\\n]/g, '_')}",state="${state}"} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function serveHub(hub: Hub, options: { port?: number; host?: string } = {}): Promise<ServerHandle> {
  const app = buildHttpApp(hub);
  return startServer(app, { host: options.host ?? hub.config.http.host, port: options.port ?? hub.config.http.port });
}

export function entityOrNull(name: string | null): EntityName | null {
  return name !== null && isEntityName(name) ? name : null;
}
