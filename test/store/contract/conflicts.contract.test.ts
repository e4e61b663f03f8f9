import { expect, it } from 'vitest';
import type { ConflictRow } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

function conflict(over: Partial<ConflictRow> = {}): ConflictRow {
  return {
    id: 'k-1', entity: 'client', canonicalId: 'client-1', field: 'name', system: 'ats', externalId: 'c1', base: 'Old', current: 'Ours',
    incoming: 'Theirs', status: 'open', openedAt: NOW, sourceModifiedAt: null, runId: null, resolvedAt: null, resolvedBy: null,
    resolution: null, resolvedValue: null, resolutionReason: null, ...over,
  };
}

describeEachStore('conflicts repository', (current) => {
  it('opens conflicts and reads them back with their JSON values (strings, numbers, null) intact', async () => {
    const store = current();
    const rows = [conflict(), conflict({ id: 'k-2', field: 'openings', base: null, current: 3, incoming: 4.5, sourceModifiedAt: later(1), runId: 'run-1' })];
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen(rows));
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen([]));
    expect(await store.repos.conflicts.get('k-1')).toEqual(rows[0]);
    expect(await store.repos.conflicts.get('k-2')).toEqual(rows[1]);
    expect(await store.repos.conflicts.get('K-1')).toBeNull();
    expect(await store.repos.conflicts.countOpen()).toBe(2);
  });

  it('refreshes the one open conflict per question, across calls and within one batch', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen([conflict()]));
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen([conflict({ id: 'k-9', base: 'ignored', incoming: 'Newer', current: 'Ours2', runId: 'run-2', openedAt: later(5) })]));
    expect(await store.repos.conflicts.get('k-9')).toBeNull();
    expect(await store.repos.conflicts.get('k-1')).toMatchObject({ base: 'Old', incoming: 'Newer', current: 'Ours2', runId: 'run-2', openedAt: NOW });
    // The same question twice in one batch: the first ask's id and base, the last ask's values.
    await store.unitOfWork((tx) =>
      tx.conflicts.upsertOpen([
        conflict({ id: 'k-3', field: 'status', base: 'b1', incoming: 'i1' }),
        conflict({ id: 'k-4', field: 'status', base: 'b2', incoming: 'i2', sourceModifiedAt: later(2) }),
        conflict({ id: 'k-5', field: 'status', system: 'payroll', incoming: 'p' }),
      ]),
    );
    expect(await store.repos.conflicts.get('k-3')).toMatchObject({ base: 'b1', incoming: 'i2', sourceModifiedAt: later(2) });
    expect(await store.repos.conflicts.get('k-4')).toBeNull();
    expect(await store.repos.conflicts.countOpen()).toBe(3);
  });

  it('resolves once; a resolved question may open again', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen([conflict()]));
    expect(await store.unitOfWork((tx) => tx.conflicts.markResolved('k-1', 'value', 42, 'user:1', 'checked', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.conflicts.markResolved('k-1', 'incoming', null, 'user:1', null, later(2)))).toBe(false);
    expect(await store.repos.conflicts.get('k-1')).toMatchObject({ status: 'resolved', resolution: 'value', resolvedValue: 42, resolvedBy: 'user:1', resolutionReason: 'checked', resolvedAt: later(1) });
    await store.unitOfWork((tx) => tx.conflicts.upsertOpen([conflict({ id: 'k-2' })]));
    expect(await store.repos.conflicts.countOpen()).toBe(1);
    await store.unitOfWork((tx) => tx.conflicts.markResolved('k-2', 'current', null, 'user:1', null, later(3)));
    expect((await store.repos.conflicts.get('k-2'))?.resolvedValue).toBeNull();
  });

  it('reads open conflicts by system and records, by record, and lists with filters in id order', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.conflicts.upsertOpen([
        conflict({ id: 'k-3' }),
        conflict({ id: 'k-1', field: 'status' }),
        conflict({ id: 'k-2', canonicalId: 'client-2' }),
        conflict({ id: 'k-4', system: 'payroll' }),
      ]),
    );
    await store.unitOfWork((tx) => tx.conflicts.markResolved('k-4', 'incoming', 'x', 'u', null, later(1)));
    expect((await store.repos.conflicts.openFrom('ats', 'client', ['client-1', 'client-2'])).map((c) => c.id)).toEqual(['k-1', 'k-2', 'k-3']);
    expect(await store.repos.conflicts.openFrom('ats', 'client', [])).toEqual([]);
    expect(await store.repos.conflicts.openFrom('payroll', 'client', ['client-1'])).toEqual([]);
    expect((await store.repos.conflicts.openFor('client', 'client-1')).map((c) => c.id)).toEqual(['k-1', 'k-3']);
    const ids = (q: Omit<Parameters<typeof store.repos.conflicts.list>[0], 'limit'>, limit = 10) => store.repos.conflicts.list({ limit, ...q }).then((r) => r.map((c) => c.id));
    expect(await ids({})).toEqual(['k-1', 'k-2', 'k-3', 'k-4']);
    expect(await ids({ status: 'open', canonicalId: 'client-1' })).toEqual(['k-1', 'k-3']);
    expect(await ids({ status: 'resolved' })).toEqual(['k-4']);
    expect(await ids({ field: 'status', system: 'ats', entity: 'client' })).toEqual(['k-1']);
    expect(await ids({ after: 'k-2' }, 1)).toEqual(['k-3']);
  });

  it('refuses writes outside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.repos.conflicts.upsertOpen([conflict()])).rejects.toThrow(/unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.conflicts.upsertOpen([conflict()]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.conflicts.countOpen()).toBe(0);
  });
});
