import { readFileSync } from 'node:fs';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS_FOLDER, runPgMigrations } from '../../src/store/postgres/migrate.ts';
import { createSchema, dropSchema, freshSchemaName, TEST_PG_URL } from '../support/stores.ts';

const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };

describe('PostgreSQL migrations', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function poolOn(schema: string): Promise<pg.Pool> {
    const pool = new pg.Pool({ connectionString: TEST_PG_URL, options: `-c search_path=${schema}`, max: 2 });
    cleanup.push(() => pool.end());
    return pool;
  }

  it('applies exactly once when two hosts migrate at once: one applies, the other waits and finds nothing to do', async () => {
    const schema = freshSchemaName();
    await createSchema(schema);
    cleanup.push(() => dropSchema(schema));
    const [a, b] = [await poolOn(schema), await poolOn(schema)];
    const results = await Promise.all([runPgMigrations(a), runPgMigrations(b)]);
    expect(results.map((r) => r.applied).sort()).toEqual([0, journal.entries.length]);
    const recorded = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM crosswalk_migrations');
    expect(recorded.rows[0]?.n).toBe(journal.entries.length);
    const tables = await a.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1", [schema]);
    expect(tables.rows[0]?.n).toBeGreaterThan(50);
    // A third start later: nothing to do.
    expect((await runPgMigrations(b)).applied).toBe(0);
  });

  it('refuses to run when an applied migration file has changed since', async () => {
    const schema = freshSchemaName();
    await createSchema(schema);
    cleanup.push(() => dropSchema(schema));
    const pool = await poolOn(schema);
    const folder = mkdtempSync(join(tmpdir(), 'crosswalk-pgmig-'));
    cleanup.push(async () => rmSync(folder, { recursive: true, force: true }));
    cpSync(PG_MIGRATIONS_FOLDER, folder, { recursive: true });
    await runPgMigrations(pool, folder);
    const first = join(folder, '0000_init.sql');
    writeFileSync(first, `${readFileSync(first, 'utf8')}\n-- edited after it was applied\n`);
    await expect(runPgMigrations(pool, folder)).rejects.toThrow(/0000_init was applied but its file has changed/);
  });

  it('keeps an issued invoice frozen in PostgreSQL too (the triggers of the second migration)', async () => {
    const schema = freshSchemaName();
    await createSchema(schema);
    cleanup.push(() => dropSchema(schema));
    const pool = await poolOn(schema);
    await runPgMigrations(pool);
    const now = '2026-03-01T00:00:00.000Z';
    await pool.query(`INSERT INTO clients (id, revision, created_at, updated_at, name, status) VALUES ('c1', 1, $1, $1, 'Harbor', 'active')`, [now]);
    await pool.query(
      `INSERT INTO invoices (id, revision, created_at, updated_at, client_id, number, issue_date, period_start, period_end, status, total_cents, currency)
       VALUES ('i1', 1, $1, $1, 'c1', 'INV-1', '2026-03-01', '2026-02-22', '2026-02-28', 'issued', 1000, 'USD')`,
      [now],
    );
    await pool.query(`INSERT INTO hub_invoices (invoice_id, client_id, period_start, period_end, drafted_at, drafted_by, issued_at, issued_by) VALUES ('i1', 'c1', '2026-02-22', '2026-02-28', $1, 'ops', $1, 'ops')`, [now]);
    await expect(pool.query(`UPDATE invoices SET total_cents = 1 WHERE id = 'i1'`)).rejects.toThrow(/invoice is issued/);
    await expect(pool.query(`DELETE FROM invoices WHERE id = 'i1'`)).rejects.toThrow(/invoice is issued/);
    await expect(pool.query(`UPDATE hub_invoices SET issued_by = 'x' WHERE invoice_id = 'i1'`)).rejects.toThrow(/invoice is issued/);
    await pool.query(`UPDATE invoices SET status = 'paid' WHERE id = 'i1'`); // payment status may still move
  });
});
