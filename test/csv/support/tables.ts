import type { Store } from '../../../src/store/index.ts';

/**
 * The CSV tables as `drizzle-kit generate` writes them from `src/store/schema/csv.ts`, for stores
 * opened before the lead regenerates the migrations. `IF NOT EXISTS` makes this a no-op once the
 * migration has created them; `tables.unit.test.ts` checks the two agree column by column.
 */
export const CSV_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS \`csv_imports\` (
  \`id\` text PRIMARY KEY NOT NULL,
  \`file_sha256\` text NOT NULL,
  \`source\` text NOT NULL,
  \`kind\` text NOT NULL,
  \`file_name\` text,
  \`size_bytes\` integer NOT NULL,
  \`encoding\` text,
  \`delimiter\` text,
  \`status\` text NOT NULL,
  \`run_id\` text,
  \`next_record\` integer DEFAULT 0 NOT NULL,
  \`next_line\` integer DEFAULT 0 NOT NULL,
  \`counts\` text,
  \`error_count\` integer DEFAULT 0 NOT NULL,
  \`owner\` text,
  \`heartbeat_at\` text,
  \`error\` text,
  \`started_at\` text NOT NULL,
  \`finished_at\` text
);
CREATE UNIQUE INDEX IF NOT EXISTS \`csv_imports_live\` ON \`csv_imports\` (\`file_sha256\`,\`source\`,\`kind\`) WHERE "csv_imports"."status" IN ('running', 'succeeded');
CREATE INDEX IF NOT EXISTS \`csv_imports_started\` ON \`csv_imports\` (\`started_at\`);
CREATE TABLE IF NOT EXISTS \`csv_import_errors\` (
  \`import_id\` text NOT NULL,
  \`seq\` integer NOT NULL,
  \`line\` integer NOT NULL,
  \`column\` text,
  \`value\` text,
  \`reason\` text NOT NULL,
  PRIMARY KEY(\`import_id\`, \`seq\`),
  FOREIGN KEY (\`import_id\`) REFERENCES \`csv_imports\`(\`id\`) ON UPDATE no action ON DELETE no action
);
`;

/** Creates the CSV tables when the migrations do not (yet) have them. */
export function ensureCsvTables(store: Store): void {
  store.db.exec(CSV_TABLES_DDL);
}
