import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { queueNameFor, toBullmqJobId } from '../../src/queue/bullmq.ts';
import { createQueueDriver, inboxJobId, Relay, type QueueDriver } from '../../src/queue/index.ts';
import { deletePrefix, SHARED_REDIS_URL, startPrivateRedis, uniquePrefix } from '../queue/support.ts';
import { countRows } from '../support/temp-store.ts';
import { errorOf, eventBody, gustoHeaders, startHarness, type Harness, type HarnessOptions } from './support.ts';

/*
 * What the route does when what it depends on fails. The inbox write is the acknowledgement: when
 * it cannot happen the vendor gets 503 with Retry-After (and retries), nothing is queued, and no
 * 500 reaches it. The queue is not the system of record: when the enqueue fails (Redis down) the
 * delivery is still acknowledged, the row is committed, and the relay queues it later.
 */

const PREFIX = uniquePrefix('h13-webhooks');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => deletePrefix(SHARED_REDIS_URL, PREFIX));

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

function bullmq(redisUrl: string): QueueDriver {
  const driver = createQueueDriver({ driver: 'bullmq', redisUrl, prefix: PREFIX });
  cleanups.push(() => driver.close({ timeoutMs: 2_000 }));
  return driver;
}

function statusesOf(h: Harness): number[] {
  return [...h.counters.httpResponses.values()].map((r) => r.status);
}

describe('inbox write fails', () => {
  it('the file is locked by another connection (BEGIN EXCLUSIVE) → 503 + Retry-After, nothing enqueued; the retry after the lock goes succeeds', async () => {
    const h = await harness({ busyTimeoutMs: 150 });
    const other = new Database(h.path);
    cleanups.push(() => {
      if (other.open) other.close();
    });
    other.exec('BEGIN EXCLUSIVE');

    const body = eventBody(1, {}, 0x6);
    const refused = await h.post('gusto', body, gustoHeaders(body));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(errorOf(refused)?.code).toBe('unavailable');
    expect(h.enqueued).toEqual([]);
    expect(h.log.lines.map((l) => [l.level, l.msg])).toEqual([['error', 'webhook inbox write failed']]);

    other.exec('ROLLBACK');
    other.close();
    const retried = await h.post('gusto', body, gustoHeaders(body));
    expect(retried.status).toBe(202);
    expect(h.inboxRows()).toBe(1);
    expect(h.enqueued).toHaveLength(1);
    expect(statusesOf(h).filter((s) => s >= 500 && s !== 503)).toEqual([]);
  });

  it('the store is closed → 503 + Retry-After, nothing enqueued, no 500', async () => {
    const h = await harness();
    h.store.close();
    const body = eventBody(2, {}, 0x6);
    const refused = await h.post('gusto', body, gustoHeaders(body));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(h.enqueued).toEqual([]);
    // A duplicate check needs the store too: the second copy is refused the same way, not a 500.
    expect((await h.post('gusto', body, gustoHeaders(body))).status).toBe(503);
    expect(statusesOf(h)).toEqual([503]);
  });
});

describe('enqueue fails', () => {
  it('a driver whose enqueue rejects → still 202, row committed; a relay sweep with a working driver queues it', async () => {
    const h = await harness({ enqueue: () => Promise.reject(new Error('Connection is closed.')) });
    const body = eventBody(3, {}, 0x7);
    const reply = await h.post('gusto', body, gustoHeaders(body));
    expect(reply.status).toBe(202);
    const inboxId = (reply.json as { inboxId: string }).inboxId;
    expect(h.enqueued).toEqual([{ system: 'gusto', inboxId }]);
    expect(countRows(h.store, 'inbox', `id = '${inboxId}' AND status = 'pending'`)).toBe(1);
    expect(h.log.lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'webhook enqueue failed; the relay will pick it up']]);

    const driver = bullmq(SHARED_REDIS_URL);
    const swept = await new Relay({ store: h.store, driver }).sweep();
    expect(swept.inbox).toBe(1);
    const redis = new Redis(SHARED_REDIS_URL);
    const queue = new Queue(queueNameFor('gusto'), { connection: redis, prefix: PREFIX });
    cleanups.push(async () => {
      await queue.close();
      redis.disconnect();
    });
    const job = await queue.getJob(toBullmqJobId(inboxJobId(inboxId)));
    expect(job?.name).toBe('webhook.process');
    expect(job?.data).toEqual({ system: 'gusto', inboxId });
  });

  it('an enqueue that never settles → 202 after enqueueTimeoutMs, with a warning', async () => {
    const h = await harness({ enqueueTimeoutMs: 150, enqueue: () => new Promise<void>(() => undefined) });
    const body = eventBody(5, {}, 0x7);
    const t0 = performance.now();
    const reply = await h.post('gusto', body, gustoHeaders(body));
    const ms = performance.now() - t0;
    expect(reply.status).toBe(202);
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1_500);
    expect(h.inboxRows()).toBe(1);
    expect(h.log.lines.map((l) => l.msg)).toEqual(['webhook enqueue failed; the relay will pick it up']);
  });

  it('Redis dies after the driver connected → acknowledged within 2 s (not after ioredis gives up), row committed', async () => {
    const redis = await startPrivateRedis();
    // stop() is not safe to call twice (a SIGKILLed child has signalCode, not exitCode): once only.
    let stopped: Promise<void> | null = null;
    const stopRedis = () => (stopped ??= redis.stop());
    cleanups.push(stopRedis);
    const driver = bullmq(redis.url);
    await driver.enqueue('webhook.process', { system: 'gusto', inboxId: 'warm-up' }, { jobId: inboxJobId('warm-up') });
    await stopRedis();

    const h = await harness({ enqueue: (system, inboxId) => driver.enqueue('webhook.process', { system, inboxId }, { jobId: inboxJobId(inboxId) }) });
    const body = eventBody(4, {}, 0x7);
    const t0 = performance.now();
    const reply = await h.post('gusto', body, gustoHeaders(body));
    const ms = performance.now() - t0;
    expect(reply.status).toBe(202);
    expect(ms).toBeLessThan(2_000);
    expect(h.inboxRows()).toBe(1);
    expect(h.log.lines.map((l) => l.msg)).toEqual(['webhook enqueue failed; the relay will pick it up']);
  });
});
