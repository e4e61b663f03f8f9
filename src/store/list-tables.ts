import type { Store } from './store.ts';

/**
 * The store's own tables, by name: SQLite's catalogue, or PostgreSQL's tables in the schema the
 * store's connections use (current_schema(), so a store kept in its own schema lists only its own).
 * The migrations' bookkeeping table is left out in both.
 */
export async function listTables(store: Store): Promise<string[]> {
  return store.dialect === 'postgres'
    ? store.query.column<string>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'crosswalk_migrations' ORDER BY tablename")
    : store.query.column<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY name");
}
