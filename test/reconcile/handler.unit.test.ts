import { sqliteOf } from '../support/temp-store.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobInput, JobName, JobPayload } from '../../jobs/catalog.ts';
import type { JobContext } from '../../jobs/context.ts';
import { reconcileRun } from '../../jobs/handlers/reconcile-run.ts';
import { Relay } from '../../src/queue/relay.ts';
import type { EnqueueItem } from '../../src/queue/jobs.ts';
import type { ReconcileReport } from '../../src/reconcile/index.ts';
import { countRows } from '../support/temp-store.ts';
import { openTestHub, type TestHub } from './support/hub.ts';

interface Enqueued {
  name: JobName;
  payload: unknown;
  jobId: string;
}

/** A job context that records what the handler enqueues instead of running it. */
function jobContext(t: TestHub, jobId: string, enqueued: Enqueued[], finalAttempt = false): JobContext {
  return {
    hub: t.hub,
    jobId,
    attempt: 1,
    finalAttempt,
    signal: new AbortController().signal,
    enqueue: async <K extends JobName>(name: K, payload: JobInput<K>, options: { jobId: string }) => {
      enqueued.push({ name, payload, jobId: options.jobId });
    },
    progress: async () => undefined,
  };
}

function payload(p: { system: string; entity: string; runId?: string | null | undefined; page?: number | null | undefined; then?: string[] | undefined }): JobPayload<'reconcile.run'> {
  return { system: p.system, entity: p.entity, runId: p.runId ?? null, page: p.page ?? null, then: p.then ?? [] };
}

function seed(t: TestHub): void {
  for (let i = 1; i <= 7; i++) t.vendors.ats.create('Company', { id: String(i), name: `Bluegill Logistics ${i}`, status: 'active', phone: null });
  for (let i = 1; i <= 4; i++) t.vendors.ats.create('Person', { id: String(i), firstName: `Sam${i}`, lastName: 'Ortega', email: null, status: 'active' });
}

describe('reconcile.run handler', () => {
  let t: TestHub;
  beforeEach(async () => {
    t = openTestHub();
    seed(t);
    await t.hub.work();
    await t.hub.queue().enqueue('sync.pull', { system: 'ats', entity: 'Company', full: true, then: ['Person'] }, { jobId: 'pull:test' });
    await t.hub.queue().drain({ timeoutMs: 10_000 });
    t.vendors.ats.log.length = 0;
  });
  afterEach(async () => t.close());

  it('runs a chain on the inline queue: each entity reconciled in order, each listing page its own job', async () => {
    t.vendors.ats.edit('Company', '3', { name: 'Renamed' });
    t.vendors.ats.hardDelete('Person', '2');
    await t.hub.queue().enqueue('reconcile.run', { system: 'ats', entity: 'Company', then: ['Person'] }, { jobId: 'reconcile:ats:test' });
    await t.hub.queue().drain({ timeoutMs: 10_000 });

    const runs = (await t.hub.store().repos.runs.list({ kind: 'reconcile', limit: 10 })).reverse();
    expect(runs.map((r) => [r.entity, r.status])).toEqual([['Company', 'succeeded'], ['Person', 'succeeded']]);
    const [company, person] = runs.map((r) => r.report as ReconcileReport);
    expect(company?.counts).toMatchObject({ seen: 7, changed: 1, repaired: 1 });
    expect(person?.counts).toMatchObject({ seen: 3, missing: 1, tombstoned: 1 });
    expect(company?.requests).toMatchObject({ limit: null, allowed: null });
    expect(t.vendors.ats.listRequests('Company').map((e) => e.start)).toEqual([0, 3, 6]);
    expect(countRows(sqliteOf(t.hub.store()), 'reconcile_staging')).toBe(0);
  });

  it('ends each job after its first vendor call and names the next one as the relay would', async () => {
    const enqueued: Enqueued[] = [];
    await reconcileRun(payload({ system: 'ats', entity: 'Company' }), jobContext(t, 'reconcile:ats:day', enqueued));
    const [next] = enqueued;
    const runId = (next?.payload as { runId: string }).runId;
    expect(enqueued).toEqual([{ name: 'reconcile.run', jobId: `reconcile:${runId}:1`, payload: { system: 'ats', entity: 'Company', runId, page: 1, then: [] } }]);
    expect(t.vendors.ats.listRequests('Company').length).toBe(1);

    // The relay finds the run stale (a lost job) and names the very same job.
    const items: EnqueueItem[] = [];
    const relay = new Relay({ store: t.hub.store(), driver: { enqueueBulk: async (list) => void items.push(...list) }, staleRunMs: 0, now: () => new Date(Date.now() + 1000) });
    await relay.sweep();
    expect(items).toEqual([{ name: 'reconcile.run', payload: { system: 'ats', entity: 'Company', runId, page: 1, then: [] }, options: { jobId: `reconcile:${runId}:1` } }]);

    // A stale duplicate of the job just done does nothing.
    const before = t.vendors.ats.log.length;
    await reconcileRun(payload({ system: 'ats', entity: 'Company', runId, page: 0 }), jobContext(t, `reconcile:${runId}:0`, []));
    expect(t.vendors.ats.log.length).toBe(before);
  });

  it('a second trigger while a run is going re-queues that run\'s current step (deduplicated by job id) and does nothing else', async () => {
    const first: Enqueued[] = [];
    await reconcileRun(payload({ system: 'ats', entity: 'Company' }), jobContext(t, 'a', first));
    const requests = t.vendors.ats.log.length;
    const second: Enqueued[] = [];
    await reconcileRun(payload({ system: 'ats', entity: 'Company' }), jobContext(t, 'b', second));
    expect(second).toEqual(first);
    expect(t.vendors.ats.log.length).toBe(requests);
  });

  it('on its last try a failing job ends the run failed, with a report, no tombstones and no staging left; the chain goes on', async () => {
    t.vendors.ats.hardDelete('Company', '7');
    const enqueued: Enqueued[] = [];
    await reconcileRun(payload({ system: 'ats', entity: 'Company', then: ['Person'] }), jobContext(t, 'a', enqueued));
    t.vendors.ats.setListingBroken({ afterPages: 0 });
    const next = enqueued[0]?.payload as JobInput<'reconcile.run'>;
    const afterFailure: Enqueued[] = [];
    await expect(reconcileRun(payload(next), jobContext(t, 'b', afterFailure, true))).rejects.toThrow(/listing of Company failed/);
    expect(afterFailure).toEqual([{ name: 'reconcile.run', jobId: `reconcile:${String(next.runId)}:then`, payload: { system: 'ats', entity: 'Person', then: [] } }]);
    const run = await t.hub.store().repos.runs.get(String(next.runId));
    expect(run?.status).toBe('failed');
    expect(run?.report).toMatchObject({ status: 'failed', counts: { tombstoned: 0, pages: 1 }, tombstones: { skipped: true } });
    expect(countRows(sqliteOf(t.hub.store()), 'reconcile_staging')).toBe(0);
  });
});
