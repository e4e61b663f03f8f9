import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

type NewRow = Parameters<Store['repos']['inbox']['insert']>[0];

function delivery(over: Partial<NewRow> = {}): NewRow {
  return { id: 'i-1', system: 'gusto', eventId: 'evt-1', kind: 'webhook', entity: null, externalId: null, payload: '{"a":1}', receivedAt: NOW, ...over };
}

describeEachStore('inbox repository', (current) => {
  it('inserts a delivery once per (system, event id), answering the first id for a duplicate', async () => {
    const store = current();
    expect(await store.unitOfWork((tx) => tx.inbox.insert(delivery({ headers: { 'x-event': 'e1' } })))).toEqual({ inserted: true, id: 'i-1' });
    expect(await store.unitOfWork((tx) => tx.inbox.insert(delivery({ id: 'i-2' })))).toEqual({ inserted: false, id: 'i-1' });
    expect(await store.unitOfWork((tx) => tx.inbox.insert(delivery({ id: 'i-3', eventId: 'EVT-1' })))).toEqual({ inserted: true, id: 'i-3' });
    expect(await store.unitOfWork((tx) => tx.inbox.insert(delivery({ id: 'i-4', system: 'adp' })))).toEqual({ inserted: true, id: 'i-4' });
    // Within one unit of work too.
    expect(await store.unitOfWork(async (tx) => [await tx.inbox.insert(delivery({ id: 'i-5', eventId: 'e5' })), await tx.inbox.insert(delivery({ id: 'i-6', eventId: 'e5' }))]))
      .toEqual([{ inserted: true, id: 'i-5' }, { inserted: false, id: 'i-5' }]);
    expect(await store.repos.inbox.get('i-1')).toEqual({
      id: 'i-1', system: 'gusto', eventId: 'evt-1', kind: 'webhook', entity: null, externalId: null, payload: '{"a":1}', headers: { 'x-event': 'e1' },
      status: 'pending', attempts: 0, lastError: null, receivedAt: NOW, processedAt: null,
    });
    expect((await store.repos.inbox.get('i-3'))?.headers).toBeNull();
    expect(await store.repos.inbox.get('i-2')).toBeNull();
  });

  it('marks processed, records attempts, and lists pending oldest first', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.inbox.insert(delivery({ id: 'i-1', eventId: 'e1', receivedAt: later(2) }));
      await tx.inbox.insert(delivery({ id: 'i-2', eventId: 'e2', receivedAt: later(1), kind: 'event', entity: 'employee', externalId: 'x9' }));
      await tx.inbox.insert(delivery({ id: 'i-3', eventId: 'e3', receivedAt: later(1) }));
    });
    expect((await store.repos.inbox.pending(10)).map((r) => r.id)).toEqual(['i-2', 'i-3', 'i-1']);
    expect((await store.repos.inbox.pending(1)).map((r) => r.id)).toEqual(['i-2']);
    await store.unitOfWork((tx) => tx.inbox.recordAttempt('i-2', 'x'.repeat(3_000)));
    await store.unitOfWork((tx) => tx.inbox.markProcessed('i-2', 'done', null, later(5)));
    expect(await store.repos.inbox.get('i-2')).toMatchObject({ status: 'done', attempts: 2, lastError: null, processedAt: later(5), entity: 'employee', externalId: 'x9', kind: 'event' });
    await store.unitOfWork((tx) => tx.inbox.recordAttempt('i-1', 'y'.repeat(3_000)));
    expect((await store.repos.inbox.get('i-1'))?.lastError).toHaveLength(2_000);
    expect((await store.repos.inbox.pending(10)).map((r) => r.id)).toEqual(['i-3', 'i-1']);
    expect(await store.repos.inbox.countByStatus()).toEqual({ pending: 2, done: 1 });
  });

  it('lists with filters, both directions and keyset pages', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      for (const [id, system, eventId] of [['i-1', 'gusto', 'a'], ['i-2', 'adp', 'b'], ['i-3', 'gusto', 'c']] as const) await tx.inbox.insert(delivery({ id, system, eventId }));
      await tx.inbox.markProcessed('i-3', 'failed', 'bad', later(1));
    });
    const ids = (q: Omit<Parameters<typeof store.repos.inbox.list>[0], 'limit'>, limit = 10) => store.repos.inbox.list({ limit, ...q }).then((r) => r.map((x) => x.id));
    expect(await ids({})).toEqual(['i-1', 'i-2', 'i-3']);
    expect(await ids({ newestFirst: true }, 2)).toEqual(['i-3', 'i-2']);
    expect(await ids({ before: 'i-3', newestFirst: true })).toEqual(['i-2', 'i-1']);
    expect(await ids({ after: 'i-1' })).toEqual(['i-2', 'i-3']);
    expect(await ids({ system: 'gusto', status: 'pending' })).toEqual(['i-1']);
    expect(await ids({ eventId: 'c' })).toEqual(['i-3']);
    expect(await ids({ eventId: 'C' })).toEqual([]);
  });

  it('replays failed and ignored rows only, counting them', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      for (const id of ['i-1', 'i-2', 'i-3', 'i-4']) await tx.inbox.insert(delivery({ id, eventId: id }));
      await tx.inbox.markProcessed('i-1', 'failed', 'bad', later(1));
      await tx.inbox.markProcessed('i-2', 'ignored', null, later(1));
      await tx.inbox.markProcessed('i-3', 'done', null, later(1));
    });
    expect(await store.unitOfWork((tx) => tx.inbox.replay(['i-1', 'i-2', 'i-3', 'i-4', 'i-1', 'nope']))).toBe(2);
    expect(await store.unitOfWork((tx) => tx.inbox.replay([]))).toBe(0);
    expect(await store.repos.inbox.get('i-1')).toMatchObject({ status: 'pending', attempts: 0, lastError: null, processedAt: null });
    expect(await store.repos.inbox.get('i-3')).toMatchObject({ status: 'done' });
    expect(await store.repos.inbox.countByStatus()).toEqual({ pending: 3, done: 1 });
  });

  it('refuses writes outside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.repos.inbox.insert(delivery())).rejects.toThrow(/unitOfWork/);
    await expect(store.repos.inbox.replay(['i-1'])).rejects.toThrow(/unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.inbox.insert(delivery());
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.inbox.countByStatus()).toEqual({});
  });
});
