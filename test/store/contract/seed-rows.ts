import type { Store } from '../../../src/store/index.ts';
import type { SqlParam } from '../../../src/store/sql/runner.ts';
import { NOW } from './support.ts';

/**
 * Inserts rows straight through the store's runner (both dialects), for tables whose own
 * repository is not under test: canonical records, ledger rows, runs in a given state.
 * Canonical tables get their bookkeeping columns (`created_at`, `updated_at`) when not given.
 */
export async function seed(store: Store, table: string, rows: ReadonlyArray<Record<string, SqlParam>>): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    await store.query.run(
      `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      columns.map((c) => row[c] ?? null),
    );
  }
}

/** `seed` for a canonical table: created and updated at NOW unless given. */
export async function seedCanonical(store: Store, table: string, rows: ReadonlyArray<Record<string, SqlParam>>): Promise<void> {
  await seed(store, table, rows.map((r) => ({ created_at: NOW, updated_at: NOW, ...r })));
}
