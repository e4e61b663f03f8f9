import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/context.ts';
import { ConfigError } from '../../src/engine/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createQueueDriver, JobPayloadError, type FailedJob, type InlineDriverOptions, type QueueDriver } from '../../src/queue/index.ts';
import { FAKE_HUB, handlersWith, sleep } from './support.ts';

const drivers: QueueDriver[] = [];
function inline(options: InlineDriverOptions = {}): QueueDriver {
  // pino's logger satisfies the runtime's logger type: this line is the compile-time check.
  const d = createQueueDriver({ driver: 'inline', logger: silentLogger(), random: () => 0, ...options });
  drivers.push(d);
  return d;
}
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close({ timeoutMs: 1_000 });
});

const webhook = (system: string, inboxId: string) => ({ system, inboxId });

describe('inline driver: order and concurrency', () => {
  it('runs one system\'s jobs one at a time in FIFO order, and different systems concurrently', async () => {
    const events: string[] = [];
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async ({ system, inboxId }) => {
          events.push(`start ${system}/${inboxId}`);
          await sleep(15);
          events.push(`end ${system}/${inboxId}`);
        },
      }),
      { hub: FAKE_HUB },
    );
    for (const id of ['1', '2', '3']) await d.enqueue('webhook.process', webhook('a', id), { jobId: `inbox:a${id}` });
    await d.enqueue('webhook.process', webhook('b', '1'), { jobId: 'inbox:b1' });
    await d.drain({ timeoutMs: 5_000 });

    const a = events.filter((e) => e.includes(' a/'));
    expect(a).toEqual(['start a/1', 'end a/1', 'start a/2', 'end a/2', 'start a/3', 'end a/3']);
    // b ran while a's first job was still running.
    expect(events.indexOf('start b/1')).toBeLessThan(events.indexOf('end a/1'));
  });

  it('runs lower priority numbers first within a system, FIFO among equals', async () => {
    const order: string[] = [];
    const d = inline();
    await d.enqueue('reconcile.run', { system: 's', entity: 'placement' }, { jobId: 'reconcile:s:x' });
    await d.enqueue('webhook.process', webhook('s', 'w1'), { jobId: 'inbox:w1' });
    await d.enqueue('sync.pull', { system: 's', entity: 'candidate' }, { jobId: 'pull:s:x' });
    await d.enqueue('webhook.process', webhook('s', 'w2'), { jobId: 'inbox:w2' });
    await d.enqueue('sync.push', { system: 's', outboxId: 'o1' }, { jobId: 'outbox:o1:0' });
    await d.work(
      handlersWith({
        'webhook.process': async (p) => void order.push(`webhook ${p.inboxId}`),
        'sync.push': async () => void order.push('push'),
        'sync.pull': async () => void order.push('pull'),
        'reconcile.run': async () => void order.push('reconcile'),
      }),
      { hub: FAKE_HUB },
    );
    await d.drain({ timeoutMs: 5_000 });
    // Catalog priorities: push 1, webhook 2, pull 5, reconcile 8.
    expect(order).toEqual(['push', 'webhook w1', 'webhook w2', 'pull', 'reconcile']);
  });

  it('holds a delayed job until its time while later jobs run', async () => {
    const started = new Map<string, number>();
    const d = inline();
    await d.work(handlersWith({ 'webhook.process': async (p) => void started.set(p.inboxId, Date.now()) }), { hub: FAKE_HUB });
    const t0 = Date.now();
    await d.enqueue('webhook.process', webhook('s', 'late'), { jobId: 'inbox:late', delayMs: 80 });
    await d.enqueue('webhook.process', webhook('s', 'now'), { jobId: 'inbox:now' });
    expect((await d.stats())['s']?.delayed).toBe(1);
    await d.drain({ timeoutMs: 5_000 });
    expect(started.get('now')!).toBeLessThan(started.get('late')!);
    expect(started.get('late')! - t0).toBeGreaterThanOrEqual(75);
  });

  it('respects a system rate limit of N starts per window', async () => {
    const starts: number[] = [];
    const d = inline({ rateLimitFor: (s) => (s === 'slow' ? { max: 2, duration: 100 } : undefined) });
    await d.work(handlersWith({ 'webhook.process': async () => void starts.push(Date.now()) }), { hub: FAKE_HUB });
    for (let i = 0; i < 5; i++) await d.enqueue('webhook.process', webhook('slow', `${i}`), { jobId: `inbox:slow${i}` });
    await d.drain({ timeoutMs: 5_000 });
    expect(starts).toHaveLength(5);
    // Any three consecutive starts span at least one window.
    for (let i = 2; i < starts.length; i++) expect(starts[i]! - starts[i - 2]!).toBeGreaterThanOrEqual(95);
  });
});

describe('inline driver: dedupe and validation', () => {
  it('runs a job id once while it is queued or running, and again once it has finished', async () => {
    let runs = 0;
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async () => {
          runs++;
          await sleep(20);
        },
      }),
      { hub: FAKE_HUB },
    );
    await Promise.all([1, 2, 3].map(() => d.enqueue('webhook.process', webhook('s', 'x'), { jobId: 'inbox:x' })));
    await sleep(5);
    await d.enqueue('webhook.process', webhook('s', 'x'), { jobId: 'inbox:x' }); // while running
    await d.drain({ timeoutMs: 5_000 });
    expect(runs).toBe(1);
    await d.enqueue('webhook.process', webhook('s', 'x'), { jobId: 'inbox:x' });
    await d.drain({ timeoutMs: 5_000 });
    expect(runs).toBe(2);
  });

  it('rejects a bad payload at enqueue and queues nothing', async () => {
    const d = inline();
    // @ts-expect-error: inboxId is missing, which is what the test is about.
    await expect(d.enqueue('webhook.process', { system: 's' }, { jobId: 'inbox:bad' })).rejects.toBeInstanceOf(JobPayloadError);
    await expect(
      d.enqueueBulk([
        { name: 'sync.push', payload: { system: 's', outboxId: 'o1' }, options: { jobId: 'outbox:o1:0' } },
        // @ts-expect-error: an unknown key; strict schemas refuse it.
        { name: 'sync.push', payload: { system: 's', outboxId: 'o2', extra: 1 }, options: { jobId: 'outbox:o2:0' } },
      ]),
    ).rejects.toBeInstanceOf(JobPayloadError);
    await expect(d.enqueue('webhook.process', webhook('s', 'i'), { jobId: '42' })).rejects.toThrow(/bare integer/);
    expect(await d.stats()).toEqual({});
  });

  it('hands the handler the parsed payload (defaults applied) and its context', async () => {
    const seen: unknown[] = [];
    let ctxSeen: JobContext | null = null;
    const d = inline();
    await d.work(
      handlersWith({
        'sync.pull': async (payload, ctx) => {
          seen.push(payload);
          ctxSeen = ctx;
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('sync.pull', { system: 's', entity: 'candidate' }, { jobId: 'pull:s:1' });
    await d.drain({ timeoutMs: 5_000 });
    expect(seen).toEqual([{ system: 's', entity: 'candidate', runId: null, page: null, full: false, then: [] }]);
    expect(ctxSeen).toMatchObject({ hub: FAKE_HUB, jobId: 'pull:s:1', attempt: 1, finalAttempt: false });
  });

  it('lets a handler enqueue follow-up jobs through its context', async () => {
    const pages: Array<string | null> = [];
    const d = inline();
    await d.work(
      handlersWith({
        'sync.pull': async (p, ctx) => {
          pages.push(p.runId);
          if (p.runId === null) await ctx.enqueue('sync.pull', { system: p.system, entity: p.entity, runId: 'r1' }, { jobId: 'pull:r1:1' });
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('sync.pull', { system: 's', entity: 'candidate' }, { jobId: 'pull:s:start' });
    await d.drain({ timeoutMs: 5_000 });
    expect(pages).toEqual([null, 'r1']);
  });
});

describe('inline driver: failures', () => {
  it('retries with exponential backoff and reports the job once its attempts run out', async () => {
    const tries: Array<{ attempt: number; finalAttempt: boolean; at: number }> = [];
    const failed: FailedJob[] = [];
    // random() = 0: each delay is exactly half its ceiling; backoff 100 ms → 50, 100 ms.
    const d = inline({ overrides: { 'webhook.process': { attempts: 3, backoffMs: 100 } } });
    await d.work(
      handlersWith({
        'webhook.process': async (_p, ctx) => {
          tries.push({ attempt: ctx.attempt, finalAttempt: ctx.finalAttempt, at: Date.now() });
          throw new Error('vendor 503');
        },
      }),
      { hub: FAKE_HUB, onFailed: async (job) => void failed.push(job) },
    );
    await d.enqueue('webhook.process', webhook('s', 'r'), { jobId: 'inbox:r' });
    await d.drain({ timeoutMs: 5_000 });
    expect(tries.map((t) => [t.attempt, t.finalAttempt])).toEqual([[1, false], [2, false], [3, true]]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(45);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(95);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ name: 'webhook.process', jobId: 'inbox:r', system: 's', attempt: 3, failure: 'system_error' });
    expect((await d.stats())['s']).toMatchObject({ failed: 1, completed: 0, waiting: 0, delayed: 0 });
  });

  it('succeeds on a later try after transient failures', async () => {
    let n = 0;
    const d = inline({ backoffScale: 0.001 });
    await d.work(
      handlersWith({
        'sync.push': async () => {
          if (++n < 3) throw new Error('reset');
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('sync.push', { system: 's', outboxId: 'o' }, { jobId: 'outbox:o:1' });
    await d.drain({ timeoutMs: 5_000 });
    expect(n).toBe(3);
    expect((await d.stats())['s']).toMatchObject({ completed: 1, failed: 0 });
  });

  it('does not retry configuration errors and reports them as config_error', async () => {
    let calls = 0;
    const failed: FailedJob[] = [];
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async (p) => {
          calls++;
          if (p.inboxId === 'cfg') throw new ConfigError('mapping bullhorn/placement.yaml is invalid');
          throw Object.assign(new Error('refused'), { name: 'ConnectorConfigError' });
        },
      }),
      { hub: FAKE_HUB, onFailed: async (job) => void failed.push(job) },
    );
    await d.enqueue('webhook.process', webhook('s', 'cfg'), { jobId: 'inbox:cfg' });
    await d.enqueue('webhook.process', webhook('s', 'creds'), { jobId: 'inbox:creds' });
    await d.drain({ timeoutMs: 5_000 });
    expect(calls).toBe(2);
    expect(failed.map((f) => [f.jobId, f.failure, f.attempt])).toEqual([
      ['inbox:cfg', 'config_error', 1],
      ['inbox:creds', 'config_error', 1],
    ]);
  });

  it('pauses only the rate-limited system for retryAfterMs, without using up the try', async () => {
    const log: Array<{ what: string; at: number; attempt: number }> = [];
    let limited = false;
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async (p, ctx) => {
          log.push({ what: `${p.system}/${p.inboxId}`, at: Date.now(), attempt: ctx.attempt });
          if (p.inboxId === 'first' && !limited) {
            limited = true;
            throw Object.assign(new Error('429'), { name: 'RateLimitedError', retryAfterMs: 300 });
          }
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('webhook.process', webhook('a', 'first'), { jobId: 'inbox:first' });
    await d.enqueue('webhook.process', webhook('a', 'second'), { jobId: 'inbox:second' });
    await sleep(10);
    await d.enqueue('webhook.process', webhook('b', 'other'), { jobId: 'inbox:other' });
    await d.drain({ timeoutMs: 5_000 });

    const at = (what: string, nth = 0) => log.filter((l) => l.what === what)[nth]!;
    const t429 = at('a/first').at;
    expect(at('a/first', 1).at - t429).toBeGreaterThanOrEqual(295);
    expect(at('a/first', 1).attempt).toBe(1);
    expect(at('a/second').at - t429).toBeGreaterThanOrEqual(295);
    // The other system was not paused.
    expect(at('b/other').at - t429).toBeLessThan(250);
  });

  it('abandons a try that outlives its timeout, aborts its signal and retries', async () => {
    const aborted: boolean[] = [];
    const d = inline({ overrides: { 'events.poll': { timeoutMs: 40, backoffMs: 10 } } });
    await d.work(
      handlersWith({
        'events.poll': async (_p, ctx) => {
          const signal = ctx.signal;
          if (ctx.attempt === 1) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          }
          aborted.push(signal.aborted);
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('events.poll', { system: 's' }, { jobId: 'events:s:1' });
    await d.drain({ timeoutMs: 5_000 });
    expect(aborted).toEqual([true, false]);
    expect((await d.stats())['s']).toMatchObject({ completed: 1, failed: 0 });
  });
});

describe('inline driver: drain and close', () => {
  it('drain resolves at once when idle, refuses before work(), and rejects on timeout', async () => {
    const d = inline();
    await d.drain({ timeoutMs: 10 });
    await d.enqueue('webhook.process', webhook('s', 'w'), { jobId: 'inbox:w' });
    await expect(d.drain({ timeoutMs: 10 })).rejects.toThrow(/work\(\) was never called/);
    await d.work(handlersWith({ 'webhook.process': () => sleep(200) }), { hub: FAKE_HUB });
    await expect(d.drain({ timeoutMs: 20 })).rejects.toThrow(/not drained/);
    await d.drain({ timeoutMs: 5_000 });
  });

  it('close lets the running job finish, drops queued ones and refuses new work', async () => {
    const finished: string[] = [];
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async (p) => {
          await sleep(50);
          finished.push(p.inboxId);
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('webhook.process', webhook('s', 'running'), { jobId: 'inbox:running' });
    await d.enqueue('webhook.process', webhook('s', 'queued'), { jobId: 'inbox:queued' });
    await sleep(5);
    await d.close({ timeoutMs: 2_000 });
    expect(finished).toEqual(['running']);
    await expect(d.enqueue('webhook.process', webhook('s', 'late'), { jobId: 'inbox:late' })).rejects.toThrow(/closed/);
    expect(d.queues()).toEqual([]);
  });

  it('close signals a job that outlives the grace period', async () => {
    let signalled = false;
    const d = inline();
    await d.work(
      handlersWith({
        'webhook.process': async (_p, ctx) => {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          signalled = true;
        },
      }),
      { hub: FAKE_HUB },
    );
    await d.enqueue('webhook.process', webhook('s', 'stuck'), { jobId: 'inbox:stuck' });
    await sleep(5);
    await d.close({ timeoutMs: 30 });
    await sleep(5);
    expect(signalled).toBe(true);
  });
});
