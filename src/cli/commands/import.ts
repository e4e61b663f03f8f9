import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { Command } from 'commander';
import { writeErrorList, writeImportErrors } from '../../csv/errors-csv.ts';
import { importCsv } from '../../csv/import.ts';
import { IMPORT_KINDS, isImportKind } from '../../csv/kinds.ts';
import { terminalProgress } from '../../csv/progress.ts';
import type { ImportReport } from '../../csv/report.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';

interface ImportOpts {
  source: string;
  dryRun?: boolean;
  json?: boolean;
  errorsCsv?: string;
}

/** Exit codes: 0 imported cleanly or already imported, 3 imported with row errors, 1 refused or failed. */
export const IMPORT_EXIT = { ok: 0, failed: 1, rowErrors: 3 } as const;

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a CSV file as system csv:<source> through the mappings and the merge engine, exactly once')
    .argument('<kind>', IMPORT_KINDS.join(' | '))
    .argument('<file>', 'the CSV file (UTF-8, UTF-16 with BOM, or Windows-1252; comma, semicolon or tab)')
    .option('--source <name>', 'CSV source: mappings/csv/<source>/', 'billing')
    .option('--dry-run', 'apply in transactions that are rolled back: show what would be created, updated or put in conflict')
    .option('--errors-csv <file>', 'write the rows with problems to this CSV')
    .option('--json', 'the full report as JSON')
    .action(async (kind: string, file: string, opts: ImportOpts) => {
      if (!isImportKind(kind)) throw new UsageError(`unknown import kind "${kind}" (one of ${IMPORT_KINDS.join(', ')})`);
      const hub = ctx.hub();
      const progress = opts.json ? terminalProgress('', { isTTY: false } as NodeJS.WriteStream) : terminalProgress(`importing ${file}`);
      const report = await importCsv({
        store: hub.store(), engine: hub.engine(), mappings: hub.registry(), kind, path: file, source: opts.source,
        dryRun: opts.dryRun ?? false, limits: { maxFileBytes: hub.config.http.uploadBodyLimit }, reportErrors: Number.MAX_SAFE_INTEGER,
        onProgress: (p) => progress.update(p),
      });
      progress.done();
      if (opts.errorsCsv !== undefined && report.errorCount > 0) await writeErrors(ctx, report, opts.errorsCsv);
      emit(opts, report, () => printReport(report));
      process.exitCode = exitCodeOf(report);
    });
}

export function exitCodeOf(report: ImportReport): number {
  if (report.status === 'refused' || report.status === 'failed' || report.status === 'in_progress') return IMPORT_EXIT.failed;
  return report.errorCount > 0 && report.status === 'succeeded' ? IMPORT_EXIT.rowErrors : IMPORT_EXIT.ok;
}

async function writeErrors(ctx: CliContext, report: ImportReport, path: string): Promise<void> {
  const part = `${path}.partial`;
  const out = createWriteStream(part);
  if (report.dryRun || report.importId === null) await writeErrorList(report.errors, out);
  else await writeImportErrors(ctx.store(), report.importId, out);
  await rename(part, path);
}

function printReport(r: ImportReport): void {
  const w = (line: string) => process.stdout.write(`${line}\n`);
  const f = r.file;
  const file = f.encoding === null ? f.name : `${f.name} (${f.encoding}, ${f.delimiter}, ${f.lineEnding ?? 'one line'}, ${f.columns} columns)`;
  w(`${r.dryRun ? 'dry run: ' : ''}${r.kind} from ${file ?? 'file'} as ${r.system}`);
  w(`  ${r.message}`);
  if (r.resumedFrom) w(`  resumed an interrupted import from row ${r.resumedFrom.record + 1} (line ${r.resumedFrom.line})`);
  if (r.runId !== null && !r.dryRun) w(`  run ${r.runId}`);
  if (r.ignoredColumns.length > 0) w(`  ignored columns: ${r.ignoredColumns.join(', ')}`);
  if (r.errors.length > 0) {
    w('');
    printTable(r.errors.map((e) => ({ line: e.line, column: e.column ?? '', value: e.value ?? '', reason: e.reason })), ['line', 'column', 'value', 'reason']);
    if (r.errorsTruncated) w(`  … ${r.errorCount - r.errors.length} more (--errors-csv writes them all)`);
  }
}
