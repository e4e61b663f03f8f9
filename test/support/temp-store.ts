import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore, type Store } from '../../src/store/index.ts';

/**
 * The key ring test stores seal connector state with: fixed, so a child process or a second
 * connection opened with it reads what the test wrote. A test key, never a deployment's.
 */
export const TEST_KEYRING = Keyring.parse(`test:${Buffer.alloc(32, 7).toString('base64')}`, 'TEST_KEYRING');

/** A store on a fresh SQLite file in its own temp directory; `dispose` closes it and removes the directory. */
export interface TempStore {
  readonly store: SqliteStore;
  readonly path: string;
  readonly dir: string;
  dispose(): void;
}

export function openTempStore(name = 'crosswalk.db'): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-test-'));
  const path = join(dir, name);
  const store = SqliteStore.open(path, { keyring: TEST_KEYRING });
  return {
    store,
    path,
    dir,
    dispose() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unique temp directory for tests that open (or hand a child process) a store file themselves. */
export function tempDir(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-test-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Row count of a table, read directly: tests check the database, not the repositories' view of it. */
export function countRows(store: SqliteStore, table: string, where = ''): number {
  return store.db.prepare(`SELECT count(*) FROM ${table}${where ? ` WHERE ${where}` : ''}`).pluck().get() as number;
}

/** Tables whose content makes up the hub's state; a snapshot of all of them compares two stores. */
export const STATE_TABLES = [
  'clients', 'worksites', 'contacts', 'contact_worksite_roles', 'requisitions', 'candidates', 'submissions', 'assignments',
  'assignment_rates', 'time_entries', 'time_entry_events', 'invoices', 'invoice_lines', 'documents',
  'links', 'ledger', 'conflicts', 'outbox', 'inbox', 'runs', 'sync_cursors',
] as const;

/**
 * Every row of every state table, in a stable order, optionally without some columns (ids and times
 * that differ between two otherwise equal runs).
 */
export function snapshot(store: SqliteStore, omit: readonly string[] = []): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of STATE_TABLES) {
    const rows = store.db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
    const cleaned = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !omit.includes(k))));
    out[table] = cleaned.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/**
 * A snapshot where canonical ids read as the first link that names them (`client:ats:c9`) and
 * generated ids and times are left out: two stores that reached the same state by different
 * paths compare equal.
 */
export function logicalSnapshot(store: SqliteStore): Record<string, unknown[]> {
  const links = store.db
    .prepare('SELECT canonical_id AS id, entity, system, external_id AS ext FROM links WHERE canonical_id IS NOT NULL ORDER BY system, external_id')
    .all() as Array<{ id: string; entity: string; system: string; ext: string }>;
  const names = new Map<string, string>();
  for (const l of links) if (!names.has(l.id)) names.set(l.id, `${l.entity}:${l.system}:${l.ext}`);
  const volatile = ['id', 'seq', 'at', 'created_at', 'updated_at', 'opened_at', 'idempotency_key', 'time_entry_id'];
  const snap = snapshot(store, volatile);
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(snap)) {
    out[table] = rows
      .map((row) => [...names].reduce((text, [id, name]) => text.split(id).join(name), String(row)))
      .sort();
  }
  return out;
}

/** The hub's store as the SQLite store it is in these tests (raw SQL checks): fails loudly otherwise. */
export function sqliteOf(store: Store): SqliteStore {
  if (!(store instanceof SqliteStore)) throw new Error(`this test reads the SQLite file directly; the store is ${store.dialect}`);
  return store;
}
