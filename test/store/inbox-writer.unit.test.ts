import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type NewInboxRow } from '../../src/store/index.ts';
import { countRows, openTempStore, type TempStore } from '../support/temp-store.ts';

/*
 * The inbox writer thread (decision 0010): a promise settles only once its row is committed (another
 * connection sees it), rows of one burst share a commit, a duplicate in the same batch answers the
 * first row's id, a failed commit rejects its rows, and a closed store refuses instead of writing.
 */

const temps: TempStore[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.dispose();
});

function row(i: number, eventId = `evt-${i}`): NewInboxRow {
  return { id: `inbox-${i}`, system: 'gusto', eventId, kind: 'webhook', entity: 'employee', externalId: `x-${i}`, payload: `{"i":${i}}`, receivedAt: '2026-01-01T00:00:00.000Z' };
}

function open(busyTimeoutMs?: number): TempStore {
  const t = busyTimeoutMs === undefined ? openTempStore() : reopen(openTempStore(), busyTimeoutMs);
  temps.push(t);
  return t;
}

function reopen(t: TempStore, busyTimeoutMs: number): TempStore {
  t.store.close();
  const store = SqliteStore.open(t.path, { busyTimeoutMs });
  return { ...t, store, dispose: () => { store.close(); t.dispose(); } };
}

describe('InboxWriter', () => {
  it('a burst commits in groups; each promise settles with its row already visible to another connection', async () => {
    const { store, path } = open();
    const writer = store.inboxWriter();
    expect(writer).not.toBeNull();
    const other = new Database(path, { readonly: true });
    try {
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) =>
        writer!.insert(row(i)).then((r) => ({ ...r, seen: other.prepare('SELECT count(*) FROM inbox WHERE id = ?').pluck().get(r.id) as number })),
      ));
      expect(results.every((r, i) => r.inserted && r.id === `inbox-${i}` && r.seen === 1)).toBe(true);
    } finally {
      other.close();
    }
    expect(countRows(store, 'inbox')).toBe(300);
  });

  it('a duplicate in the same batch, and one sent later, answer the first delivery id', async () => {
    const { store } = open();
    const writer = store.inboxWriter()!;
    const [a, b] = await Promise.all([writer.insert(row(1, 'same')), writer.insert(row(2, 'same'))]);
    const c = await writer.insert(row(3, 'same'));
    expect(a).toEqual({ inserted: true, id: 'inbox-1' });
    expect(b).toEqual({ inserted: false, id: 'inbox-1' });
    expect(c).toEqual({ inserted: false, id: 'inbox-1' });
    expect(countRows(store, 'inbox')).toBe(1);
  });

  it('a locked file rejects the batch (SQLITE_BUSY after the busy timeout); the next batch commits', async () => {
    const { store, path } = open(100);
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    await expect(store.inboxWriter()!.insert(row(1))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('ROLLBACK');
    other.close();
    await expect(store.inboxWriter()!.insert(row(1))).resolves.toEqual({ inserted: true, id: 'inbox-1' });
  });

  it('a closed store refuses: no writer, nothing written', async () => {
    const { store, path } = open();
    await store.inboxWriter()!.insert(row(1));
    store.close();
    expect(() => store.inboxWriter()).toThrow();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM inbox').pluck().get()).toBe(1);
    db.close();
  });

  it('an in-memory store has no writer thread', () => {
    const store = SqliteStore.open(':memory:');
    expect(store.inboxWriter()).toBeNull();
    store.close();
  });
});
