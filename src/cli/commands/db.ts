import type { Command } from 'commander';
import { openDatabase } from '../../store/sqlite/database.ts';
import { runMigrations } from '../../store/sqlite/migrate.ts';
import type { CliContext } from '../context.ts';
import { emit } from '../output.ts';

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('create or upgrade every table (safe to run at every start)')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const config = ctx.config();
      const handle = openDatabase(config.database);
      try {
        const { applied } = runMigrations(handle);
        const tables = handle
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY name")
          .pluck()
          .all() as string[];
        emit(opts, { database: config.database, applied, tables }, () => {
          process.stdout.write(`${config.database}: ${applied} migration(s) applied; ${tables.length} tables\n  ${tables.join(', ')}\n`);
        });
      } finally {
        handle.close();
      }
    });
}
