import { sqliteOf } from '../support/temp-store.ts';
/**
 * Redis loses everything (FLUSHALL on a private redis-server) while work is pending: webhook
 * deliveries in the inbox and approved time in the outbox, their jobs waiting in BullMQ because no
 * worker runs. A restarted `crosswalk worker` (its relay reads SQLite) brings all of it back, and
 * every piece of work has exactly one effect.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import { startPrivateRedis, uniquePrefix } from '../queue/support.ts';
import { tempDir } from '../support/temp-store.ts';
import { approvableEntries, importBillingFiles, linkedEmployees, rows, timeSheetsTagged } from './support/records.ts';
import { bootWorld, waitUntil, type World } from './support/world.ts';

const EDITS = 6;
const APPROVALS = 6;
const dataset = sampleDataset();
let redis: { url: string; stop(): Promise<void> };
let world: World;
let files: { dir: string; dispose(): void };

beforeAll(async () => {
  files = tempDir();
  redis = await startPrivateRedis();
  ({ world } = await bootWorld({ dataset, redisUrl: redis.url, prefix: uniquePrefix('flush') }));
  await importBillingFiles(world, dataset, files.dir);
  await world.pushDue();
  await world.settle();
}, 90_000);

afterAll(async () => {
  await world?.close();
  await redis?.stop();
  files?.dispose();
});

describe('FLUSHALL with work pending', () => {
  it(`${EDITS} webhook deliveries and ${APPROVALS} approvals queued, Redis emptied, worker restarted: each completes exactly once`, async () => {
    const store = sqliteOf(world.hub.store());
    // Webhooks Gusto still owes for the set-up's pushes land before the count starts (on a loaded
    // machine one could arrive after it and be counted as one of this test's deliveries).
    await world.gusto.control.webhooksIdle(10_000);
    await world.settle();
    const since = nowIso();
    await world.stopWorker();

    // With no worker, the work piles up: inbox rows and their jobs, outbox rows and theirs.
    const employees = await linkedEmployees(world, EDITS);
    const before = world.gusto.control.events().length;
    for (const [i, e] of employees.entries()) world.gusto.control.editEmployee(e.uuid, { first_name: `Flushed${i}` });
    await world.gusto.control.webhooksIdle(10_000);
    const entries = await approvableEntries(store, APPROVALS);
    for (const e of entries) {
      const res = await world.api('POST', `/api/v1/time-entries/${e.entryId}/approve`, { comment: 'before the flush' }, await world.contactKey(e.approverId));
      expect(res.status).toBe(200);
    }
    const pendingInbox = () => rows<{ id: string }>(store, "SELECT id FROM inbox WHERE status = 'pending' AND received_at >= ?", since);
    const pendingOutbox = () => rows<{ id: string }>(store, "SELECT id FROM outbox WHERE status = 'pending' AND entity = 'time_entry' AND created_at >= ?", since);
    expect(pendingInbox()).toHaveLength(EDITS);
    expect(pendingOutbox()).toHaveLength(APPROVALS);
    await waitUntil('the pushes to be queued in Redis', async () => ((await world.hub.queue().stats())['gusto']?.waiting ?? 0) >= EDITS + APPROVALS, 5_000);

    const admin = new Redis(redis.url);
    try {
      expect(await admin.flushall()).toBe('OK');
      expect(await admin.dbsize()).toBe(0);
    } finally {
      admin.disconnect();
    }

    // The restarted worker's relay sweeps SQLite at start and queues everything again.
    const t0 = Date.now();
    world.startWorker();
    await waitUntil('every inbox row and approval to be done', () => pendingInbox().length + pendingOutbox().length === 0, 30_000, () => world.worker?.output() ?? '');
    await waitUntil(
      'Gusto to have every first name back',
      () => employees.every((e) => world.gusto.control.getEmployee(e.uuid)?.['first_name'] === e.firstName),
      30_000,
      () => world.worker?.output() ?? '',
    );
    await world.settle();
    const recoveredMs = Date.now() - t0;

    // Exactly once: per edit one inbox row, one refusal, one push back; per approval one time sheet.
    for (const [i, e] of employees.entries()) {
      // The edit's event is the first one about the employee since; our push back made the next.
      const editEvent = world.gusto.control.events().slice(before).find((ev) => ev.entity_uuid === e.uuid);
      expect(rows(store, 'SELECT id FROM inbox WHERE event_id = ? AND status = ?', editEvent?.uuid, 'done'), `edit ${i}`).toHaveLength(1);
      const ledger = rows<{ direction: string; action: string; outcome: string }>(
        store, 'SELECT direction, action, outcome FROM ledger WHERE system = ? AND canonical_id = ? AND at >= ? ORDER BY seq', 'gusto', e.canonicalId, since,
      );
      expect(ledger.map((l) => `${l.direction} ${l.action} ${l.outcome}`), `edit ${i}`).toEqual(['in update rejected', 'out push applied']);
    }
    for (const e of entries) {
      const [row, ...more] = rows<{ idempotency_key: string; status: string; attempts: number }>(store, 'SELECT idempotency_key, status, attempts FROM outbox WHERE canonical_id = ?', e.entryId);
      expect(more).toEqual([]);
      expect(row).toMatchObject({ status: 'done', attempts: 1 });
      expect(timeSheetsTagged(world, row?.idempotency_key ?? '')).toHaveLength(1);
      expect(rows(store, "SELECT seq FROM ledger WHERE direction = 'out' AND canonical_id = ? AND action = 'create'", e.entryId)).toHaveLength(1);
      expect((await store.repos.canonical.get('time_entry', e.entryId))?.fields['status']).toBe('exported');
    }
    // Nothing parked or failed on the way.
    expect(rows(store, "SELECT id FROM outbox WHERE status = 'failed' AND updated_at >= ?", since)).toEqual([]);
    expect(rows(store, "SELECT id FROM inbox WHERE status = 'failed'")).toEqual([]);
    expect(recoveredMs).toBeLessThan(30_000);
  });

  it('a pull asked for through the API survives FLUSHALL before its first page: its run row came first, and the relay resumes it', async () => {
    const store = sqliteOf(world.hub.store());
    await world.stopWorker();
    const res = await world.api('POST', '/api/v1/systems/gusto/sync', { entity: 'candidate' });
    expect(res.status).toBe(202);
    const runId = String((res.body['data'] as { runId?: string } | undefined)?.runId);
    // Durable before it was queued: the run row exists and waits at page 0.
    expect((await store.repos.runs.get(runId))?.status).toBe('running');

    const admin = new Redis(redis.url);
    try {
      expect(await admin.flushall()).toBe('OK');
    } finally {
      admin.disconnect();
    }
    const t0 = Date.now();
    world.startWorker();
    await waitUntil('the requested pull to finish', async () => (await store.repos.runs.get(runId))?.status === 'succeeded', 30_000, () => world.worker?.output() ?? '');
    // Resumed within a relay sweep or two, not after the old fixed 20 minutes without progress.
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect((await store.repos.runs.get(runId))?.counts['pages']).toBeGreaterThan(0);
  });
});
