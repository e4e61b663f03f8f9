import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxRequest, Store } from '../../../src/store/index.ts';
import { describeEachStore, openTestStore, type TestStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

function request(over: Partial<OutboxRequest> = {}): OutboxRequest {
  return { system: 'payroll', entity: 'client', canonicalId: 'client-1', op: 'update', fields: ['name'], reason: 'name changed', ...over };
}

const enqueue = (store: Store, requests: OutboxRequest[], now = NOW) => store.unitOfWork((tx) => tx.outbox.enqueueMany(requests, now));

describeEachStore('outbox repository', (current) => {
  it('enqueues one pending row per record and reads every field back', async () => {
    const store = current();
    const [id] = await enqueue(store, [request({ fields: ['status', 'name', 'status'] })]);
    expect(await store.repos.outbox.get(id ?? '')).toEqual({
      id, system: 'payroll', entity: 'client', canonicalId: 'client-1', op: 'update', fields: ['name', 'status'], reason: 'name changed',
      status: 'pending', attempts: 0, lastError: null, idempotencyKey: id, externalId: null, createdAt: NOW, updatedAt: NOW,
      nextAttemptAt: null, waitingOn: null, doneAt: null,
    });
    expect(await enqueue(store, [])).toEqual([]);
    expect(await store.repos.outbox.get('nope')).toBeNull();
  });

  it('coalesces changes to one record: fields unioned, a create stays a create, reasons joined once and capped', async () => {
    const store = current();
    const first = await enqueue(store, [request({ op: 'create', fields: ['status'], reason: 'created' }), request({ canonicalId: 'client-2' })]);
    // Across calls, and within one batch (the same record twice).
    const again = await enqueue(store, [
      request({ fields: ['name', 'city'], reason: 'name changed' }),
      request({ canonicalId: 'client-3', reason: 'r1' }),
      request({ canonicalId: 'client-3', fields: ['city'], op: 'update', reason: 'r2' }),
      request({ reason: 'created' }),
    ], later(1));
    expect(again[0]).toBe(first[0]);
    expect(again[3]).toBe(first[0]);
    expect(again[1]).toBe(again[2]);
    expect(await store.repos.outbox.get(first[0] ?? '')).toMatchObject({ op: 'create', fields: ['city', 'name', 'status'], reason: 'created; name changed', updatedAt: later(1), createdAt: NOW });
    expect(await store.repos.outbox.get(again[1] ?? '')).toMatchObject({ op: 'update', fields: ['city', 'name'], reason: 'r1; r2', createdAt: later(1) });
    // A long reason is cut at 500 characters.
    await enqueue(store, [request({ canonicalId: 'client-2', reason: 'x'.repeat(600) })]);
    expect((await store.repos.outbox.get(first[1] ?? ''))?.reason).toHaveLength(500);
    expect(await store.repos.outbox.countByStatus()).toEqual({ pending: 3 });
  });

  it('hands the touched ids to the commit listener once', async () => {
    const store = current();
    const seen: string[][] = [];
    store.onOutboxCommitted((ids) => seen.push([...ids]));
    try {
      const ids = await enqueue(store, [request(), request({ canonicalId: 'client-2' })]);
      await expect(store.unitOfWork(async (tx) => {
        await tx.outbox.enqueueMany([request({ canonicalId: 'client-9' })], NOW);
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(seen).toEqual([ids]);
      expect((await store.repos.outbox.list({ limit: 10 })).map((r) => r.canonicalId).sort()).toEqual(['client-1', 'client-2']);
    } finally {
      store.onOutboxCommitted(null);
    }
  });

  it('claims a due row once, retakes one abandoned mid-push after five minutes, and marks it done', async () => {
    const store = current();
    const [id = ''] = await enqueue(store, [request()]);
    const claimed = await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    expect(claimed).toMatchObject({ id, status: 'processing', attempts: 1, updatedAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(2)))).toBeNull();
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(7)))).toMatchObject({ attempts: 2 });
    expect(await store.unitOfWork((tx) => tx.outbox.claim('nope', later(7)))).toBeNull();
    await store.unitOfWork((tx) => tx.outbox.markDone(id, 'ext-1', later(8)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'done', externalId: 'ext-1', doneAt: later(8), lastError: null });
    await store.unitOfWork((tx) => tx.outbox.markDone(id, null, later(9)));
    expect((await store.repos.outbox.get(id))?.externalId).toBe('ext-1');
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(30)))).toBeNull();
  });

  it('retries, parks, and folds a failed attempt into a newer pending row', async () => {
    const store = current();
    const [id = ''] = await enqueue(store, [request({ fields: ['name'] })]);
    await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(id, 'e'.repeat(2_500), false, later(10), later(2)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'pending', nextAttemptAt: later(10) });
    expect((await store.repos.outbox.get(id))?.lastError).toHaveLength(2_000);
    await store.unitOfWork((tx) => tx.outbox.claim(id, later(11)));
    // A change arrives during the push: a newer pending row for the same record.
    const [newer = ''] = await enqueue(store, [request({ fields: ['city'], reason: 'city changed' })], later(12));
    expect(newer).not.toBe(id);
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(id, 'timeout', false, later(20), later(13)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'done', lastError: `merged into ${newer}: timeout`, doneAt: later(13) });
    expect(await store.repos.outbox.get(newer)).toMatchObject({ status: 'pending', fields: ['city', 'name'], reason: 'city changed; name changed' });
    await store.unitOfWork((tx) => tx.outbox.claim(newer, later(14)));
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(newer, 'rejected', true, null, later(15)));
    expect(await store.repos.outbox.get(newer)).toMatchObject({ status: 'failed', lastError: 'rejected' });
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed('nope', 'x', true, null, later(15)));
  });

  it('replays parked rows, into the pending row that took their place when there is one', async () => {
    const store = current();
    const [a = '', b = ''] = await enqueue(store, [request(), request({ canonicalId: 'client-2' })]);
    for (const id of [a, b]) {
      await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
      await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(id, 'bad', true, null, later(2)));
    }
    const [fresh = ''] = await enqueue(store, [request({ fields: ['city'] })], later(3));
    expect(await store.unitOfWork((tx) => tx.outbox.replay([a, b, fresh, 'nope'], later(4)))).toBe(2);
    expect(await store.repos.outbox.get(a)).toMatchObject({ status: 'done', lastError: `replayed into ${fresh}` });
    expect(await store.repos.outbox.get(fresh)).toMatchObject({ status: 'pending', fields: ['city', 'name'] });
    expect(await store.repos.outbox.get(b)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: null });
  });

  it('defers a claimed row until what it waits on is pushed, and wakes it', async () => {
    const store = current();
    const [id = '', other = ''] = await enqueue(store, [request(), request({ canonicalId: 'client-2' })]);
    await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    await store.unitOfWork((tx) => tx.outbox.defer(id, 'client|client-0', 'waits for client-0', later(60), later(2)));
    await store.unitOfWork((tx) => tx.outbox.defer(other, 'client|client-0', 'not claimed: unchanged', later(60), later(2)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'pending', waitingOn: 'client|client-0', lastError: 'waits for client-0', nextAttemptAt: later(60) });
    expect((await store.repos.outbox.get(other))?.waitingOn).toBeNull();
    expect(await store.unitOfWork((tx) => tx.outbox.wake('hr', 'client|client-0', later(3)))).toEqual([]);
    const woken = await store.unitOfWork((tx) => tx.outbox.wake('payroll', 'client|client-0', later(3)));
    expect(woken.map((r) => [r.id, r.waitingOn, r.nextAttemptAt])).toEqual([[id, null, null]]);
  });

  it('answers what is due (pending past its backoff, or abandoned) oldest first, and which of some ids are due', async () => {
    const store = current();
    const [a = ''] = await enqueue(store, [request()], NOW);
    const [b = ''] = await enqueue(store, [request({ canonicalId: 'client-2' })], later(1));
    const [c = ''] = await enqueue(store, [request({ canonicalId: 'client-3' })], later(2));
    const [d = ''] = await enqueue(store, [request({ canonicalId: 'client-4' })], later(3));
    await store.unitOfWork(async (tx) => {
      await tx.outbox.claim(b, later(4));
      await tx.outbox.markAttemptFailed(b, 'later', false, later(30), later(4));
      await tx.outbox.claim(c, later(4));
      await tx.outbox.claim(d, later(9));
    });
    expect((await store.repos.outbox.due(later(10), 10)).map((r) => r.id)).toEqual([a, c]);
    expect((await store.repos.outbox.due(later(30), 10)).map((r) => r.id)).toEqual([a, b, c, d]);
    expect((await store.repos.outbox.due(later(30), 2)).map((r) => r.id)).toEqual([a, b]);
    expect((await store.repos.outbox.dueAmong([b, a, a, c, 'nope'], later(10))).map((r) => r.id)).toEqual([a]);
    expect((await store.repos.outbox.dueAmong([a, b], later(30))).map((r) => r.id).sort()).toEqual([a, b].sort());
    expect(await store.repos.outbox.dueAmong([], later(30))).toEqual([]);
  });

  it('lists with filters in id order and counts by status', async () => {
    const store = current();
    const ids = await enqueue(store, [request(), request({ canonicalId: 'client-2', system: 'hr' }), request({ canonicalId: 'client-3' })]);
    await store.unitOfWork((tx) => tx.outbox.claim(ids[2] ?? '', later(1)));
    const sorted = [...ids].sort();
    const list = (q: Omit<Parameters<typeof store.repos.outbox.list>[0], 'limit'>, limit = 10) => store.repos.outbox.list({ limit, ...q }).then((r) => r.map((x) => x.id));
    expect(await list({})).toEqual(sorted);
    expect(await list({ after: sorted[0] ?? '' }, 1)).toEqual([sorted[1]]);
    expect(await list({ system: 'hr' })).toEqual([ids[1]]);
    expect(await list({ status: 'processing', entity: 'client', canonicalId: 'client-3' })).toEqual([ids[2]]);
    expect(await list({ canonicalId: 'CLIENT-3' })).toEqual([]);
    expect(await store.repos.outbox.countByStatus()).toEqual({ pending: 2, processing: 1 });
  });

  it('refuses writes outside a unit of work', async () => {
    const store = current();
    await expect(store.repos.outbox.enqueueMany([request()], NOW)).rejects.toThrow(/unitOfWork/);
    await expect(store.repos.outbox.claim('x', NOW)).rejects.toThrow(/unitOfWork/);
  });
});

// Many workers on PostgreSQL: a row one worker is taking is skipped by another, not waited for.
describe('outbox claim under concurrent workers [postgres]', () => {
  let handle: TestStore | null = null;
  beforeAll(async () => {
    handle = await openTestStore('postgres');
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('a second worker gets null at once while the first holds the row; after a rollback the row is free again', async () => {
    const store = handle?.store;
    if (!store) throw new Error('store not open');
    const [id = ''] = await enqueue(store, [request()]);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let taken: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const first = store.unitOfWork(async (tx) => {
      const row = await tx.outbox.claim(id, later(1));
      taken();
      await held;
      if (row) throw new Error('worker died');
    });
    const firstSettled = first.catch((err: unknown) => err);
    await claimed;
    const started = Date.now();
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)))).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    release();
    expect(await firstSettled).toBeInstanceOf(Error);
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(2)))).toMatchObject({ id, attempts: 1 });
  });
});
