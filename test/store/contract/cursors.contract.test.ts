import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

describeEachStore('cursors repository', (current) => {
  it('sets, replaces and reads a cursor per system and entity, case-sensitively', async () => {
    const store = current();
    expect(await store.repos.cursors.get('ats', 'client')).toBeNull();
    await store.unitOfWork((tx) => tx.cursors.set('ats', 'client', '2026-03-01T00:00:00Z', NOW));
    await store.unitOfWork((tx) => tx.cursors.set('ats', 'client', '2026-03-02T00:00:00Z', later(1)));
    expect(await store.repos.cursors.get('ats', 'client')).toBe('2026-03-02T00:00:00Z');
    expect(await store.repos.cursors.get('ats', 'Client')).toBeNull();
    expect(await store.repos.cursors.get('payroll', 'client')).toBeNull();
  });

  it('lists every cursor ordered by system and entity, with its update time', async () => {
    const store = current();
    expect(await store.repos.cursors.all()).toEqual([]);
    await store.unitOfWork(async (tx) => {
      await tx.cursors.set('payroll', 'candidate', 'p', NOW);
      await tx.cursors.set('ats', 'placement', 'b', later(1));
      await tx.cursors.set('ats', 'client', 'a', later(2));
    });
    expect(await store.repos.cursors.all()).toEqual([
      { system: 'ats', entity: 'client', cursor: 'a', updatedAt: later(2) },
      { system: 'ats', entity: 'placement', cursor: 'b', updatedAt: later(1) },
      { system: 'payroll', entity: 'candidate', cursor: 'p', updatedAt: NOW },
    ]);
  });

  it('refuses a write outside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.repos.cursors.set('ats', 'client', 'x', NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.cursors.set('ats', 'client', 'x', NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.cursors.get('ats', 'client')).toBeNull();
  });
});
