import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const slot = (id: string, payload: unknown = { system: 'ats' }) => ({ id, job: 'pull', system: 'ats', payload });

describeEachStore('slots repository', (current) => {
  it('claims a slot once; a second claim is false and does not spoil its unit of work', async () => {
    const store = current();
    expect(await store.unitOfWork((tx) => tx.slots.claim(slot('pull:ats:12:00', { system: 'ats', n: [1, 'two'] }), NOW))).toBe(true);
    const [again, other] = await store.unitOfWork(async (tx) => [
      await tx.slots.claim(slot('pull:ats:12:00'), later(1)),
      // After the refused claim, the same transaction still writes (PostgreSQL would abort on a raised error).
      await tx.slots.claim(slot('pull:ats:12:01'), later(1)),
    ]);
    expect([again, other]).toEqual([false, true]);
    expect(await store.repos.slots.get('pull:ats:12:00')).toEqual({
      id: 'pull:ats:12:00', job: 'pull', system: 'ats', payload: { system: 'ats', n: [1, 'two'] }, claimedAt: NOW, enqueuedAt: null,
    });
    expect(await store.repos.slots.get('PULL:ats:12:00')).toBeNull();
  });

  it('lists unenqueued claims inside [after, before) in claim order, and marks them enqueued', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.slots.claim(slot('s-b'), later(1));
      await tx.slots.claim(slot('s-a'), later(1)); // same claim time: the id breaks the tie
      await tx.slots.claim(slot('s-c'), later(2));
      await tx.slots.claim(slot('s-d'), later(3));
      await tx.slots.claim(slot('s-early'), NOW);
    });
    expect((await store.repos.slots.unenqueued(later(1), later(3), 10)).map((s) => s.id)).toEqual(['s-a', 's-b', 's-c']);
    expect((await store.repos.slots.unenqueued(later(1), later(3), 2)).map((s) => s.id)).toEqual(['s-a', 's-b']);
    await store.unitOfWork((tx) => tx.slots.markEnqueued('s-a', later(4)));
    expect((await store.repos.slots.get('s-a'))?.enqueuedAt).toBe(later(4));
    expect((await store.repos.slots.unenqueued(later(1), later(3), 10)).map((s) => s.id)).toEqual(['s-b', 's-c']);
  });

  it('prunes slots claimed before a time and counts them', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.slots.claim(slot('old-1'), NOW);
      await tx.slots.claim(slot('old-2'), later(1));
      await tx.slots.claim(slot('new'), later(2));
    });
    expect(await store.unitOfWork((tx) => tx.slots.prune(later(2)))).toBe(2);
    expect(await store.unitOfWork((tx) => tx.slots.prune(later(2)))).toBe(0);
    expect(await store.repos.slots.get('new')).not.toBeNull();
  });

  it('refuses writes outside a unit of work', async () => {
    const store = current();
    await expect(store.repos.slots.claim(slot('x'), NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.slots.markEnqueued('x', NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.slots.prune(NOW)).rejects.toThrow(/inside store.unitOfWork/);
  });
});
