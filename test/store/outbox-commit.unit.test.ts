import { afterEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

/* The store tells its listener which outbox rows a unit of work touched, after the commit only. */

const temps: TempStore[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.dispose();
});

const NOW = '2026-12-07T10:00:00.000Z';
const request = (canonicalId: string) => ({ system: 'gusto', entity: 'candidate' as const, canonicalId, op: 'update' as const, fields: ['email'], reason: 'test' });

describe('outbox rows committed', () => {
  it('reaches the listener after the commit, not after a rollback, and the due ones are found among them', async () => {
    const t = openTempStore();
    temps.push(t);
    const { store } = t;
    const heard: string[][] = [];
    store.onOutboxCommitted((ids) => heard.push([...ids]));

    const ids = await store.unitOfWork(async (tx) => {
      const created = await tx.outbox.enqueueMany([request('c-1'), request('c-2')], NOW);
      expect(heard).toEqual([]); // not before the commit
      return created;
    });
    expect(heard).toEqual([ids]);

    await expect(
      store.unitOfWork(async (tx) => {
        await tx.outbox.enqueueMany([request('c-3')], NOW);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await store.unitOfWork(async (tx) => void (await tx.runs.list({ limit: 1 })));
    expect(heard).toHaveLength(1);

    // A row waiting out a backoff is not due; the other is.
    const [first, second] = ids as [string, string];
    await store.unitOfWork(async (tx) => tx.outbox.markAttemptFailed(second, 'vendor 503', false, '2026-12-07T11:00:00.000Z', NOW));
    expect((await store.repos.outbox.dueAmong([first, second, 'missing'], NOW)).map((r) => r.id)).toEqual([first]);

    store.onOutboxCommitted(null);
    await store.unitOfWork(async (tx) => void (await tx.outbox.enqueueMany([request('c-4')], NOW)));
    expect(heard).toHaveLength(1);
  });
});
