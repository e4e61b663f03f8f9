import type { Keyring } from '../lib/secret-box.ts';
import { PgStore } from './postgres/pg-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  readonly keyring?: Keyring;
  /** Where document blobs live for a PostgreSQL store (a SQLite store keeps them beside its file). */
  readonly filesDir?: string;
}

/** True when `database` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * The store `database` names: a `postgres://` URL opens PostgreSQL (many hosts), anything else is
 * a SQLite file path (one host). Both apply pending migrations; PostgreSQL's run in the background
 * under an advisory lock and every query waits for them.
 */
export function openStore(database: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(database)) {
    return PgStore.open(database, { ...(options.keyring && { keyring: options.keyring }), ...(options.filesDir !== undefined && { filesDir: options.filesDir }) });
  }
  return SqliteStore.open(database, options.keyring ? { keyring: options.keyring } : {});
}
