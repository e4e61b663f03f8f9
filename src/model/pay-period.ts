import { z } from 'zod';
import { IsoDate } from './primitives.ts';

/**
 * A payroll system's pay calendar and its cutoff (decision 0018). Periods start on
 * `anchor` and repeat every week or two weeks (semimonthly: the 1st and the 16th). Time for a
 * period must be approved within `cutoffHours` of the period's end (00:00 UTC of the next period's
 * first day); later approvals are held for the next period. Gusto's pay schedules carry the same
 * facts (frequency, anchor pay date, the payroll deadline before the check date).
 */
export const PayPeriodSettings = z.strictObject({
  frequency: z.enum(['weekly', 'biweekly', 'semimonthly']),
  anchor: IsoDate.meta({ description: 'the first day of one pay period (weekly and biweekly)' }),
  cutoffHours: z.number().int().min(0).max(24 * 14),
});
export type PayPeriodSettings = z.infer<typeof PayPeriodSettings>;

/** Monday-to-Sunday weeks, approvals due by Tuesday 00:00 UTC (48 hours after the week). */
export const DEFAULT_PAY_PERIOD: PayPeriodSettings = { frequency: 'weekly', anchor: '2026-01-05', cutoffHours: 48 };

const DAY = 86_400_000;

function ms(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function iso(msValue: number): string {
  return new Date(msValue).toISOString().slice(0, 10);
}

/** The pay period holding a date: first day and the first day of the next (exclusive end). */
export function payPeriodOf(date: string, s: PayPeriodSettings): { start: string; end: string } {
  if (s.frequency === 'semimonthly') {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    if (d < 16) return { start: iso(Date.UTC(y, m - 1, 1)), end: iso(Date.UTC(y, m - 1, 16)) };
    return { start: iso(Date.UTC(y, m - 1, 16)), end: iso(Date.UTC(y, m, 1)) };
  }
  const length = (s.frequency === 'weekly' ? 7 : 14) * DAY;
  const offset = Math.floor((ms(date) - ms(s.anchor)) / length);
  const start = ms(s.anchor) + offset * length;
  return { start: iso(start), end: iso(start + length) };
}

/** The instant after which approving time worked on `workDate` misses its period's payroll. */
export function cutoffFor(workDate: string, s: PayPeriodSettings): string {
  const { end } = payPeriodOf(workDate, s);
  return new Date(ms(end) + s.cutoffHours * 3_600_000).toISOString();
}

/**
 * Null when an approval at `approvedAt` makes its period's cutoff; otherwise the date the entry is
 * held until: the first day of the pay period after the one the approval falls in.
 */
export function holdAfterCutoff(workDate: string, approvedAt: string, s: PayPeriodSettings): string | null {
  if (Date.parse(approvedAt) <= Date.parse(cutoffFor(workDate, s))) return null;
  return payPeriodOf(approvedAt.slice(0, 10), s).end;
}
