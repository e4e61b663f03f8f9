import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { createCounters } from '../../src/http/deps.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { mountWebhooks } from '../../src/http/webhooks.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { nowIso } from '../../src/lib/time.ts';
import { createQueueDriver, EnqueueBatcher, inboxJobId, type QueueDriver } from '../../src/queue/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { passArgs, reportPass } from '../lib/child.ts';
import { gustoReceiver } from './ingest/receiver.ts';

/**
 * One server of the ingest scenario, in its own process (see ingest/server-process.ts). Sides:
 * - raw: a bare node:http handler that reads the body, parses the JSON and answers 200;
 * - hub: createApp + mountWebhooks with the Gusto verifier, the durable inbox commit on a fresh
 *   SQLite file in `dir`, and the enqueue on BullMQ (`redisUrl`, under `prefix`, obliterated at
 *   the end) or, with no Redis, on the inline driver with no worker.
 * Result: rows = deliveries handled (raw) or inbox rows (hub); extra.jobs = jobs queued.
 */
interface Args {
  side: 'raw' | 'hub';
  dir: string;
  redisUrl: string | null;
  prefix: string;
}

const args = passArgs<Args>();
const SYSTEM = 'gusto';

function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const input = createInterface({ input: process.stdin });
    input.on('line', (line) => {
      if (line.trim() === 'stop') resolve();
    });
    input.on('close', () => resolve());
  });
}

async function runRaw(): Promise<void> {
  let handled = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        handled++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t0 = performance.now();
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  await stopRequested();
  const ms = performance.now() - t0;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  reportPass(handled, ms, { jobs: 0 });
}

async function usedMemory(redis: Redis | null): Promise<number> {
  if (!redis) return 0;
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Removes whatever the queue left under the prefix (obliterate keeps nothing, this is belt and braces). */
async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function runHub(): Promise<void> {
  const store = SqliteStore.open(join(args.dir, 'hub.sqlite'));
  const driver: QueueDriver = args.redisUrl
    ? createQueueDriver({ driver: 'bullmq', redisUrl: args.redisUrl, prefix: args.prefix })
    : createQueueDriver({ driver: 'inline' });
  const redis = args.redisUrl ? new Redis(args.redisUrl, { maxRetriesPerRequest: 3 }) : null;
  // Connect before the clock starts: the first delivery should not pay for the Redis handshake.
  driver.queues([SYSTEM]);
  await driver.stats();
  const memoryBefore = await usedMemory(redis);

  const counters = createCounters();
  const log = silentLogger();
  const receiver = gustoReceiver();
  const enqueuer = new EnqueueBatcher(driver);
  const app = createApp({
    store, policy: new StaticPolicy({ inbound: {} }), adminToken: null, systems: [{ id: SYSTEM, kind: 'payroll' }], counters, log,
    mount: (a) =>
      mountWebhooks(a, {
        store, counters, log, bodyLimit: 1_048_576, now: nowIso,
        receiver: (system) => (system === SYSTEM ? receiver : null),
        // As src/serve.ts wires it: enqueues of one event-loop turn share one addBulk.
        enqueue: (system, inboxId) => enqueuer.enqueue({ name: 'webhook.process', payload: { system, inboxId }, options: { jobId: inboxJobId(inboxId) } }),
      }),
  });
  const server: ServerHandle = await startServer(app, { host: '127.0.0.1', port: 0 });
  const t0 = performance.now();
  process.stdout.write(`listening ${server.url}\n`);
  await stopRequested();
  const ms = performance.now() - t0;
  await server.close();

  const rows = store.db.prepare('SELECT count(*) FROM inbox').pluck().get() as number;
  const counts = (await driver.stats())[SYSTEM];
  const jobs = counts ? counts.waiting + counts.active + counts.delayed + counts.completed + counts.failed : 0;
  const memoryAfter = await usedMemory(redis);
  if (redis) {
    await Promise.all(driver.queues([SYSTEM]).map((q) => q.obliterate({ force: true })));
    await deletePrefix(redis, args.prefix);
    redis.disconnect();
  }
  await driver.close({ timeoutMs: 5_000 });
  store.close();
  reportPass(rows, ms, {
    jobs,
    accepted: counters.webhookAccepted.get(SYSTEM) ?? 0,
    duplicates: counters.webhookDuplicates.get(SYSTEM) ?? 0,
    verifyFailures: counters.webhookVerifyFailures.get(SYSTEM) ?? 0,
    redisUsedMemoryDeltaMb: (memoryAfter - memoryBefore) / 1_048_576,
  });
}

if (args.side === 'raw') await runRaw();
else await runHub();
