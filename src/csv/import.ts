import { basename } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Engine } from '../engine/index.ts';
import { newId } from '../lib/ids.ts';
import { nowIso } from '../lib/time.ts';
import type { MappingRegistry } from '../mapping/index.ts';
import type { EntityName } from '../model/index.ts';
import { SqliteStore, type Store } from '../store/index.ts';
import type { ImportRow } from '../store/index.ts';
import { bindColumns, type Binding } from './binding.ts';
import { claimImport, refuse } from './claim.ts';
import { addCounts, emptyCounts, processChunk, type ChunkContext, type ChunkOutcome, type EntityCounts } from './chunk.ts';
import { inspectFile, type FileFacts } from './inspect.ts';
import { isImportKind, KINDS } from './kinds.ts';
import { CsvRefusal, resolveLimits, type ImportLimits } from './limits.ts';
import { readRecords, type CsvRecord, type ReadProgress } from './records.ts';
import { DELIMITER_NAMES, summaryOf, type ImportReport } from './report.ts';
import type { RowError } from './rows.ts';
import { SeenKeys } from './scratch.ts';

/** Rows per unit of work: a transaction stays in the tens of milliseconds. */
export const DEFAULT_CHUNK_ROWS = 2_000;
export const MAX_CHUNK_ROWS = 10_000;

/**
 * The store connection's page cache while an import runs, in MiB. An import touches every page
 * of the tables it writes and of the links it checks once, in no useful order, so a larger cache
 * buys little hit rate and costs resident memory (peak RSS ≤ 300 MB); decision 0009.
 */
export const IMPORT_CACHE_MIB = 8;

export interface ImportProgress {
  readonly bytesRead: number;
  readonly bytes: number;
  readonly rows: number;
  readonly errors: number;
}

export interface ImportOptions {
  readonly store: Store;
  readonly engine: Engine;
  /** The loaded mappings: `mappings/csv/<source>/*.yaml` files whose `entity:` is the kind. */
  readonly mappings: MappingRegistry;
  /** time_entries | assignments | invoices | contacts | worksites */
  readonly kind: string;
  readonly path: string;
  /** The CSV source: the system is `csv:<source>`. @defaultValue 'billing' */
  readonly source?: string;
  /** The name people know the file by (an upload's file name). @defaultValue the path's base name */
  readonly fileName?: string;
  /** Apply in transactions that are rolled back: every rule runs, nothing is written. @defaultValue false */
  readonly dryRun?: boolean;
  readonly limits?: Partial<ImportLimits>;
  /** Rows per unit of work. @defaultValue 2000 (at most 10000) */
  readonly chunkRows?: number;
  /** Problems carried in the returned report; all of them stay in the store. @defaultValue 1000 */
  readonly reportErrors?: number;
  /** Where the seen-keys scratch file goes. @defaultValue the OS temp folder */
  readonly tempDir?: string;
  /** @defaultValue nowIso */
  readonly now?: () => string;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** After each committed chunk (tests use it to kill an import half way). */
  readonly onChunk?: (info: { nextRecord: number }) => void;
}

/** Dry runs leave each chunk's unit of work by throwing this: the store rolls it back. */
class DryRunRollback extends Error {
  constructor(readonly outcome: ChunkOutcome) {
    super('dry run: rolled back');
  }
}

const SOURCE = /^[a-z][a-z0-9_-]{0,39}$/;

/**
 * Imports a CSV file as system `csv:<source>` through the mappings and the merge engine, exactly
 * once: the same file again writes nothing; rows are keyed by their natural key, so overlapping
 * files update rather than duplicate; the import commits chunk by chunk together with its resume
 * point, so a killed import started again with the same file picks up after the last committed
 * chunk. Bad rows are reported by line and column; good rows are committed.
 */
export async function importCsv(options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? nowIso;
  const startedAt = now();
  const source = options.source ?? 'billing';
  const system = `csv:${source}`;
  const limits = resolveLimits(options.limits);
  const dryRun = options.dryRun ?? false;
  const chunkRows = Math.min(Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS), MAX_CHUNK_ROWS);
  const fileName = options.fileName ?? basename(options.path);
  const base = blankReport({ system, source, kind: options.kind, fileName, dryRun, startedAt });

  let facts: FileFacts;
  let binding: Binding;
  try {
    if (!SOURCE.test(source)) throw new CsvRefusal('no_mapping', `"${source}" is not a CSV source name (lowercase letters, digits, - and _)`);
    if (!isImportKind(options.kind)) throw new CsvRefusal('unknown_kind', `"${options.kind}" is not an import kind (time_entries, assignments, invoices, contacts, worksites)`);
    const mappings = options.mappings.allByVendorEntity(system, options.kind);
    if (mappings.length === 0) throw new CsvRefusal('no_mapping', `no mapping for ${options.kind} from ${system}: add mappings/csv/${source}/<file>.yaml with entity: ${options.kind}`);
    facts = await inspectFile(options.path, limits);
    binding = bindColumns(KINDS[options.kind], mappings, facts.header, facts.headerLine);
  } catch (err) {
    if (!(err instanceof CsvRefusal)) throw err;
    return refuse(options.store, options.path, base, err, limits, dryRun, now);
  }
  const report: ImportReport = {
    ...base,
    file: {
      name: fileName, bytes: facts.bytes, sha256: facts.sha256, encoding: facts.encoding,
      delimiter: DELIMITER_NAMES[facts.delimiter] ?? facts.delimiter, lineEnding: facts.lineEnding, columns: facts.header.length,
    },
    ignoredColumns: [...binding.ignored],
  };

  // Exactly once: a finished import of the same bytes is the answer; a dead one is resumed.
  let importId: string | null = null;
  let runId = `dry-run:${newId()}`;
  let resumeFrom = 0;
  const totals: Totals = { counts: new Map(), rows: 0, badRows: 0, errorCount: 0 };
  if (!dryRun) {
    const claim = await claimImport(options.store, { facts, source, kind: options.kind, fileName, system, now });
    if (claim.kind === 'done') {
      const row = claim.row;
      return finishReport({
        ...report, status: 'already_imported', importId: row.id, runId: row.runId,
        alreadyImported: { importId: row.id, runId: row.runId, at: row.finishedAt },
        ...restore(row),
        message: `already imported on ${row.finishedAt ?? row.startedAt} (run ${row.runId ?? row.id}): nothing written`,
      }, now);
    }
    if (claim.kind === 'busy') {
      const row = claim.row;
      return finishReport({
        ...report, status: 'in_progress', importId: row.id, runId: row.runId,
        refusal: { code: 'in_progress', message: `this file is being imported by ${row.owner ?? 'another process'} (run ${row.runId ?? row.id})`, line: null },
        message: `this file is being imported by ${row.owner ?? 'another process'} (run ${row.runId ?? row.id})`,
      }, now);
    }
    importId = claim.row.id;
    runId = claim.row.runId ?? runId;
    report.importId = importId;
    report.runId = claim.row.runId;
    if (claim.kind === 'resume') {
      resumeFrom = claim.row.nextRecord;
      report.resumedFrom = { record: claim.row.nextRecord, line: claim.row.nextLine };
      Object.assign(totals, restoreTotals(claim.row));
    }
  }

  const seen = new SeenKeys(options.tempDir, facts.dataRecords * (binding.stages.length + (binding.groupColumn === null ? 0 : 1)));
  const restoreCache = capPageCache(options.store, IMPORT_CACHE_MIB);
  const ctx: ChunkContext = { binding, system, engine: options.engine, runId, seen, headerLength: facts.header.length };
  const memoryErrors: RowError[] = [];
  const progress: ReadProgress = { bytesRead: 0 };
  const report$ = (nextRecord: number) => options.onProgress?.({ bytesRead: progress.bytesRead, bytes: facts.bytes, rows: nextRecord, errors: totals.errorCount });
  let chunk: CsvRecord[] = [];
  let lastLine = facts.headerLine;

  const flush = async (nextLine: number) => {
    if (chunk.length === 0) return;
    const rows = chunk;
    chunk = [];
    const nextRecord = (rows.at(-1) as CsvRecord).index + 1;
    if (nextRecord <= resumeFrom) {
      // Committed before the interruption: only its keys are learnt again.
      await processChunk(ctx, options.store.repos, rows, 'replay');
      report$(nextRecord);
      return;
    }
    const outcome = await options.store
      .unitOfWork(async (tx) => {
        const out = await processChunk(ctx, tx, rows, 'apply');
        if (dryRun || importId === null) throw new DryRunRollback(out);
        const room = Math.max(0, limits.maxErrors - totals.errorCount);
        await tx.imports.addErrors(importId, totals.errorCount, out.errors.slice(0, room));
        // On a copy: PostgreSQL may run this unit of work again from its start, so the running
        // totals change only once it has committed.
        const next = add(copyTotals(totals), out, rows.length);
        await tx.imports.progress(importId, nextRecord, nextLine, countsJson(next), next.errorCount, now());
        return { out, next };
      })
      .then(({ out, next }) => {
        Object.assign(totals, next);
        return out;
      })
      .catch((err: unknown) => {
        if (err instanceof DryRunRollback) {
          add(totals, err.outcome, rows.length);
          for (const e of err.outcome.errors) if (memoryErrors.length < limits.maxErrors) memoryErrors.push(e);
          return err.outcome;
        }
        throw err;
      });
    if (!dryRun) options.onChunk?.({ nextRecord });
    void outcome;
    report$(nextRecord);
    // Between chunks (never inside one: other requests would read its uncommitted rows), let the
    // event loop serve whatever waits, so an import does not starve the API.
    await setImmediate();
  };

  let failure: unknown = null;
  try {
    for await (const record of readRecords(options.path, facts, limits, progress)) {
      const last = chunk.at(-1);
      const boundary = record.index === resumeFrom && chunk.length > 0;
      const full = chunk.length >= chunkRows && (binding.groupColumn === null || groupOf(binding, record) !== (last ? groupOf(binding, last) : null));
      if (boundary || full) await flush(record.line);
      chunk.push(record);
      lastLine = record.line;
    }
    await flush(lastLine + 1);
  } catch (err) {
    failure = err;
  } finally {
    restoreCache();
    seen.close();
  }

  if (failure !== null) {
    const message = failure instanceof Error ? failure.message : 'unexpected failure';
    if (!dryRun && importId !== null) {
      const failed = { ...report, status: 'failed' as const, message: `import failed: ${message}` };
      await options.store.unitOfWork(async (tx) => {
        await tx.imports.finish(importId, 'failed', countsJson(totals), message, now());
        if (report.runId !== null) await tx.runs.finish(report.runId, 'failed', summaryOf(fill(failed, totals, [])), message, now());
      });
    }
    if (failure instanceof CsvRefusal) {
      return finishReport({ ...fill(report, totals, memoryErrors), status: 'failed', refusal: { code: failure.code, message, line: failure.line }, message: `import failed: ${message}` }, now);
    }
    throw failure instanceof Error ? failure : new Error(message);
  }

  const errors = dryRun || importId === null ? memoryErrors : await readErrors(options.store, importId, options.reportErrors ?? 1000);
  const done = finishReport(fill({ ...report, status: 'succeeded' }, totals, errors, options.reportErrors ?? 1000), now);
  done.message = describe(done);
  if (!dryRun && importId !== null) {
    await options.store.unitOfWork(async (tx) => {
      await tx.imports.finish(importId, 'succeeded', countsJson(totals), null, done.finishedAt);
      if (done.runId !== null) {
        const counts = flatCounts(totals);
        await tx.runs.progress(done.runId, { record: totals.rows }, counts);
        await tx.runs.finish(done.runId, totals.errorCount > 0 ? 'partial' : 'succeeded', summaryOf(done), null, done.finishedAt);
      }
    });
  }
  return done;
}

interface Totals {
  counts: Map<EntityName, EntityCounts>;
  rows: number;
  badRows: number;
  errorCount: number;
}

function copyTotals(totals: Totals): Totals {
  return { ...totals, counts: new Map([...totals.counts].map(([entity, c]) => [entity, { ...c }])) };
}

function add(totals: Totals, out: ChunkOutcome, rows: number): Totals {
  for (const [entity, c] of out.counts) addCounts(totals.counts.get(entity) ?? (totals.counts.set(entity, emptyCounts()).get(entity) as EntityCounts), c);
  totals.rows += rows;
  totals.badRows += out.badRows;
  totals.errorCount += out.errors.length;
  return totals;
}

function countsJson(totals: Totals): Record<string, unknown> {
  return { entities: Object.fromEntries(totals.counts), rows: totals.rows, badRows: totals.badRows };
}

function restoreTotals(row: ImportRow): Totals {
  const c = row.counts as { entities?: Record<string, EntityCounts>; rows?: number; badRows?: number };
  return {
    counts: new Map(Object.entries(c.entities ?? {}) as Array<[EntityName, EntityCounts]>),
    rows: c.rows ?? 0,
    badRows: c.badRows ?? 0,
    errorCount: row.errorCount,
  };
}

function restore(row: ImportRow): Pick<ImportReport, 'counts' | 'rows' | 'errorCount'> {
  const t = restoreTotals(row);
  return { counts: Object.fromEntries(t.counts), rows: { total: t.rows, imported: t.rows - t.badRows, withErrors: t.badRows }, errorCount: t.errorCount };
}

/** The counts a run row keeps: flat numbers, summed over the kind's entities. */
function flatCounts(totals: Totals): Record<string, number> {
  const out: Record<string, number> = { rows: totals.rows, rowsWithErrors: totals.badRows, errors: totals.errorCount };
  for (const c of totals.counts.values()) {
    for (const [k, v] of Object.entries(c) as Array<[string, number]>) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

function fill(report: ImportReport, totals: Totals, errors: RowError[], keep = Number.POSITIVE_INFINITY): ImportReport {
  return {
    ...report,
    counts: Object.fromEntries(totals.counts),
    rows: { total: totals.rows, imported: totals.rows - totals.badRows, withErrors: totals.badRows },
    errorCount: totals.errorCount,
    errors: errors.slice(0, keep),
    errorsTruncated: totals.errorCount > Math.min(errors.length, keep),
  };
}

/**
 * Lowers the store connection's page cache to `mib` (never raises it) until the returned function
 * restores what it was. Pages over the new limit are freed at once.
 */
function capPageCache(store: Store, mib: number): () => void {
  // PostgreSQL's cache is the server's, not this process's memory.
  if (!(store instanceof SqliteStore)) return () => {};
  const before = store.db.pragma('cache_size', { simple: true }) as number;
  // Negative values are KiB, positive ones pages (of page_size bytes).
  const kib = before < 0 ? -before : (before * (store.db.pragma('page_size', { simple: true }) as number)) / 1024;
  if (kib <= mib * 1024) return () => {};
  store.db.pragma(`cache_size = -${mib * 1024}`);
  return () => {
    if (store.db.open) store.db.pragma(`cache_size = ${before}`);
  };
}

function groupOf(binding: Binding, record: CsvRecord): string | null {
  return binding.groupColumn === null ? null : (record.fields[binding.groupColumn] ?? '').trim();
}

async function readErrors(store: Store, importId: string, limit: number): Promise<RowError[]> {
  const rows = await store.repos.imports.errors(importId, { limit });
  return rows.map((r) => ({ line: r.line, column: r.column, value: r.value, reason: r.reason }));
}

function blankReport(a: { system: string; source: string; kind: string; fileName: string; dryRun: boolean; startedAt: string }): ImportReport {
  return {
    status: 'succeeded', dryRun: a.dryRun, importId: null, runId: null, system: a.system, source: a.source, kind: a.kind,
    file: { name: a.fileName, bytes: 0, sha256: null, encoding: null, delimiter: null, lineEnding: null, columns: 0 },
    rows: { total: 0, imported: 0, withErrors: 0 }, counts: {}, errorCount: 0, errors: [], errorsTruncated: false,
    ignoredColumns: [], message: '', startedAt: a.startedAt, finishedAt: a.startedAt,
  };
}

function finishReport(report: ImportReport, now: () => string): ImportReport {
  return { ...report, finishedAt: now() };
}

/** One line: what happened, in numbers. */
export function describe(report: ImportReport): string {
  const parts: string[] = [];
  for (const [entity, c] of Object.entries(report.counts)) {
    const bits = [`${c.created} created`, `${c.updated} updated`, `${c.unchanged} unchanged`];
    // Rows that are a record another source brought first (natural keys): the same record, not a new one.
    if (c.linked > 0) bits.push(`${c.linked} matched to existing records`);
    if (c.conflicts > 0) bits.push(`${c.conflicts} in conflict`);
    if (c.rejected > 0) bits.push(`${c.rejected} rejected`);
    if (c.parked > 0) bits.push(`${c.parked} parked for review`);
    parts.push(`${entity.replaceAll('_', ' ')}: ${bits.join(', ')}`);
  }
  const verb = report.dryRun ? 'would import' : 'imported';
  const errors = report.rows.withErrors > 0 ? `; ${report.rows.withErrors} row${report.rows.withErrors === 1 ? '' : 's'} with errors` : '';
  return `${verb} ${report.rows.imported} of ${report.rows.total} rows${errors}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
}
