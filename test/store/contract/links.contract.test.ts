import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { link, later, NOW } from './support.ts';

describeEachStore('links repository', (current) => {
  it('upserts in one batch and reads back every field, JSON and nulls intact', async () => {
    const store = current();
    const rows = [
      link(),
      link({ externalId: 'c2', canonicalId: null, state: 'held', base: null, sourceHash: null, pending: '{"name":"Birch"}', waitingOn: 'ats|client|c9', reason: 'waits for c9', meta: { version: 'v1', n: 2 } }),
    ];
    await store.unitOfWork((tx) => tx.links.upsertMany(rows));
    expect(await store.repos.links.get('ats', 'client', 'c1')).toEqual(rows[0]);
    expect(await store.repos.links.get('ats', 'client', 'c2')).toEqual(rows[1]);
    expect(await store.repos.links.get('ats', 'client', 'C1')).toBeNull(); // comparisons are case-sensitive
    const many = await store.repos.links.getMany('ats', 'client', ['c1', 'c2', 'nope']);
    expect([...many.keys()].sort()).toEqual(['c1', 'c2']);
  });

  it('updates an existing link on conflict, keeping its created time', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.links.upsertMany([link()]));
    await store.unitOfWork((tx) => tx.links.upsertMany([link({ sourceHash: 'h2', base: { name: 'y' }, createdAt: later(5), updatedAt: later(5) })]));
    const row = await store.repos.links.get('ats', 'client', 'c1');
    expect(row).toMatchObject({ sourceHash: 'h2', base: { name: 'y' }, createdAt: NOW, updatedAt: later(5) });
  });

  it('answers guards, resolve, byCanonical, forCanonical and waitingOn', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link(),
        link({ system: 'payroll', externalId: 'p1' }),
        link({ externalId: 'c3', canonicalId: null, state: 'held', waitingOn: 'ats|client|c1', updatedAt: later(1) }),
        link({ externalId: 'c4', canonicalId: 'client-4', state: 'parked' }),
      ]),
    );
    expect((await store.repos.links.guards('ats', 'client', ['c1'])).get('c1')).toEqual({ state: 'linked', sourceHash: 'h', sourceModifiedAt: null });
    expect([...(await store.repos.links.resolve('ats', 'client', ['c1', 'c3', 'c4'])).entries()]).toEqual([['c1', 'client-1']]);
    expect((await store.repos.links.byCanonical('client', ['client-1'])).map((l) => l.system).sort()).toEqual(['ats', 'payroll']);
    expect((await store.repos.links.forCanonical('payroll', 'client', 'client-1'))?.externalId).toBe('p1');
    expect((await store.repos.links.waitingOn(['ats|client|c1'])).map((l) => l.externalId)).toEqual(['c3']);
  });

  it('pages by state in order, tombstones, forgets hashes and counts', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.links.upsertMany(['a', 'b', 'c'].map((x, i) => link({ externalId: x, canonicalId: `client-${x}`, state: 'held', updatedAt: later(i) }))));
    const first = await store.repos.links.listByState('held', 2);
    expect(first.map((l) => l.externalId)).toEqual(['a', 'b']);
    const last = first[1];
    const after = last ? `${last.updatedAt}|${last.system}|${last.entity}|${last.externalId}` : '';
    expect((await store.repos.links.listByState('held', 2, undefined, after)).map((l) => l.externalId)).toEqual(['c']);
    expect(await store.unitOfWork((tx) => tx.links.setTombstone('ats', 'client', ['a', 'b', 'zz'], later(9), later(9)))).toBe(2);
    expect((await store.repos.links.get('ats', 'client', 'a'))?.tombstonedAt).toBe(later(9));
    expect(await store.unitOfWork((tx) => tx.links.forgetHashes([{ system: 'ats', entity: 'client', externalId: 'c' }]))).toBe(1);
    expect((await store.repos.links.get('ats', 'client', 'c'))?.sourceHash).toBeNull();
    expect(await store.repos.links.count()).toBe(3);
    expect(await store.repos.links.count('ats', 'client')).toBe(3);
    expect(await store.repos.links.count('payroll')).toBe(0);
    expect(await store.repos.links.countByState()).toEqual({ held: 3 });
  });

  it('refuses a second link of one system to the same canonical record', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.links.upsertMany([link()]));
    await expect(store.unitOfWork((tx) => tx.links.upsertMany([link({ externalId: 'c2' })]))).rejects.toThrow(/unique/i);
  });
});
