import { SqliteStore, type Store } from '../../../store/index.ts';

/**
 * Transitional: the console queries not yet moved to `store.query` (both dialects) read SQLite's
 * prepared statements directly, so on PostgreSQL they answer with this error.
 */
export function legacySql(store: Store): SqliteStore['sql'] {
  if (store instanceof SqliteStore) return store.sql;
  throw new Error('this console view still reads SQLite directly');
}
