import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { setupWebhooks, type WebhookSetup } from '../../../connectors/gusto/setup-webhooks.ts';
import { signGusto, silentLogger as silentConnectorLogger, type ConnectorContext } from '../../../connectors/kit/index.ts';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../../fixtures/bullhorn/index.ts';
import type { Dataset } from '../../../fixtures/dataset/index.ts';
import { DEMO_GUSTO_REFRESH_TOKEN } from '../../../fixtures/demo-grant.ts';
import { startGustoEmulator, type RunningGustoEmulator } from '../../../fixtures/gusto/index.ts';
import { enqueueDuePushes } from '../../../jobs/lib/push-due.ts';
import { createUser } from '../../../src/access/admin.ts';
import { createApiKey, type NewApiKey } from '../../../src/access/credentials/api-keys.ts';
import { loadConfig } from '../../../src/config/index.ts';
import type { ServerHandle } from '../../../src/http/server.ts';
import { Hub } from '../../../src/hub.ts';
import { newId } from '../../../src/lib/ids.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { nowIso } from '../../../src/lib/time.ts';
import { Relay } from '../../../src/queue/index.ts';
import { queueNameFor, toBullmqJobId } from '../../../src/queue/bullmq.ts';
import { serveHub } from '../../../src/serve.ts';
import type { RunRow } from '../../../src/store/index.ts';
import { tempDir } from '../../support/temp-store.ts';
import { CLI, ROOT, start, type Running } from './process.ts';
import { EMULATOR_SECRETS } from './secrets.ts';


/** Far above what a test sends: the limits under test elsewhere must not slow these runs down. */
const GENEROUS_LIMIT = { requests: 100_000, perMs: 60_000 };

/** The bootstrap admin token (≥ 32 characters): it only creates the first ops user, so `api` sends real keys. */
export const ADMIN_TOKEN = 'runtime-test-admin-token-9e41c07d2b5a';

export interface WorldOptions {
  readonly dataset: Dataset;
  readonly redisUrl: string;
  readonly prefix: string;
}

/**
 * The hub as it runs in production, on one machine: both vendor emulators, a config file naming
 * them, `crosswalk serve`'s half in this process (HTTP app + relay, BullMQ driver that never works
 * jobs), and `crosswalk worker` as a child process (`node bin/crosswalk.js worker`) reading the
 * same config file, SQLite file and Redis prefix.
 */
export interface World {
  readonly bullhorn: RunningBullhornEmulator;
  readonly gusto: RunningGustoEmulator;
  /** The serve side: its queue driver only enqueues. */
  readonly hub: Hub;
  readonly server: ServerHandle;
  readonly configFile: string;
  readonly redisUrl: string;
  readonly prefix: string;
  /** The running `crosswalk worker`, if any. */
  worker: Running | null;
  startWorker(): Running;
  stopWorker(): Promise<void>;
  /** An API key of an ops_admin user: what `api` sends unless given another. */
  readonly opsKey: string;
  /** A new API key acting as a contact (approve, reject and open a requisition act as the caller). */
  contactKey(contactId: string): Promise<string>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Pulls a system (every mapped entity, parents first) through the queue; resolves with its runs once all finished. */
  sync(system: string, timeoutMs?: number): Promise<RunRow[]>;
  /** Subscribes the hub's webhook URL at the Gusto emulator through the real handshake. */
  subscribeGusto(): Promise<WebhookSetup>;
  /**
   * Makes the serve side's Gusto connector pick up the verification token setupWebhooks stored:
   * it re-reads the hub state at most once a second, so Gusto's first deliveries right after the
   * handshake would get 401 and wait for Gusto's retries. A signed `{}` answers 400 once verified.
   */
  primeGustoToken(token: string): Promise<void>;
  /** Queues every due push now instead of at the next relay sweep. */
  pushDue(): Promise<number>;
  /** Waits until SQLite holds no pending inbox row and no due or claimed outbox row, and the queues are empty. */
  settle(timeoutMs?: number): Promise<void>;
  /** A BullMQ queue object on the world's prefix, for reading job states. */
  bullQueue(system: string): Queue;
  /** The BullMQ state of a job by our job id (`inbox:<id>`), or null when Redis does not have it. */
  jobState(system: string, jobId: string): Promise<string | null>;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const temp = tempDir();
  const bullhorn = await startBullhornEmulator({ dataset: options.dataset, port: 0, rateLimitPerMinute: 100_000 });
  const gusto = await startGustoEmulator({
    dataset: options.dataset, port: 0, demoRefreshToken: DEMO_GUSTO_REFRESH_TOKEN, rateLimit: 100_000,
    webhookRetry: { baseDelayMs: 100, maxDelayMs: 1_000, maxRetries: 8, timeoutMs: 5_000 },
  });
  const configFile = join(temp.dir, 'crosswalk.config.yaml');
  writeFileSync(
    configFile,
    stringify({
      database: join(temp.dir, 'crosswalk.sqlite'),
      mappings: join(ROOT, 'mappings'),
      queue: { driver: 'bullmq', prefix: options.prefix, concurrency: 8 },
      http: { host: '127.0.0.1', port: 0 },
      systems: [
        { id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: bullhorn.baseUrl, rateLimit: GENEROUS_LIMIT },
        { id: 'gusto', connector: 'gusto', kind: 'payroll', baseUrl: gusto.baseUrl, rateLimit: GENEROUS_LIMIT },
      ],
      demoSecrets: EMULATOR_SECRETS,
    }),
  );
  const config = loadConfig({ file: configFile, env: { REDIS_URL: options.redisUrl, CROSSWALK_ADMIN_TOKEN: ADMIN_TOKEN } });
  const hub = new Hub(config, { env: {}, logger: silentLogger() });
  // What `crosswalk serve` does with REDIS_URL set: no hub.work(), a relay, the HTTP server.
  const relay = new Relay({ store: hub.store(), driver: hub.queue() });
  await relay.start();
  const server = await serveHub(hub, { port: 0 });
  const inspectRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const inspectQueues = new Map<string, Queue>();
  const newKey = (owner: Pick<NewApiKey, 'ownerKind' | 'ownerId'>) =>
    hub.store().unitOfWork(async (tx) => (await createApiKey(tx, {
      name: 'runtime test', ...owner, role: null, scopes: ['read', 'write'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test',
    }, nowIso())).key);
  const opsUser = await hub.store().unitOfWork((tx) => createUser(tx, { email: 'ops@runtime.example.test', role: 'ops_admin' }, nowIso()));
  const opsKey = await newKey({ ownerKind: 'user', ownerId: opsUser.id });

  const world: World = {
    bullhorn, gusto, hub, server, configFile, redisUrl: options.redisUrl, prefix: options.prefix,
    worker: null,
    opsKey,
    contactKey: (contactId) => newKey({ ownerKind: 'contact', ownerId: contactId }),
    startWorker() {
      if (world.worker) throw new Error('a worker is already running');
      const env: NodeJS.ProcessEnv = { ...process.env, CROSSWALK_CONFIG: configFile, REDIS_URL: options.redisUrl, LOG_LEVEL: 'warn' };
      for (const name of ['CROSSWALK_DB', 'CROSSWALK_QUEUE_PREFIX', 'PORT']) delete env[name];
      world.worker = start([CLI, 'worker'], { cwd: temp.dir, env });
      return world.worker;
    },
    async stopWorker() {
      const w = world.worker;
      world.worker = null;
      if (!w) return;
      const { code, signal } = await w.stop();
      if (code !== 0 && signal !== 'SIGKILL') throw new Error(`worker exited ${code ?? signal}:\n${w.output()}`);
    },
    async api(method, path, body, token = opsKey) {
      const res = await fetch(`${server.url}${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async sync(system, timeoutMs = 60_000) {
      const since = nowIso();
      const order = hub.pullOrder(system);
      const [first, ...then] = order as [string, ...string[]];
      await hub.queue().enqueue('sync.pull', { system, entity: first, full: true, then }, { jobId: `pull:${system}:test:${newId()}` });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const runs = (await hub.store().repos.runs.list({ kind: 'pull', system, limit: 100 })).filter((r) => r.startedAt >= since);
        if (order.every((entity) => runs.some((r) => r.entity === entity && r.status !== 'running'))) return runs;
        if (Date.now() > deadline) throw new Error(`sync ${system} did not finish: ${JSON.stringify(runs.map((r) => [r.entity, r.status]))}\n${world.worker?.output() ?? 'no worker'}`);
        await sleep(50);
      }
    },
    async subscribeGusto() {
      const store = hub.store();
      const ctx: ConnectorContext = {
        systemId: 'gusto', baseUrl: gusto.baseUrl, credentials: { apiToken: EMULATOR_SECRETS['CROSSWALK_GUSTO_API_TOKEN'] ?? '' },
        state: { get: (k) => store.repos.state.get('gusto', k), set: (k, v) => store.unitOfWork((tx) => tx.state.set('gusto', k, v, nowIso())) },
        logger: silentConnectorLogger,
      };
      const setup = await setupWebhooks(ctx, `${server.url}/webhooks/gusto`, { timeoutMs: 10_000, pollMs: 20 });
      await gusto.control.webhooksIdle(10_000);
      return setup;
    },
    async primeGustoToken(token) {
      const body = Buffer.from('{}');
      const post = () => fetch(`${server.url}/webhooks/gusto`, { method: 'POST', headers: { 'content-type': 'application/json', ...signGusto(body, token) }, body }).then((r) => r.status);
      let status = await post();
      await waitUntil('the webhook route to know the verification token', async () => (status = await post()) !== 401, 5_000);
      if (status !== 400) throw new Error(`a signed empty body answered ${status}, expected 400`);
    },
    pushDue: () => enqueueDuePushes(hub, (name, payload, opts) => hub.queue().enqueue(name, payload, opts)),
    async settle(timeoutMs = 60_000) {
      const store = hub.store();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const inbox = (await store.repos.inbox.pending(1)).length;
        const outbox = (await store.repos.outbox.due(nowIso(), 1)).length + (await store.repos.outbox.list({ status: 'processing', limit: 1 })).length;
        const stats = await hub.queue().stats();
        const queued = Object.values(stats).reduce((n, c) => n + c.waiting + c.active, 0);
        if (inbox + outbox + queued === 0) return;
        if (Date.now() > deadline) throw new Error(`not settled: inbox ${inbox}, outbox ${outbox}, queued ${queued}\n${world.worker?.output() ?? 'no worker'}`);
        await sleep(50);
      }
    },
    bullQueue(system) {
      let q = inspectQueues.get(system);
      if (!q) {
        q = new Queue(queueNameFor(system), { connection: inspectRedis, prefix: options.prefix });
        inspectQueues.set(system, q);
      }
      return q;
    },
    async jobState(system, jobId) {
      const state = await world.bullQueue(system).getJobState(toBullmqJobId(jobId));
      return state === 'unknown' ? null : state;
    },
    async close() {
      await world.stopWorker().catch(() => undefined);
      await relay.stop();
      await server.close();
      for (const q of inspectQueues.values()) await q.close();
      inspectRedis.disconnect();
      await hub.close();
      await bullhorn.close();
      await gusto.close();
      temp.dispose();
    },
  };
  // Both queues exist from the start, so stats() and settle() see them.
  hub.queue().queues(['bullhorn', 'gusto']);
  return world;
}

/**
 * A world in the state the demo's first minutes leave: the worker running, both systems synced
 * (every run succeeded), the pushes they called for done, Gusto's webhooks subscribed and verified.
 */
export async function bootWorld(options: WorldOptions): Promise<{ world: World; verificationToken: string }> {
  const world = await startWorld(options);
  try {
    world.startWorker();
    for (const system of ['bullhorn', 'gusto']) {
      const runs = await world.sync(system);
      const failed = runs.filter((r) => r.status !== 'succeeded');
      if (failed.length > 0) throw new Error(`first sync of ${system}: ${JSON.stringify(failed.map((r) => [r.entity, r.status, r.error]))}`);
    }
    await world.pushDue();
    await world.settle();
    const { verificationToken } = await world.subscribeGusto();
    await world.primeGustoToken(verificationToken);
    return { world, verificationToken };
  } catch (err) {
    await world.close();
    throw err;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail() ? `\n${detail()}` : ''}`);
    await sleep(25);
  }
}
