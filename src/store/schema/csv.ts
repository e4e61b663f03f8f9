import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * CSV imports: one row per file accepted for a source and kind, identified by the SHA-256 of its
 * bytes. The same file again finds its row and writes nothing; a killed import finds its `running`
 * row and resumes after `next_record`, which moves in the same transaction as the rows it covers.
 */
export const csvImports = sqliteTable(
  'csv_imports',
  {
    id: text('id').primaryKey(),
    /** Lowercase hex SHA-256 of the file's bytes, exactly as uploaded. */
    fileSha256: text('file_sha256').notNull(),
    /** The CSV source (`billing` for system `csv:billing`). */
    source: text('source').notNull(),
    /** time_entries | assignments | invoices | contacts | worksites */
    kind: text('kind').notNull(),
    /** The name the file was uploaded under, for people; never used to identify it. */
    fileName: text('file_name'),
    sizeBytes: integer('size_bytes').notNull(),
    /** utf-8 | utf-8-bom | utf-16le-bom | utf-16be-bom | windows-1252 */
    encoding: text('encoding'),
    delimiter: text('delimiter'),
    /** running | succeeded | failed | refused */
    status: text('status').notNull(),
    runId: text('run_id'),
    /** Data records (after the header) whose outcome is committed: where a resumed import starts. */
    nextRecord: integer('next_record').notNull().default(0),
    /** Physical line where that record starts. */
    nextLine: integer('next_line').notNull().default(0),
    /** JSON: per-entity counts so far (created, updated, unchanged, conflicts, …) and row totals. */
    counts: text('counts'),
    errorCount: integer('error_count').notNull().default(0),
    /** `host:pid` of the process running the import: a dead owner's import may be resumed. */
    owner: text('owner'),
    heartbeatAt: text('heartbeat_at'),
    /** Why the file was refused or the import failed. */
    error: text('error'),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (t) => [
    // At most one live import per file, source and kind: two processes racing on the same upload
    // cannot both start it, and a finished one is what "already imported" finds.
    uniqueIndex('csv_imports_live').on(t.fileSha256, t.source, t.kind).where(sql`${t.status} IN ('running', 'succeeded')`),
    index('csv_imports_started').on(t.startedAt),
  ],
);

/** One row per problem found in an import: what the report, `--json` and the errors CSV show. */
export const csvImportErrors = sqliteTable(
  'csv_import_errors',
  {
    importId: text('import_id')
      .notNull()
      .references(() => csvImports.id),
    /** Order of the problems in the report (file order). */
    seq: integer('seq').notNull(),
    /** Physical line where the record starts (quoted newlines make it differ from the record number). */
    line: integer('line').notNull(),
    /** The column header, or null for a problem with the whole row. */
    column: text('column'),
    /** The cell as found, truncated and with long digit runs masked: never a full SSN or account number. */
    value: text('value'),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);
