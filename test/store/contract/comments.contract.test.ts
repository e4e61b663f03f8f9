import { expect, it } from 'vitest';
import type { CommentRow } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const comment = (id: string, over: Partial<CommentRow> = {}): CommentRow => ({
  id, entity: 'time_entry', recordId: 'te_1', author: 'contact:c1', visibility: 'client', body: `body of ${id}`, revision: 1,
  createdAt: NOW, updatedAt: NOW, deletedAt: null, deletedBy: null, ...over,
});

describeEachStore('comments repository', (current) => {
  it('inserts with a first revision, lists a record oldest first and filters internal ones in SQL', async () => {
    const store = current();
    const repo = store.repos.comments;
    await store.unitOfWork(async (tx) => {
      await tx.comments.insert(comment('b', { createdAt: later(1), updatedAt: later(1) }));
      await tx.comments.insert(comment('a', { createdAt: later(1), updatedAt: later(1), visibility: 'internal', author: 'user:u1' }));
      await tx.comments.insert(comment('c'));
      await tx.comments.insert(comment('d', { recordId: 'te_2' }));
    });
    expect(await repo.get('c')).toEqual(comment('c'));
    expect(await repo.get('C')).toBeNull();
    expect((await repo.forRecord('time_entry', 'te_1', false)).map((c) => c.id)).toEqual(['c', 'a', 'b']); // created_at, then id
    expect((await repo.forRecord('time_entry', 'te_1', true)).map((c) => c.id)).toEqual(['c', 'b']);
    expect(await repo.forRecord('invoice', 'te_1', false)).toEqual([]);
    expect(await repo.revisions('a')).toEqual([{ commentId: 'a', revision: 1, action: 'created', body: 'body of a', visibility: 'internal', actor: 'user:u1', at: later(1) }]);
  });

  it('writes edits and soft deletes with their revisions, and rolls back both together', async () => {
    const store = current();
    const repo = store.repos.comments;
    await store.unitOfWork((tx) => tx.comments.insert(comment('a')));
    const edited = comment('a', { body: 'fixed', visibility: 'internal', revision: 2, updatedAt: later(1) });
    await store.unitOfWork((tx) => tx.comments.update(edited, 'edited', 'user:u1'));
    const deleted = { ...edited, revision: 3, updatedAt: later(2), deletedAt: later(2), deletedBy: 'user:u2' };
    await store.unitOfWork((tx) => tx.comments.update(deleted, 'deleted', 'user:u2'));
    expect(await repo.get('a')).toEqual(deleted);
    expect((await repo.revisions('a')).map((r) => [r.revision, r.action, r.body, r.visibility, r.actor, r.at])).toEqual([
      [1, 'created', 'body of a', 'client', 'contact:c1', NOW],
      [2, 'edited', 'fixed', 'internal', 'user:u1', later(1)],
      [3, 'deleted', 'fixed', 'internal', 'user:u2', later(2)],
    ]);
    // A revision number taken twice fails the unit of work, and the comment's new state goes with it.
    await expect(store.unitOfWork((tx) => tx.comments.update({ ...deleted, body: 'again', updatedAt: later(3) }, 'edited', 'user:u1'))).rejects.toThrow(/unique|primary key/i);
    expect((await repo.get('a'))?.body).toBe('fixed');
    await expect(repo.insert(comment('z'))).rejects.toThrow(/unitOfWork/);
  });
});
