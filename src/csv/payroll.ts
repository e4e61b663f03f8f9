import type { PayrollEntryRow } from '../store/index.ts';
import { dollars, fixed, type Cell } from './write.ts';

export const PAYROLL_FORMATS = ['gusto', 'adp'] as const;
export type PayrollFormat = (typeof PAYROLL_FORMATS)[number];

export function isPayrollFormat(name: string): name is PayrollFormat {
  return (PAYROLL_FORMATS as readonly string[]).includes(name);
}

/** What a payroll file needs to know about a worker beyond the canonical record. */
export interface PayrollIdentity {
  /** Gusto's employee ID (optional in Gusto's upload; null when the link does not carry it). */
  readonly gustoEmployeeId: string | null;
  /** ADP company code (payroll group) and file number: both required by ADP. */
  readonly adpCompanyCode: string | null;
  readonly adpFileNumber: string | null;
}

export interface PayrollEntry extends PayrollEntryRow {
  readonly identity: PayrollIdentity;
  /** Pay rate in effect on the work date, cents; null when the assignment has none. */
  readonly payRateCents: number | null;
}

export interface AdpOptions {
  /** Used when a worker's ADP link carries no payroll group code. */
  readonly companyCode?: string;
  /** @defaultValue `CW` + the period's last day as YYMMDD */
  readonly batchId?: string;
  /** ADP earnings code for double time, written in Hours 3 Code. @defaultValue 'D' */
  readonly doubleTimeCode?: string;
}

export interface Layout {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly Cell[]>;
}

/** Hours summed in hundredths: no float drift across a week of 7.75s. */
class Hours {
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

function byText<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * Gusto's payroll CSV upload (Run payroll → upload CSV): one row per employee and job title for
 * the pay period, columns titled as Gusto's template titles them — `first_name`, `last_name`,
 * `gusto_employee_id` (optional; from the worker's Gusto link), `title` (Gusto needs it only for
 * employees with more than one pay rate) — then regular, overtime and double overtime hours.
 * Gusto matches employees by name, and by SSN last four when two share a name; the hub holds no
 * SSNs, so `gusto_employee_id` is the way to tell namesakes apart.
 */
export function gustoLayout(entries: readonly PayrollEntry[]): Layout {
  const groups = new Map<string, { e: PayrollEntry; reg: Hours; ot: Hours; dt: Hours }>();
  for (const e of entries) {
    const key = `${e.candidateId}\u0000${e.title ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { e, reg: new Hours(), ot: new Hours(), dt: new Hours() };
      groups.set(key, g);
    }
    g.reg.add(e.regularHours);
    g.ot.add(e.overtimeHours);
    g.dt.add(e.doubleTimeHours);
  }
  const sorted = [...groups.values()].sort(byText((g) => `${g.e.lastName}\u0000${g.e.firstName}\u0000${g.e.candidateId}\u0000${g.e.title ?? ''}`));
  return {
    header: ['first_name', 'last_name', 'gusto_employee_id', 'title', 'regular_hours', 'overtime_hours', 'double_overtime_hours'],
    rows: sorted.map((g) => [
      g.e.firstName, g.e.lastName, g.e.identity.gustoEmployeeId, g.e.title, fixed(g.reg.value, 2), fixed(g.ot.value, 2), fixed(g.dt.value, 2),
    ]),
  };
}

/**
 * ADP Workforce Now paydata import (the EPI file: header row, one row per employee batch line).
 * ADP requires Co Code, Batch ID and File # in the first three positions; then Reg Hours and O/T
 * Hours; double time goes in Hours 3 Code/Amount with the client's double-time earnings code
 * (earnings codes are client-specific in ADP); Temp Rate carries the placement's pay rate, because
 * a temp's rate is the placement's, not the employee's default. One row per worker, placement and
 * pay rate: a rate change inside the period gives two rows.
 */
export function adpLayout(entries: readonly PayrollEntry[], period: { to: string }, options: AdpOptions = {}): Layout {
  const batch = options.batchId ?? `CW${period.to.replaceAll('-', '').slice(2)}`;
  const dtCode = options.doubleTimeCode ?? 'D';
  const groups = new Map<string, { e: PayrollEntry; company: string; file: string; reg: Hours; ot: Hours; dt: Hours }>();
  for (const e of entries) {
    const company = e.identity.adpCompanyCode ?? options.companyCode ?? '';
    const file = e.identity.adpFileNumber ?? '';
    const key = `${company}\u0000${file}\u0000${e.assignmentId}\u0000${e.payRateCents ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { e, company, file, reg: new Hours(), ot: new Hours(), dt: new Hours() };
      groups.set(key, g);
    }
    g.reg.add(e.regularHours);
    g.ot.add(e.overtimeHours);
    g.dt.add(e.doubleTimeHours);
  }
  const sorted = [...groups.values()].sort(byText((g) => `${g.company}\u0000${g.file.padStart(12, '0')}\u0000${g.e.assignmentId}\u0000${String(g.e.payRateCents ?? 0).padStart(12, '0')}`));
  return {
    header: ['Co Code', 'Batch ID', 'File #', 'Reg Hours', 'O/T Hours', 'Hours 3 Code', 'Hours 3 Amount', 'Temp Rate'],
    rows: sorted.map((g) => [
      g.company, batch, g.file, fixed(g.reg.value, 2), fixed(g.ot.value, 2), g.dt.zero ? null : dtCode, g.dt.zero ? null : fixed(g.dt.value, 2),
      g.e.payRateCents === null ? null : dollars(g.e.payRateCents),
    ]),
  };
}

/** Why an entry cannot go into a file of this format, or null when it can. */
export function missingIdentity(format: PayrollFormat, e: PayrollEntry, options: AdpOptions = {}): string | null {
  if (format !== 'adp') return null;
  if (e.identity.adpFileNumber === null) return `no ADP file number for ${e.firstName} ${e.lastName}: link the worker to ADP first`;
  if (e.identity.adpCompanyCode === null && options.companyCode === undefined) return `no ADP company code for ${e.firstName} ${e.lastName}: link the worker to ADP or pass a company code`;
  return null;
}
