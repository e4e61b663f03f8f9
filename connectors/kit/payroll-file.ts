/**
 * A payroll system's import file (Gusto's hours upload, ADP's paydata file): the layout lives with
 * the connector that knows the vendor, the hub's CSV export (src/csv/export-time.ts) finds it
 * through the connector registry and writes it. Plain data in, plain cells out.
 */

/** One approved time entry, with what the hub knows of the worker in this payroll. */
export interface PayrollFileEntry {
  readonly candidateId: string;
  readonly assignmentId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly title: string | null;
  readonly regularHours: number;
  readonly overtimeHours: number;
  readonly doubleTimeHours: number;
  /** Pay rate in effect on the work date, cents; null when the assignment has none. */
  readonly payRateCents: number | null;
  /** The meta of the worker's link to this payroll system (ADP file number, Gusto employee code). */
  readonly linkMeta: Readonly<Record<string, unknown>>;
}

/** A cell: text, a decimal written as is (never formula-neutralised), or empty. */
export type PayrollCell = string | { readonly decimal: string } | null;

export interface PayrollFileLayout {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly PayrollCell[]>;
}

/** Export options ops pass (`--company-code`), by name. */
export type PayrollFileOptions = Readonly<Record<string, string | undefined>>;

export interface PayrollFile {
  layout(entries: readonly PayrollFileEntry[], period: { readonly from: string; readonly to: string }, options: PayrollFileOptions): PayrollFileLayout;
  /** Why an entry cannot go into this file (a worker with no file number), or null. */
  missing(entry: PayrollFileEntry, options: PayrollFileOptions): string | null;
}

/** A number with fixed decimals. */
export function decimal(value: number, decimals: number): { decimal: string } {
  return { decimal: value.toFixed(decimals) };
}

/** Integer cents as dollars with two decimals, exactly. */
export function dollarCells(cents: number): { decimal: string } {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return { decimal: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}` };
}

/** Hours summed in hundredths: no float drift across a week of 7.75s. */
export class HoursSum {
  private hundredths = 0;
  add(h: number): void {
    this.hundredths += Math.round(h * 100);
  }
  get value(): number {
    return this.hundredths / 100;
  }
  get zero(): boolean {
    return this.hundredths === 0;
  }
}

export function byText<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** A link meta value as text (numbers too), or null. */
export function metaText(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}
