import type { EntityCounts } from './chunk.ts';
import type { RefusalCode } from './limits.ts';
import type { RowError } from './rows.ts';

export type ImportStatus = 'succeeded' | 'failed' | 'refused' | 'already_imported' | 'in_progress';

/** Everything an import found and did: what the CLI prints, `--json` emits and `runs.report` keeps. */
export interface ImportReport {
  status: ImportStatus;
  /** Dry runs apply everything in a transaction that is rolled back: counts say what would happen. */
  dryRun: boolean;
  importId: string | null;
  runId: string | null;
  /** `csv:<source>` */
  system: string;
  source: string;
  kind: string;
  file: {
    name: string | null;
    bytes: number;
    sha256: string | null;
    encoding: string | null;
    delimiter: string | null;
    lineEnding: string | null;
    columns: number;
  };
  rows: {
    /** Data rows read (blank rows are not rows). */
    total: number;
    /** Rows with no problem: created, updated, unchanged, or repeating their group's record. */
    imported: number;
    withErrors: number;
  };
  /** Per canonical entity. */
  counts: Record<string, EntityCounts>;
  /** Every problem found, including those beyond `errors`. */
  errorCount: number;
  /** Problems in file order (the first `maxErrors`, or fewer in a summary). */
  errors: RowError[];
  errorsTruncated: boolean;
  /** Header cells no mapping reads. */
  ignoredColumns: string[];
  refusal?: { code: RefusalCode | 'in_progress'; message: string; line: number | null };
  alreadyImported?: { importId: string; runId: string | null; at: string | null };
  /** Set when this run picked up an import a killed process left behind. */
  resumedFrom?: { record: number; line: number };
  /** One line for people. */
  message: string;
  startedAt: string;
  finishedAt: string;
}

export const DELIMITER_NAMES: Readonly<Record<string, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** The report without its error list, for `runs.report` (the list lives in `csv_import_errors`). */
export function summaryOf(report: ImportReport, keepErrors = 100): ImportReport {
  return { ...report, errors: report.errors.slice(0, keepErrors), errorsTruncated: report.errorsTruncated || report.errors.length > keepErrors };
}
