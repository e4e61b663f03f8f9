import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const claim = (scopeKey: string, createdAt = NOW) => ({ scopeKey, method: 'POST', path: '/api/v1/time', bodyHash: 'h1', createdAt });

describeEachStore('idempotency repository', (current) => {
  it('claims a key once, completes it and replays the answer', async () => {
    const store = current();
    const repo = store.repos.idempotency;
    expect(await store.unitOfWork((tx) => tx.idempotency.claim(claim('user:u1|k1')))).toBe(true);
    expect(await repo.get('user:u1|k1')).toEqual({ ...claim('user:u1|k1'), status: null, responseBody: null, contentType: null });
    // A second claim is answered by the statement, and the unit of work stays usable (no error aborted it).
    expect(await store.unitOfWork(async (tx) => {
      const again = await tx.idempotency.claim(claim('user:u1|k1', later(1)));
      await tx.idempotency.complete('user:u1|k1', 201, '{"id":"t1"}', 'application/json');
      return again;
    })).toBe(false);
    expect(await repo.get('user:u1|k1')).toEqual({ ...claim('user:u1|k1'), status: 201, responseBody: '{"id":"t1"}', contentType: 'application/json' });
    expect(await repo.get('user:u1|K1')).toBeNull(); // keys are exact
    expect(await store.unitOfWork((tx) => tx.idempotency.claim(claim('user:u1|K1')))).toBe(true);
    await store.unitOfWork((tx) => tx.idempotency.complete('user:u1|K1', 204, '', null));
    expect(await repo.get('user:u1|K1')).toMatchObject({ status: 204, responseBody: '', contentType: null });
  });

  it('lets exactly one of racing claims win', async () => {
    const store = current();
    const results = await Promise.all([1, 2, 3].map(() => store.unitOfWork((tx) => tx.idempotency.claim(claim('user:u1|race')))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('releases a key for a retry, purges old ones and refuses writes outside a unit of work', async () => {
    const store = current();
    const repo = store.repos.idempotency;
    await expect(repo.claim(claim('a'))).rejects.toThrow(/unitOfWork/);
    await store.unitOfWork(async (tx) => {
      await tx.idempotency.claim(claim('a'));
      await tx.idempotency.claim(claim('b', later(10)));
      await tx.idempotency.claim(claim('c', later(20)));
    });
    await store.unitOfWork((tx) => tx.idempotency.release('a'));
    expect(await repo.get('a')).toBeNull();
    expect(await store.unitOfWork((tx) => tx.idempotency.claim(claim('a', later(30))))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.idempotency.purgeBefore(later(15)))).toBe(1);
    expect(await repo.get('b')).toBeNull();
    expect(await repo.get('c')).not.toBeNull();
    expect(await store.unitOfWork((tx) => tx.idempotency.purgeBefore(later(15)))).toBe(0);
  });
});
