import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { CLIENT, countRows, link, NOW } from './support.ts';

describeEachStore('unit of work', (current) => {
  it('commits every write and returns the callback result', async () => {
    const store = current();
    const result = await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
      await tx.links.upsertMany([link()]);
      return 42;
    });
    expect(result).toBe(42);
    expect(await countRows(store, 'clients')).toBe(1);
    expect(await countRows(store, 'links')).toBe(1);
  });

  it('rolls back every write when the callback throws after an await, and stays usable', async () => {
    const store = current();
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
        await tx.links.upsertMany([link()]);
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await countRows(store, 'clients')).toBe(0);
    expect(await countRows(store, 'links')).toBe(0);
    await store.unitOfWork(async (tx) => tx.canonical.insertMany('client', [{ id: 'client-2', fields: CLIENT, changedAt: null }], NOW));
    expect(await countRows(store, 'clients')).toBe(1);
  });

  it('refuses a repository write outside a unit of work', async () => {
    const store = current();
    await expect(store.repos.links.upsertMany([link()])).rejects.toThrow(/inside store.unitOfWork/);
    expect(await countRows(store, 'links')).toBe(0);
  });

  it('rolls back a statement the database refuses (a foreign key), with the error', async () => {
    const store = current();
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
        await tx.canonical.insertMany('worksite', [{ id: 'w-1', fields: { clientId: 'no-such-client', name: 'Dock 4', status: 'active' }, changedAt: null }], NOW);
      }),
    ).rejects.toThrow(/foreign key/i);
    expect(await countRows(store, 'clients')).toBe(0);
  });

  it('reports the ids of outbox rows a commit created, after it commits, and none for a rollback', async () => {
    const store = current();
    const seen: string[][] = [];
    store.onOutboxCommitted((ids) => seen.push([...ids]));
    try {
      await store.unitOfWork((tx) => tx.outbox.enqueueMany([{ system: 'payroll', entity: 'client', canonicalId: 'client-1', op: 'update', fields: ['name'], reason: 'ats changed name' }], NOW));
      await expect(
        store.unitOfWork(async (tx) => {
          await tx.outbox.enqueueMany([{ system: 'payroll', entity: 'client', canonicalId: 'client-2', op: 'update', fields: ['name'], reason: 'x' }], NOW);
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
    } finally {
      store.onOutboxCommitted(null);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(1);
  });
});
