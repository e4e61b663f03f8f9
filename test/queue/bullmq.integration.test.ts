import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../jobs/context.ts';
import { ConfigError } from '../../src/engine/errors.ts';
import { checkEvictionPolicy, createQueueDriver, JobPayloadError, type BullmqDriverOptions, type FailedJob, type QueueDriver, type WorkOptions } from '../../src/queue/index.ts';
import { toBullmqJobId } from '../../src/queue/bullmq.ts';
import { STALL_LIMIT_REASON } from '../../src/queue/stall-failures.ts';
import { captureLogger, deletePrefix, FAKE_HUB, handlersWith, SHARED_REDIS_URL, sleep, uniquePrefix, waitFor } from './support.ts';

// Real Redis on 127.0.0.1:6379 under a key prefix of this file's own; every key is deleted at the end.
const PREFIX = uniquePrefix('bullmq');
const open: QueueDriver[] = [];
const extraQueues: Queue[] = [];
const extraRedis: Redis[] = [];

function driver(options: Partial<BullmqDriverOptions> = {}): QueueDriver {
  const d = createQueueDriver({ driver: 'bullmq', redisUrl: SHARED_REDIS_URL, prefix: PREFIX, random: () => 0, ...options });
  open.push(d);
  return d;
}

async function working(handlers: Handlers, work: Partial<WorkOptions> = {}, options: Partial<BullmqDriverOptions> = {}): Promise<QueueDriver> {
  const d = driver(options);
  await d.work(handlers, { hub: FAKE_HUB, ...work });
  return d;
}

/** A Queue object of our own on a system's queue, to look at jobs the way Bull Board would. */
function inspect(system: string): Queue {
  const redis = new Redis(SHARED_REDIS_URL);
  extraRedis.push(redis);
  const q = new Queue(system, { connection: redis, prefix: PREFIX });
  extraQueues.push(q);
  return q;
}

afterEach(async () => {
  for (const d of open.splice(0)) await d.close({ timeoutMs: 2_000 });
});
afterAll(async () => {
  for (const q of extraQueues) await q.close();
  for (const r of extraRedis) await r.quit();
  await deletePrefix(SHARED_REDIS_URL, PREFIX);
});

describe('bullmq driver: enqueue', () => {
  it('validates against the catalog before queueing, and hands the handler the parsed payload', async () => {
    const seen: unknown[] = [];
    const ctxs: Array<{ jobId: string; attempt: number; finalAttempt: boolean; hub: unknown }> = [];
    const d = await working(
      handlersWith({
        'sync.pull': async (payload, ctx) => {
          seen.push(payload);
          ctxs.push({ jobId: ctx.jobId, attempt: ctx.attempt, finalAttempt: ctx.finalAttempt, hub: ctx.hub });
          await ctx.progress({ page: 1 });
        },
      }),
      { systems: ['enq'] },
    );
    // @ts-expect-error: entity is missing, which is what the test is about.
    await expect(d.enqueue('sync.pull', { system: 'enq' }, { jobId: 'pull:enq:bad' })).rejects.toBeInstanceOf(JobPayloadError);
    expect((await d.stats())['enq']).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });

    await d.enqueue('sync.pull', { system: 'enq', entity: 'Placement' }, { jobId: 'pull:enq:2026-11-25T10:15Z' });
    await d.drain({ timeoutMs: 10_000 });
    expect(seen).toEqual([{ system: 'enq', entity: 'Placement', runId: null, page: null, full: false, then: [] }]);
    // The colon-separated id comes back as it went in, whatever BullMQ stores.
    expect(ctxs).toEqual([{ jobId: 'pull:enq:2026-11-25T10:15Z', attempt: 1, finalAttempt: false, hub: FAKE_HUB }]);
    const [job] = await inspect('enq').getCompleted();
    expect(job?.progress).toEqual({ page: 1 });
    expect(job?.opts.priority).toBe(5);
    expect(job?.opts.attempts).toBe(6);
  });

  it('runs a job id added three times, two of them concurrently, once', async () => {
    let runs = 0;
    const d = await working(
      handlersWith({
        'webhook.process': async () => {
          runs++;
          await sleep(50);
        },
      }),
      { systems: ['dup'] },
    );
    const add = () => d.enqueue('webhook.process', { system: 'dup', inboxId: 'e1' }, { jobId: 'inbox:e1' });
    await Promise.all([add(), add()]);
    await waitFor('the job to start', () => runs === 1);
    await add(); // while it runs
    await d.drain({ timeoutMs: 10_000 });
    await add(); // completed and still kept: BullMQ ignores it too
    await sleep(100);
    await d.drain({ timeoutMs: 10_000 });
    expect(runs).toBe(1);
    expect((await d.stats())['dup']).toMatchObject({ completed: 1 });
  });

  it('adds in bulk (chunks of 500) and keeps only the newest 1,000 completed jobs', async () => {
    let runs = 0;
    const d = await working(handlersWith({ 'sync.push': async () => void runs++ }), { systems: ['bulk'], concurrency: 50 });
    const items = Array.from({ length: 1_050 }, (_, i) => ({
      name: 'sync.push' as const,
      payload: { system: 'bulk', outboxId: `o${i}` },
      options: { jobId: `outbox:o${i}:0` },
    }));
    await d.enqueueBulk(items);
    await d.enqueueBulk(items.slice(0, 10)); // ids already there: nothing new
    await d.drain({ timeoutMs: 30_000 });
    expect(runs).toBe(1_050);
    expect((await d.stats())['bulk']).toMatchObject({ completed: 1_000, waiting: 0 });
  });
});

describe('bullmq driver: failures', () => {
  it('retries with backoff and reports the job once its attempts run out', async () => {
    const tries: Array<{ id: string; attempt: number; final: boolean; at: number }> = [];
    const failed: FailedJob[] = [];
    const d = await working(
      handlersWith({
        'sync.push': async (p, ctx) => {
          tries.push({ id: p.outboxId, attempt: ctx.attempt, final: ctx.finalAttempt, at: Date.now() });
          if (p.outboxId === 'never' || ctx.attempt < 3) throw new Error('vendor 503');
        },
      }),
      { systems: ['retry'], onFailed: async (job) => void failed.push(job) },
      // random() = 0: delays are half their ceiling, 40 then 80 ms.
      { overrides: { 'sync.push': { attempts: 3, backoffMs: 80 } } },
    );
    await d.enqueue('sync.push', { system: 'retry', outboxId: 'later' }, { jobId: 'outbox:later:1' });
    await d.enqueue('sync.push', { system: 'retry', outboxId: 'never' }, { jobId: 'outbox:never:1' });
    await d.drain({ timeoutMs: 10_000 });

    const of = (id: string) => tries.filter((t) => t.id === id);
    expect(of('later').map((t) => [t.attempt, t.final])).toEqual([[1, false], [2, false], [3, true]]);
    expect(of('later')[1]!.at - of('later')[0]!.at).toBeGreaterThanOrEqual(35);
    expect(of('later')[2]!.at - of('later')[1]!.at).toBeGreaterThanOrEqual(75);
    expect(of('never')).toHaveLength(3);
    expect(failed.map((f) => [f.jobId, f.failure, f.attempt])).toEqual([['outbox:never:1', 'system_error', 3]]);
    const [job] = await inspect('retry').getFailed();
    expect(job?.failedReason).toBe('system_error: vendor 503');
    expect((await d.stats())['retry']).toMatchObject({ completed: 1, failed: 1 });
  });

  it('does not retry a configuration error and records it as config_error', async () => {
    let calls = 0;
    const failed: FailedJob[] = [];
    const d = await working(
      handlersWith({
        'webhook.process': async () => {
          calls++;
          throw new ConfigError('mapping gusto/employee.yaml: unknown field');
        },
      }),
      { systems: ['cfg'], onFailed: async (job) => void failed.push(job) },
    );
    await d.enqueue('webhook.process', { system: 'cfg', inboxId: 'i1' }, { jobId: 'inbox:i1' });
    await d.drain({ timeoutMs: 10_000 });
    expect(calls).toBe(1);
    expect(failed.map((f) => [f.failure, f.attempt])).toEqual([['config_error', 1]]);
    const [job] = await inspect('cfg').getFailed();
    expect(job?.failedReason).toBe('config_error: mapping gusto/employee.yaml: unknown field');
    expect(job?.attemptsMade).toBe(1);
  });

  it('on a rate-limit error pauses the system\'s whole queue without using up a try; other systems go on', async () => {
    const log: Array<{ what: string; at: number; attempt: number }> = [];
    let limited = false;
    const d = await working(
      handlersWith({
        'webhook.process': async (p, ctx) => {
          log.push({ what: `${p.system}/${p.inboxId}`, at: Date.now(), attempt: ctx.attempt });
          if (p.inboxId === 'first' && !limited) {
            limited = true;
            throw Object.assign(new Error('429'), { name: 'RateLimitedError', retryAfterMs: 400 });
          }
        },
      }),
      { systems: ['rl', 'rl-other'], concurrency: 1 },
    );
    await d.enqueue('webhook.process', { system: 'rl', inboxId: 'first' }, { jobId: 'inbox:first' });
    await waitFor('the 429', () => limited);
    await d.enqueue('webhook.process', { system: 'rl', inboxId: 'second' }, { jobId: 'inbox:second' });
    await d.enqueue('webhook.process', { system: 'rl-other', inboxId: 'other' }, { jobId: 'inbox:other' });
    await d.drain({ timeoutMs: 10_000 });

    const at = (what: string, nth = 0) => log.filter((l) => l.what === what)[nth]!;
    const t429 = at('rl/first').at;
    expect(at('rl/first', 1).at - t429).toBeGreaterThanOrEqual(380);
    expect(at('rl/first', 1).attempt).toBe(1);
    expect(at('rl/second').at - t429).toBeGreaterThanOrEqual(380);
    expect(at('rl-other/other').at - t429).toBeLessThan(300);
  });

  it('abandons a try that outlives its timeout, aborting its signal, and retries it', async () => {
    const aborted: boolean[] = [];
    const d = await working(
      handlersWith({
        'events.poll': async (_p, ctx) => {
          const signal = ctx.signal;
          if (ctx.attempt === 1) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          aborted.push(signal.aborted);
        },
      }),
      { systems: ['slow'] },
      { overrides: { 'events.poll': { timeoutMs: 60, backoffMs: 20 } } },
    );
    await d.enqueue('events.poll', { system: 'slow' }, { jobId: 'events:slow:1' });
    await d.drain({ timeoutMs: 10_000 });
    expect(aborted).toEqual([true, false]);
  });
});

describe('bullmq driver: one queue per system', () => {
  it('gives each system its own queue and limiter: N per second on one, unthrottled on the other', async () => {
    const starts: Record<string, number[]> = { lim: [], unl: [] };
    const d = await working(
      handlersWith({ 'sync.push': async (p) => void starts[p.system]!.push(Date.now()) }),
      { systems: ['lim', 'unl'], concurrency: 10 },
      { rateLimitFor: (s) => (s === 'lim' ? { max: 5, duration: 1_000 } : undefined) },
    );
    const items = (system: string) =>
      Array.from({ length: 12 }, (_, i) => ({ name: 'sync.push' as const, payload: { system, outboxId: `${system}${i}` }, options: { jobId: `outbox:${system}${i}:0` } }));
    await d.enqueueBulk([...items('lim'), ...items('unl')]);
    await d.drain({ timeoutMs: 20_000 });

    const lim = starts['lim']!.sort((a, b) => a - b);
    const unl = starts['unl']!.sort((a, b) => a - b);
    expect(lim).toHaveLength(12);
    // 12 jobs at 5 per second need three windows: the last starts two windows after the first.
    expect(lim[11]! - lim[0]!).toBeGreaterThanOrEqual(1_900);
    expect(lim.filter((t) => t < lim[0]! + 900).length).toBeLessThanOrEqual(5);
    expect(unl[11]! - unl[0]!).toBeLessThan(900);
    expect(d.queues().map((q) => q.name).sort()).toEqual(['lim', 'unl']);
    expect(d.queues()[0]?.qualifiedName.startsWith(`${PREFIX}:`)).toBe(true);
  });

  it('runs one worker per system queue in a process, at the configured concurrency', async () => {
    let running = 0;
    let peak = 0;
    const d = await working(
      handlersWith({
        'sync.push': async () => {
          peak = Math.max(peak, ++running);
          await sleep(30);
          running--;
        },
      }),
      { systems: ['conc'], concurrency: 2 },
    );
    await d.enqueueBulk(
      Array.from({ length: 8 }, (_, i) => ({ name: 'sync.push' as const, payload: { system: 'conc', outboxId: `c${i}` }, options: { jobId: `outbox:c${i}:0` } })),
    );
    await d.drain({ timeoutMs: 10_000 });
    expect(peak).toBe(2);
    expect((await inspect('conc').getWorkers()).length).toBe(1);
  });

  it('creates a queue, and in a worker process its worker, on first use', async () => {
    const ran: string[] = [];
    const d = await working(handlersWith({ 'events.poll': async (p) => void ran.push(p.system) }));
    expect(d.queues()).toEqual([]);
    await d.enqueue('events.poll', { system: 'late-comer' }, { jobId: 'events:late-comer:1' });
    await d.drain({ timeoutMs: 10_000 });
    expect(ran).toEqual(['late-comer']);
    expect(Object.keys(await d.stats())).toEqual(['late-comer']);
  });

  it('close lets a running job finish', async () => {
    let finished = false;
    const d = await working(
      handlersWith({
        'webhook.process': async () => {
          await sleep(200);
          finished = true;
        },
      }),
      { systems: ['closing'] },
    );
    await d.enqueue('webhook.process', { system: 'closing', inboxId: 'c' }, { jobId: 'inbox:c' });
    await waitFor('the job to start', async () => ((await d.stats())['closing']?.active ?? 0) === 1);
    await d.close({ timeoutMs: 5_000 });
    expect(finished).toBe(true);
    await expect(d.enqueue('webhook.process', { system: 'closing', inboxId: 'd' }, { jobId: 'inbox:d' })).rejects.toThrow(/closed/);
  });
});

describe('checkEvictionPolicy', () => {
  it('is quiet on noeviction and loud on anything else', async () => {
    const shared = captureLogger();
    const real = new Redis(SHARED_REDIS_URL);
    extraRedis.push(real);
    expect(typeof (await checkEvictionPolicy(real, captureLogger()))).toBe('string');
    const fake = (policy: string) => ({ config: async () => ['maxmemory-policy', policy] }) as unknown as Redis;
    expect(await checkEvictionPolicy(fake('noeviction'), shared)).toBe('noeviction');
    expect(shared.lines).toEqual([]);
    expect(await checkEvictionPolicy(fake('allkeys-lru'), shared)).toBe('allkeys-lru');
    expect(shared.lines.map((l) => l.level)).toEqual(['error']);
    const refused = { config: async () => Promise.reject(new Error('ERR unknown command CONFIG')) } as unknown as Redis;
    expect(await checkEvictionPolicy(refused, shared)).toBeNull();
    expect(shared.lines.at(-1)?.level).toBe('warn');
  });
});

describe('bullmq driver: jobs failed for stalling too often', () => {
  it('reports them to onFailed and frees their ids, so the relay can queue the work again', async () => {
    const system = 'stall';
    // A worker that never renews its locks: BullMQ's own stalled check takes its job back, then
    // fails it with "job stalled more than allowable limit", without running any processor code.
    const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
    extraRedis.push(redis);
    const dying = new Worker(system, () => new Promise((resolve) => setTimeout(resolve, 3_000)), {
      connection: redis, prefix: PREFIX, skipLockRenewal: true, lockDuration: 150, stalledInterval: 100, maxStalledCount: 1, concurrency: 4,
    });
    const q = inspect(system);
    await q.add('webhook.process', { system, inboxId: 'in-stalled-1' }, { jobId: toBullmqJobId('inbox:in-stalled-1'), attempts: 8 });
    await waitFor('BullMQ to fail the job for stalling', async () => (await q.getJob(toBullmqJobId('inbox:in-stalled-1')))?.failedReason === STALL_LIMIT_REASON);
    await dying.close(true);

    const failed: FailedJob[] = [];
    const ran: string[] = [];
    const d = await working(
      handlersWith({ 'webhook.process': async (payload) => void ran.push(payload.inboxId) }),
      { systems: [system], onFailed: async (job) => void failed.push(job) },
      { stalled: { lockDurationMs: 1_000, stalledIntervalMs: 200 } },
    );
    await waitFor('the sweep to report the job', () => failed.length > 0);
    expect(failed).toEqual([
      expect.objectContaining({ name: 'webhook.process', jobId: 'inbox:in-stalled-1', system, payload: { system, inboxId: 'in-stalled-1' }, failure: 'system_error' }),
    ]);
    expect(String(failed[0]?.error)).toContain(STALL_LIMIT_REASON);
    expect(await q.getJob(toBullmqJobId('inbox:in-stalled-1'))).toBeUndefined();
    // The id is free again: a relay sweep's re-enqueue of the same row runs.
    await d.enqueue('webhook.process', { system, inboxId: 'in-stalled-1' }, { jobId: 'inbox:in-stalled-1' });
    await waitFor('the re-queued job to run', () => ran.length === 1);
    await sleep(500);
    expect(failed).toHaveLength(1);
  });
});
