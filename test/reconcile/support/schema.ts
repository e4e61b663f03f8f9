import type { SqliteStore } from '../../../src/store/index.ts';

/**
 * The staging table as src/store/schema/reconcile.ts declares it, for stores opened before the
 * lead regenerates the migration with drizzle-kit. A no-op once the migration creates the table.
 */
export function ensureStagingTable(store: SqliteStore): void {
  store.db.exec(`CREATE TABLE IF NOT EXISTS reconcile_staging (
    run_id text NOT NULL,
    external_id text NOT NULL,
    entity text NOT NULL,
    hash text NOT NULL,
    source_modified_at text,
    deleted integer DEFAULT 0 NOT NULL,
    page integer NOT NULL,
    PRIMARY KEY (run_id, external_id, entity)
  )`);
}
