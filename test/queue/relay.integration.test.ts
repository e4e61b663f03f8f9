import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toBullmqJobId } from '../../src/queue/bullmq.ts';
import { createQueueDriver, inboxJobId, outboxJobId, pageJobId, Relay, type QueueDriver } from '../../src/queue/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { captureLogger, deletePrefix, FAKE_HUB, handlersWith, SHARED_REDIS_URL, sleep, startPrivateRedis, uniquePrefix, waitFor } from './support.ts';

const PREFIX = uniquePrefix('relay');
const NOW = new Date('2026-11-25T12:00:00.000Z');
const HOUR_AGO = new Date(NOW.getTime() - 3_600_000).toISOString();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await deletePrefix(SHARED_REDIS_URL, PREFIX);
});

function tempStore(): TempStore {
  const t = openTempStore();
  cleanups.push(() => t.dispose());
  return t;
}

function bullmq(redisUrl: string, prefix: string): QueueDriver {
  const d = createQueueDriver({ driver: 'bullmq', redisUrl, prefix });
  cleanups.push(() => d.close({ timeoutMs: 5_000 }));
  return d;
}

function inspect(redisUrl: string, prefix: string, system: string): Queue {
  const redis = new Redis(redisUrl);
  const q = new Queue(system, { connection: redis, prefix });
  cleanups.push(async () => {
    await q.close();
    redis.disconnect();
  });
  return q;
}

async function addInbox(store: SqliteStore, system: string, ids: readonly string[], receivedAt = HOUR_AGO): Promise<void> {
  await store.unitOfWork(async (tx) => {
    for (const id of ids) {
      await tx.inbox.insert({ id, system, eventId: `evt-${id}`, kind: 'webhook', entity: 'candidate', externalId: id, payload: '{}', receivedAt });
    }
  });
}

describe('relay: resuming a run as soon as its page job is gone', () => {
  it('resumes a run whose job Redis lost at the next sweep (not after staleRunMs), leaves a live one, waits out the grace, and frees a completed id', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { store } = tempStore();
    let now = new Date();
    const at = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
    const runs = await store.unitOfWork(async (tx) => ({
      lost: await tx.runs.start('pull', 'ats', 'placement', at(10_000), { page: 2, then: [], progressAt: at(10_000) }),
      justCommitted: await tx.runs.start('pull', 'ats', 'candidate', at(500), { page: 5, then: [], progressAt: at(500) }),
    }));
    const d = bullmq(redis.url, 'resume');
    const relay = new Relay({ store, driver: d, now: () => now });
    // The default staleRunMs is 20 minutes: only the queue's answer can explain a resume here.
    expect((await relay.sweep()).runs).toBe(1);
    expect(await d.jobState('ats', pageJobId('pull', runs.lost.id, 2))).toBe('live');
    // Inside its grace the handler that just committed is about to queue the next page itself.
    expect(await d.jobState('ats', pageJobId('pull', runs.justCommitted.id, 5))).toBe('absent');
    expect((await relay.sweep()).runs).toBe(0);

    const admin = new Redis(redis.url);
    cleanups.push(() => void admin.disconnect());
    await admin.flushall();
    expect(await d.jobState('ats', pageJobId('pull', runs.lost.id, 2))).toBe('absent');
    now = new Date(now.getTime() + 3_000);
    expect((await relay.sweep()).runs).toBe(2);

    // A job kept as completed while its run did not move (a worker died between commit and
    // enqueue, and the retry found nothing to do): its id is freed and the page queued again.
    const ats = inspect(redis.url, 'resume', 'ats');
    const job = await ats.getJob(toBullmqJobId(pageJobId('pull', runs.lost.id, 2)));
    expect(job).toBeDefined();
    await job?.moveToCompleted('done', 'test-token', false).catch(async () => {
      // Not locked by a worker: mark it completed the way a finished worker leaves it.
      await admin.eval(`redis.call('ZADD', KEYS[1], 0, ARGV[1]); redis.call('LREM', KEYS[2], 0, ARGV[1]); redis.call('ZREM', KEYS[3], ARGV[1])`, 3, 'resume:ats:completed', 'resume:ats:wait', 'resume:ats:prioritized', job.id ?? '');
    });
    expect(await d.jobState('ats', pageJobId('pull', runs.lost.id, 2))).toBe('completed');
    expect((await relay.sweep()).runs).toBe(1);
    expect(await d.jobState('ats', pageJobId('pull', runs.lost.id, 2))).toBe('live');
  });

  it('without a queue that can answer, falls back to staleRunMs', async () => {
    const { store } = tempStore();
    const now = new Date();
    await store.unitOfWork((tx) => tx.runs.start('pull', 'ats', 'placement', now.toISOString(), { page: 1, then: [], progressAt: new Date(now.getTime() - 60_000).toISOString() }));
    const items: unknown[] = [];
    const driver = { enqueueBulk: async (list: readonly unknown[]) => void items.push(...list) };
    expect((await new Relay({ store, driver, now: () => now }).sweep()).runs).toBe(0);
    expect((await new Relay({ store, driver, now: () => now, staleRunMs: 30_000 }).sweep()).runs).toBe(1);
  });
});

describe('relay: sweeping pending work from SQLite', () => {
  it('enqueues pending inbox rows, due outbox rows and stale running runs, once across sweeps', async () => {
    const { store } = tempStore();
    await addInbox(store, 'ats', ['in-1', 'in-2', 'in-3', 'in-done']);
    const [dueId, laterId] = await store.unitOfWork(async (tx) => {
      await tx.inbox.markProcessed('in-done', 'done', null, HOUR_AGO);
      const ids = await tx.outbox.enqueueMany(
        [
          { system: 'payroll', entity: 'candidate', canonicalId: 'c-1', op: 'update', fields: ['email'], reason: 'test' },
          { system: 'payroll', entity: 'candidate', canonicalId: 'c-2', op: 'update', fields: ['email'], reason: 'test' },
        ],
        HOUR_AGO,
      );
      // The second row's next try is in the future: not due.
      await tx.outbox.markAttemptFailed(ids[1]!, 'vendor 503', false, new Date(NOW.getTime() + 60_000).toISOString(), HOUR_AGO);
      return ids;
    });
    const runs = await store.unitOfWork(async (tx) => ({
      stale: await tx.runs.start('pull', 'ats', 'placement', HOUR_AGO, { page: 3, then: ['timesheet'], progressAt: HOUR_AGO }),
      fresh: await tx.runs.start('reconcile', 'ats', 'candidate', HOUR_AGO, { page: 7, progressAt: NOW.toISOString() }),
      noCursor: await tx.runs.start('reconcile', 'ats', 'client', HOUR_AGO),
      done: await tx.runs.start('pull', 'ats', 'client', HOUR_AGO),
    }));
    await store.unitOfWork((tx) => tx.runs.finish(runs.done.id, 'succeeded', null, null, HOUR_AGO));

    const d = bullmq(SHARED_REDIS_URL, PREFIX);
    const logger = captureLogger();
    const relay = new Relay({ store, driver: d, logger, now: () => NOW });
    expect(await relay.sweep()).toEqual({ inbox: 3, outbox: 1, runs: 2, skipped: 0 });
    // The runs' page jobs are live now: the relay asks the queue and leaves them be.
    expect(await relay.sweep()).toEqual({ inbox: 3, outbox: 1, runs: 0, skipped: 0 });
    expect(logger.lines.filter((l) => l.msg.includes('re-enqueued'))).toHaveLength(2);

    const stats = await d.stats();
    expect(stats['ats']).toMatchObject({ waiting: 5, active: 0, delayed: 0 });
    expect(stats['payroll']).toMatchObject({ waiting: 1 });

    const ats = inspect(SHARED_REDIS_URL, PREFIX, 'ats');
    for (const id of ['in-1', 'in-2', 'in-3']) {
      expect((await ats.getJob(toBullmqJobId(inboxJobId(id))))?.data).toEqual({ system: 'ats', inboxId: id });
    }
    expect(await ats.getJob(toBullmqJobId(inboxJobId('in-done')))).toBeUndefined();
    const pull = await ats.getJob(toBullmqJobId(pageJobId('pull', runs.stale.id, 3)));
    expect(pull?.name).toBe('sync.pull');
    expect(pull?.data).toEqual({ system: 'ats', entity: 'placement', runId: runs.stale.id, page: 3, full: false, then: ['timesheet'] });
    const resumed = await ats.getJob(toBullmqJobId(pageJobId('reconcile', runs.noCursor.id, 0)));
    expect(resumed?.data).toEqual({ system: 'ats', entity: 'client', runId: runs.noCursor.id, page: 0, then: [] });
    expect(await ats.getJob(toBullmqJobId(pageJobId('reconcile', runs.fresh.id, 7)))).toBeUndefined();

    const payroll = inspect(SHARED_REDIS_URL, PREFIX, 'payroll');
    expect((await payroll.getJob(toBullmqJobId(outboxJobId(dueId!, 0))))?.data).toEqual({ system: 'payroll', outboxId: dueId });
    expect(laterId).toBeDefined();
  });

  it('sweeps on start and then every interval until stopped', async () => {
    const { store } = tempStore();
    const d = createQueueDriver({ driver: 'inline' });
    cleanups.push(() => d.close());
    const relay = new Relay({ store, driver: d, intervalMs: 30 });
    await addInbox(store, 'ats', ['first']);
    await relay.start();
    expect((await d.stats())['ats']?.waiting).toBe(1);
    await addInbox(store, 'ats', ['second']);
    await waitFor('the next sweep', async () => (await d.stats())['ats']?.waiting === 2, 2_000);
    await relay.stop();
    await addInbox(store, 'ats', ['third']);
    await sleep(100);
    expect((await d.stats())['ats']?.waiting).toBe(2);
  });
});

describe('relay: Redis total loss', () => {
  it('after FLUSHALL with 2,000 jobs waiting and 50 active, every one completes exactly once', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { store } = tempStore();
    // The side effect the test counts: one row per inbox row processed, no unique constraint, so a
    // duplicate would show.
    store.db.exec('CREATE TABLE effects (inbox_id TEXT NOT NULL)');
    const ids = Array.from({ length: 2_000 }, (_, i) => `row-${String(i).padStart(4, '0')}`);
    await addInbox(store, 'ats', ids);

    let invocations = 0;
    let inFlight = 0;
    // The first jobs hold here until Redis has been flushed and swept: 50 active at the flush, for sure.
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const d = bullmq(redis.url, 'cw');
    await d.work(
      handlersWith({
        'webhook.process': async ({ inboxId }) => {
          invocations++;
          inFlight++;
          try {
            await gate;
            // The handler's claim: the row's status in SQLite decides, so a second delivery is a no-op.
            await store.unitOfWork(async (tx) => {
              const row = await tx.inbox.get(inboxId);
              if (row?.status !== 'pending') return;
              store.db.prepare('INSERT INTO effects (inbox_id) VALUES (?)').run(inboxId);
              await tx.inbox.markProcessed(inboxId, 'done', null, new Date().toISOString());
            });
          } finally {
            inFlight--;
          }
        },
      }),
      { hub: FAKE_HUB, systems: ['ats'], concurrency: 50 },
    );
    const relay = new Relay({ store, driver: d });
    expect((await relay.sweep()).inbox).toBe(2_000);
    await waitFor('50 jobs active', () => inFlight === 50).catch((err: unknown) => {
      throw new Error(`${String(err)} (inFlight ${inFlight}, invocations ${invocations})`);
    });

    const admin = new Redis(redis.url);
    cleanups.push(() => void admin.disconnect());
    await admin.flushall();
    expect(await admin.dbsize()).toBe(0);

    // While the 50 are still running: the sweep re-enqueues them too (their rows are pending).
    expect((await relay.sweep()).inbox).toBe(2_000);
    openGate();
    await waitFor(
      'every inbox row processed',
      () => (store.db.prepare(`SELECT count(*) FROM inbox WHERE status = 'pending'`).pluck().get() as number) === 0,
      60_000,
    );
    await d.drain({ timeoutMs: 30_000 });

    const effects = store.db.prepare('SELECT count(*) AS n, count(DISTINCT inbox_id) AS distinctN FROM effects').get() as { n: number; distinctN: number };
    expect(effects).toEqual({ n: 2_000, distinctN: 2_000 });
    // The 50 that were active ran twice (once before, once after the flush); the second did nothing.
    expect(invocations).toBeGreaterThanOrEqual(2_050);
  });
});
