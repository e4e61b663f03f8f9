import { connectors } from '../../connectors/index.ts';
import type { PayrollCell, PayrollFile } from '../../connectors/kit/index.ts';
import type { PayrollEntryRow } from '../store/index.ts';
import { Numeric, type Cell } from './write.ts';

/**
 * Payroll import files. The layouts live with the connectors (`payrollFile` of `defineConnector`:
 * connectors/gusto/payroll-file.ts, connectors/adp/payroll-file.ts); a format is the id of a
 * registered connector that has one, so a new payroll connector brings its file with it.
 */
const FILES: ReadonlyMap<string, PayrollFile> = new Map(
  Object.values(connectors).flatMap((c) => (c.payrollFile === undefined ? [] : [[c.manifest.id, c.payrollFile] as const])),
);

export const PAYROLL_FORMATS: readonly string[] = [...FILES.keys()].sort();
export type PayrollFormat = string;

export function isPayrollFormat(name: string): name is PayrollFormat {
  return FILES.has(name);
}

/** Options of the ADP file (the only payroll file with any): see connectors/adp/payroll-file.ts. */
export interface AdpOptions {
  /** Used when a worker's ADP link carries no payroll group code. */
  readonly companyCode?: string;
  /** @defaultValue `CW` + the period's last day as YYMMDD */
  readonly batchId?: string;
  /** ADP earnings code for double time, written in Hours 3 Code. @defaultValue 'D' */
  readonly doubleTimeCode?: string;
}

export interface PayrollEntry extends PayrollEntryRow {
  /** The meta of the worker's link to the payroll system (file numbers, employee codes). */
  readonly linkMeta: Readonly<Record<string, unknown>>;
  /** Pay rate in effect on the work date, cents; null when the assignment has none. */
  readonly payRateCents: number | null;
}

export interface Layout {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly Cell[]>;
}

function fileOf(format: PayrollFormat): PayrollFile {
  const file = FILES.get(format);
  if (file === undefined) throw new Error(`no payroll file format ${format} (${PAYROLL_FORMATS.join(', ')})`);
  return file;
}

function cell(c: PayrollCell): Cell {
  return c !== null && typeof c === 'object' ? new Numeric(c.decimal) : c;
}

export function payrollLayout(format: PayrollFormat, entries: readonly PayrollEntry[], period: { from: string; to: string }, options: AdpOptions = {}): Layout {
  const layout = fileOf(format).layout(entries, period, { ...options });
  return { header: layout.header, rows: layout.rows.map((row) => row.map(cell)) };
}

/** Why an entry cannot go into a file of this format, or null when it can. */
export function missingIdentity(format: PayrollFormat, e: PayrollEntry, options: AdpOptions = {}): string | null {
  return fileOf(format).missing(e, { ...options });
}
