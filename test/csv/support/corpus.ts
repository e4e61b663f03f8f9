import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityCounts } from '../../../src/csv/chunk.ts';
import { importCsv } from '../../../src/csv/import.ts';
import type { ImportLimits } from '../../../src/csv/limits.ts';
import type { ImportReport } from '../../../src/csv/report.ts';
import { CORPUS_DIR, T0, type World } from './world.ts';

export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  readonly description: string;
  readonly kind: string;
  readonly file: string;
  readonly source?: string;
  readonly dryRun?: boolean;
  readonly limits?: Partial<ImportLimits>;
}

/** Every case under test/fixtures/csv: a folder with `case.json`, the input file and `expected.json`. */
export function corpusCases(): CorpusCase[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(CORPUS_DIR, e.name, 'case.json')))
    .map((e) => {
      const dir = join(CORPUS_DIR, e.name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Omit<CorpusCase, 'name' | 'dir'>;
      return { ...spec, name: e.name, dir };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Counts without the zeros: what an expected report lists. */
function nonZero(counts: Record<string, EntityCounts>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [entity, c] of Object.entries(counts)) {
    const kept = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
    out[entity] = kept;
  }
  return out;
}

/** The parts of a report that do not change between runs (no ids, times or hashes). */
export function stableView(report: ImportReport): Record<string, unknown> {
  return {
    status: report.status,
    dryRun: report.dryRun,
    file: { bytes: report.file.bytes, encoding: report.file.encoding, delimiter: report.file.delimiter, lineEnding: report.file.lineEnding, columns: report.file.columns },
    rows: report.rows,
    counts: nonZero(report.counts),
    errorCount: report.errorCount,
    errors: report.errors,
    ignoredColumns: report.ignoredColumns,
    ...(report.refusal ? { refusal: report.refusal } : {}),
    message: report.message,
  };
}

export async function runCase(world: World, c: CorpusCase): Promise<ImportReport> {
  return importCsv({
    store: world.store, engine: world.engine, mappings: world.mappings, kind: c.kind, path: join(c.dir, c.file),
    now: () => T0, ...(c.source === undefined ? {} : { source: c.source }), ...(c.dryRun === undefined ? {} : { dryRun: c.dryRun }),
    ...(c.limits === undefined ? {} : { limits: c.limits }),
  });
}

/**
 * What a time-entry case stored, in a stable order: placement, date, hours and note exactly as
 * decoded. The accents in these notes are the encoding cases' real check.
 */
export function storedTimeEntries(world: World): string[] {
  const rows = world.store.db
    .prepare(
      `SELECT l.external_id AS placement, t.work_date, t.regular_hours, t.overtime_hours, t.double_time_hours, t.status, t.note
       FROM time_entries t JOIN links l ON l.entity = 'assignment' AND l.system = 'bullhorn' AND l.canonical_id = t.assignment_id
       ORDER BY l.external_id, t.work_date`,
    )
    .raw()
    .all() as unknown[][];
  return rows.map((r) => JSON.stringify(r));
}
