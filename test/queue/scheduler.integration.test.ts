import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/engine/errors.ts';
import { createQueueDriver, Scheduler, type SchedulerOptions } from '../../src/queue/index.ts';
import { toBullmqJobId } from '../../src/queue/bullmq.ts';
import { openTempStore } from '../support/temp-store.ts';
import { deletePrefix, FAKE_HUB, handlersWith, SHARED_REDIS_URL, sleep, uniquePrefix } from './support.ts';

const PREFIX = uniquePrefix('sched');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await deletePrefix(SHARED_REDIS_URL, PREFIX);
});

const entitiesFor = (system: string): string[] => (system === 'empty' ? [] : ['client', 'placement', 'timesheet']);

const CHILD = fileURLToPath(new URL('./scheduler-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs scheduler processes side by side: each is released (a `go` line) only once all are ready,
 * so they really race. Resolves with each one's JSON line.
 */
async function schedulerProcesses(n: number, args: Record<string, unknown>): Promise<Array<{ result: string; enqueued?: number; taken?: number }>> {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.startsWith('ready\n')) markReady();
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const done = new Promise<{ result: string }>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length).trim()) as { result: string });
        else reject(new Error(`scheduler process exited ${code}: ${err}`));
      });
    });
    return { child, ready, done };
  });
  await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.done))]);
  for (const c of children) c.child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.done));
}

/** A store file (migrated here, so the children only open it) and a worker counting runs per job id. */
async function setup(systemId: string) {
  const temp = openTempStore();
  cleanups.push(() => temp.dispose());
  const runs = new Map<string, number>();
  const payloads: unknown[] = [];
  const worker = createQueueDriver({ driver: 'bullmq', redisUrl: SHARED_REDIS_URL, prefix: PREFIX });
  cleanups.push(() => worker.close({ timeoutMs: 2_000 }));
  const count = async (payload: unknown, ctx: { jobId: string }): Promise<void> => {
    runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
    payloads.push(payload);
  };
  await worker.work(handlersWith({ 'sync.pull': count, 'events.poll': count, 'reconcile.run': count }), { hub: FAKE_HUB, systems: [systemId] });
  const scheduler = (store = temp.store) => {
    const s = new Scheduler({ store, driver: worker, systems: [{ id: systemId, schedules: {} }], entitiesFor });
    cleanups.push(() => s.stop());
    return s;
  };
  const childArgs = { db: temp.path, redisUrl: SHARED_REDIS_URL, prefix: PREFIX, system: systemId };
  return { store: temp.store, runs, payloads, worker, scheduler, childArgs };
}

describe('scheduler: one run per slot', () => {
  it('two scheduler processes firing the same slot at the same moment enqueue it once; it runs once', async () => {
    const { runs, payloads, worker, childArgs } = await setup('bh');
    const fire = { ...childArgs, schedules: {}, mode: 'fire', kind: 'pull', slotAt: '2026-11-25T10:15:00Z' };
    const results = await schedulerProcesses(2, fire);
    expect(results.map((r) => r.result).sort()).toEqual(['enqueued', 'taken']);
    await worker.drain({ timeoutMs: 10_000 });
    expect([...runs]).toEqual([['pull:bh:2026-11-25T10:15Z', 1]]);
    expect(payloads).toEqual([{ system: 'bh', entity: 'client', runId: null, page: null, full: false, then: ['placement'] }]);
  });

  it('two scheduler processes running real cron tasks run every slot exactly once', async () => {
    const { runs, store, worker, childArgs } = await setup('bh3');
    // Every second: sixty fires a minute collapse into the minute's one slot.
    const cron = { ...childArgs, schedules: { events: '* * * * * *' }, mode: 'cron', durationMs: 2_500 };
    const results = await schedulerProcesses(2, cron);
    await worker.drain({ timeoutMs: 10_000 });
    const slots = store.db.prepare(`SELECT id FROM schedule_slots WHERE system = 'bh3' ORDER BY id`).pluck().all() as string[];
    expect(slots.length).toBeGreaterThanOrEqual(1);
    expect(slots.length).toBeLessThanOrEqual(2); // 2 only when the run crossed a minute boundary
    expect([...runs].sort()).toEqual(slots.map((id) => [id, 1]));
    // Both processes fired (about twice a second between them); all but one fire per slot lost the claim.
    const total = (k: 'enqueued' | 'taken') => results.reduce((n, r) => n + (r[k] ?? 0), 0);
    expect(total('enqueued')).toBe(slots.length);
    expect(total('taken')).toBeGreaterThanOrEqual(2);
  });

  it('does not enqueue a claimed slot again after BullMQ has forgotten the job', async () => {
    const { runs, worker, scheduler } = await setup('bh2');
    const [first, second] = [scheduler(), scheduler()];
    const at = new Date('2026-11-25T02:00:00Z');
    expect(await first.fire('reconcile', 'bh2', at)).toBe('enqueued');
    await worker.drain({ timeoutMs: 10_000 });
    // Completed jobs are eventually evicted (removeOnComplete): remove this one now.
    const [queue] = worker.queues(['bh2']);
    await queue!.remove(toBullmqJobId('reconcile:bh2:2026-11-25'));
    expect(await queue!.getJob(toBullmqJobId('reconcile:bh2:2026-11-25'))).toBeUndefined();

    // The same day fires again: a second cron time that day, another scheduler, a restart.
    expect(await second.fire('reconcile', 'bh2', new Date('2026-11-25T14:00:00Z'))).toBe('taken');
    expect(await first.fire('reconcile', 'bh2', at)).toBe('taken');
    await sleep(100);
    await worker.drain({ timeoutMs: 10_000 });
    expect([...runs]).toEqual([['reconcile:bh2:2026-11-25', 1]]);
  });

  it('sends a slot whose claimer died before enqueueing it', async () => {
    const { runs, store, worker, scheduler } = await setup('bh4');
    const claimedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    await store.unitOfWork((tx) => tx.slots.claim({ id: 'events:bh4:2026-11-25T09:00Z', job: 'events.poll', system: 'bh4', payload: { system: 'bh4' } }, claimedAt));
    await scheduler().start();
    await worker.drain({ timeoutMs: 10_000 });
    expect([...runs]).toEqual([['events:bh4:2026-11-25T09:00Z', 1]]);
    expect((await store.repos.slots.get('events:bh4:2026-11-25T09:00Z'))?.enqueuedAt).not.toBeNull();
  });
});

describe('scheduler: payloads and configuration', () => {
  function inlineScheduler(systems: SchedulerOptions['systems']) {
    const temp = openTempStore();
    cleanups.push(() => temp.dispose());
    const driver = createQueueDriver({ driver: 'inline' });
    cleanups.push(() => driver.close());
    return { scheduler: new Scheduler({ store: temp.store, driver, systems, entitiesFor }), driver, store: temp.store };
  }

  it('builds each kind\'s payload and skips a system with nothing to pull', async () => {
    const { scheduler, driver, store } = inlineScheduler([{ id: 'bh', schedules: {} }, { id: 'empty', schedules: {} }]);
    const at = new Date('2026-11-25T23:59:59Z');
    expect(await scheduler.fire('events', 'bh', at)).toBe('enqueued');
    expect(await scheduler.fire('reconcile', 'bh', at)).toBe('enqueued');
    expect(await scheduler.fire('pull', 'empty', at)).toBe('nothing');
    expect((await driver.stats())['bh']?.waiting).toBe(2);
    expect((await store.repos.slots.get('reconcile:bh:2026-11-25'))?.payload).toEqual({ system: 'bh', entity: 'client', then: ['placement', 'timesheet'] });
    expect((await store.repos.slots.get('events:bh:2026-11-25T23:59Z'))?.job).toBe('events.poll');
    expect(await store.repos.slots.get('pull:empty:2026-11-25T23:59Z')).toBeNull();
  });

  it('refuses a cron expression node-cron does not accept, naming the key', async () => {
    const { scheduler } = inlineScheduler([{ id: 'bh', schedules: { pull: '61 * * * *' } }]);
    expect(() => scheduler.schedules()).toThrow(ConfigError);
    await expect(scheduler.start()).rejects.toThrow(/systems\.bh\.schedules\.pull/);
  });

  it('lists what it will schedule', () => {
    const { scheduler } = inlineScheduler([{ id: 'bh', schedules: { pull: '*/15 * * * *', reconcile: '0 2 * * *' } }]);
    expect(scheduler.schedules()).toEqual([
      { kind: 'pull', system: 'bh', cron: '*/15 * * * *' },
      { kind: 'reconcile', system: 'bh', cron: '0 2 * * *' },
    ]);
  });
});

