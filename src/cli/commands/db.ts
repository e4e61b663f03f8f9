import type { Command } from 'commander';
import { isPostgresUrl, SqliteStore, type Store } from '../../store/index.ts';
import { listTables } from '../../store/list-tables.ts';
import { runPgMigrations } from '../../store/postgres/migrate.ts';
import { PgStore } from '../../store/postgres/pg-store.ts';
import { runMigrations } from '../../store/sqlite/migrate.ts';
import type { CliContext } from '../context.ts';
import { emit } from '../output.ts';

/** The store `database` names, opened with migrations applied here so the command can say how many. */
async function openMigrated(database: string): Promise<{ store: Store; applied: number }> {
  if (isPostgresUrl(database)) {
    const store = PgStore.open(database, { migrate: false, poolSize: 1 });
    try {
      return { store, applied: (await runPgMigrations(store.pool)).applied };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const store = SqliteStore.open(database, { migrate: false });
  try {
    return { store, applied: runMigrations(store.db).applied };
  } catch (err) {
    store.close();
    throw err;
  }
}

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('create or upgrade every table (safe to run at every start; a postgres:// database migrates under a lock, once across hosts)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const { store, applied } = await openMigrated(config.database);
      try {
        const tables = await listTables(store);
        // A PostgreSQL URL may carry a password: name the database without it.
        const database = isPostgresUrl(config.database) ? redactUrl(config.database) : config.database;
        emit(opts, { database, applied, tables }, () => {
          process.stdout.write(`${database}: ${applied} migration(s) applied; ${tables.length} tables\n  ${tables.join(', ')}\n`);
        });
      } finally {
        await store.close();
      }
    });
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
