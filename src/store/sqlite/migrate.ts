import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import type { SqliteDatabase } from './database.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

/** Applies every committed migration not yet applied; safe to run at every start. */
export function runMigrations(db: SqliteDatabase): { applied: number } {
  const before = countApplied(db);
  migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });
  return { applied: countApplied(db) - before };
}

function countApplied(db: SqliteDatabase): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!exists) return 0;
  const row = db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
  return row.n;
}
