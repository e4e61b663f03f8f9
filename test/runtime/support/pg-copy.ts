import pg from 'pg';

/**
 * Copies every table's rows from one migrated schema into another (same migrations, so the same
 * columns in the same order), and moves the sequences along: a PostgreSQL stand-in for copying a
 * SQLite file. Triggers and foreign keys are off for the copy (replica role), so table order is free.
 */
export async function copySchema(url: string, from: string, to: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The target's tables come from its own migrations, run by a store opened on it.
    const migrate = new pg.Pool({ connectionString: url, options: `-c search_path=${to}`, max: 1 });
    const { runPgMigrations } = await import('../../../src/store/postgres/migrate.ts');
    await runPgMigrations(migrate);
    await migrate.end();
    const tables = (await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'crosswalk_migrations'", [from])).rows;
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    for (const { tablename } of tables) await client.query(`INSERT INTO ${to}."${tablename}" SELECT * FROM ${from}."${tablename}"`);
    const sequences = (await client.query<{ sequencename: string; last_value: string | null }>('SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = $1', [from])).rows;
    for (const s of sequences) if (s.last_value !== null) await client.query(`SELECT setval('${to}."${s.sequencename}"', $1)`, [s.last_value]);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
