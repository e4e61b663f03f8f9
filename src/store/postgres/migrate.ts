import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations-pg', import.meta.url));

interface Journal {
  readonly entries: ReadonlyArray<{ readonly idx: number; readonly tag: string }>;
}

/**
 * Applies every committed PostgreSQL migration not yet applied, each in its own transaction, under a
 * session advisory lock per schema: many hosts starting at once migrate exactly once, and the ones
 * that waited find nothing to do. Applied migrations are recorded with the hash of their text; a
 * recorded migration whose file has since changed is an error, not a silent skip.
 *
 * drizzle-kit writes foreign keys as `"public"."table"`; the prefix is dropped so a store can live
 * in any schema (tests give each file its own).
 */
export async function runPgMigrations(pool: pg.Pool, folder = PG_MIGRATIONS_FOLDER): Promise<{ applied: number }> {
  const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as Journal; // cast: drizzle-kit's journal format
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('crosswalk-migrate:' || current_schema()))`);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS crosswalk_migrations (tag text PRIMARY KEY, sha256 text NOT NULL, applied_at text NOT NULL)');
      const done = new Map((await client.query<{ tag: string; sha256: string }>('SELECT tag, sha256 FROM crosswalk_migrations')).rows.map((r) => [r.tag, r.sha256]));
      let applied = 0;
      for (const entry of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
        const text = readFileSync(`${folder}/${entry.tag}.sql`, 'utf8');
        const sha256 = createHash('sha256').update(text).digest('hex');
        const recorded = done.get(entry.tag);
        if (recorded !== undefined) {
          if (recorded !== sha256) throw new Error(`migration ${entry.tag} was applied but its file has changed since: restore it and add a new migration instead`);
          continue;
        }
        await client.query('BEGIN');
        try {
          // One round trip: the simple protocol runs a multi-statement text in order, within this transaction.
          await client.query(text.split('--> statement-breakpoint').map((statement) => statement.replaceAll('"public".', '').trim()).filter((sql) => sql.length > 0).join(';\n'));
          await client.query('INSERT INTO crosswalk_migrations (tag, sha256, applied_at) VALUES ($1, $2, $3)', [entry.tag, sha256, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${entry.tag} failed: ${(err as Error).message}`, { cause: err }); // cast: pg throws Error instances
        }
        applied++;
      }
      return { applied };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('crosswalk-migrate:' || current_schema()))`);
    }
  } finally {
    client.release();
  }
}
