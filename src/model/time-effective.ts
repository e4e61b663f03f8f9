/**
 * Effective hours of a time entry (decision 0018): the original's figures plus the
 * signed deltas of its adjustments that count, i.e. those approved or beyond. An adjustment waiting
 * for approval, rejected or in draft changes nothing. This is the one definition: payroll pushes
 * (originals and adjustments as deltas), invoices and metrics all read hours through it.
 */

export interface HourFigures {
  readonly regularHours: number;
  readonly overtimeHours: number;
  readonly doubleTimeHours: number;
}

export interface EntryHours extends HourFigures {
  readonly status: string;
}

/** Statuses in which an entry's (or an adjustment's) hours count: approved and what follows. */
export const COUNTED_STATUSES: ReadonlySet<string> = new Set(['approved', 'exported', 'invoiced']);

/** Hours to two decimals, without binary-fraction residue (0.1 + 0.2 → 0.3). */
export function roundHours(hours: number): number {
  return Math.round(hours * 100) / 100;
}

/** The original's figures plus each counted adjustment's delta. */
export function effectiveHours(original: HourFigures, adjustments: readonly EntryHours[]): HourFigures {
  let regular = original.regularHours;
  let overtime = original.overtimeHours;
  let doubleTime = original.doubleTimeHours;
  for (const a of adjustments) {
    if (!COUNTED_STATUSES.has(a.status)) continue;
    regular += a.regularHours;
    overtime += a.overtimeHours;
    doubleTime += a.doubleTimeHours;
  }
  return { regularHours: roundHours(regular), overtimeHours: roundHours(overtime), doubleTimeHours: roundHours(doubleTime) };
}

/** The signed change that turns `from` into `to`, per hour type. */
export function deltaOf(from: HourFigures, to: HourFigures): HourFigures {
  return {
    regularHours: roundHours(to.regularHours - from.regularHours),
    overtimeHours: roundHours(to.overtimeHours - from.overtimeHours),
    doubleTimeHours: roundHours(to.doubleTimeHours - from.doubleTimeHours),
  };
}

export function isZero(h: HourFigures): boolean {
  return h.regularHours === 0 && h.overtimeHours === 0 && h.doubleTimeHours === 0;
}
