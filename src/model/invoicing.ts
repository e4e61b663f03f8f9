import type { z } from 'zod';
import type { BillingFrequency } from './organization.ts';

/**
 * Invoices drafted from approved time (docs/decisions/0016-invoice-money-and-rounding.md):
 * the pure part — which bill rate applies on a work date, how hours group into lines, and the one
 * rounding rule. No IO: the store reads the billable time and the rates, this decides the lines.
 */

export const HOUR_TYPES = ['regular', 'overtime', 'doubletime'] as const;
export type HourType = (typeof HOUR_TYPES)[number];

const HOUR_TYPE_LABEL: Readonly<Record<HourType, string>> = { regular: 'regular', overtime: 'overtime', doubletime: 'double time' };

/**
 * One quantity of time to bill: one hour type of one time entry. Hours are in hundredths (the model
 * allows two decimals), so sums are exact integers. Signed: an adjustment may take hours back.
 */
export interface BillableTime {
  readonly timeEntryId: string;
  readonly assignmentId: string;
  readonly workDate: string;
  readonly hourType: HourType;
  readonly centiHours: number;
  /** The entry this one corrects, when it is an adjustment (a credit or extra hours on a later invoice). */
  readonly adjustsEntryId: string | null;
}

/** A bill rate row of an assignment, in effect from `effectiveFrom` until the next row's date. */
export interface RatePeriod {
  readonly id: string;
  readonly assignmentId: string;
  readonly effectiveFrom: string;
  readonly billRateCents: number;
  readonly otBillRateCents: number | null;
  readonly dtBillRateCents: number | null;
}

/** The rate row in effect on `date`: the latest one starting on or before it. `rates` sorted by effectiveFrom. */
export function rateOn(rates: readonly RatePeriod[], date: string): RatePeriod | null {
  let lo = 0;
  let hi = rates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rates[mid]?.effectiveFrom ?? '') <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : (rates[lo - 1] ?? null);
}

/**
 * The bill rate of an hour type. Overtime and double time bill at their own rate when the rate card
 * holds one; no multiplier is guessed — a missing one holds the line (decision 0016).
 */
export function billRateOf(rate: RatePeriod, hourType: HourType): number | null {
  switch (hourType) {
    case 'regular':
      return rate.billRateCents;
    case 'overtime':
      return rate.otBillRateCents;
    case 'doubletime':
      return rate.dtBillRateCents;
  }
}

/**
 * THE rounding rule: a line's amount is its hours × its rate, rounded once, half to even, to the
 * cent. `centiHours × rateCents` is an exact integer in hundredths of a cent.
 */
export function lineAmountCents(centiHours: number, rateCents: number): number {
  const product = centiHours * rateCents;
  if (!Number.isSafeInteger(product)) throw new RangeError(`line amount ${centiHours}/100 h × ${rateCents} ¢ is out of range`);
  const sign = product < 0 ? -1 : 1;
  const abs = Math.abs(product);
  let cents = Math.floor(abs / 100);
  const rest = abs - cents * 100;
  if (rest > 50 || (rest === 50 && cents % 2 === 1)) cents += 1;
  return sign * cents + 0;
}

export interface TracedHours {
  readonly timeEntryId: string;
  readonly hourType: HourType;
  readonly centiHours: number;
}

/** One invoice line to be: assignment × rate period × hour type (× adjustment or not). */
export interface DraftLine {
  readonly assignmentId: string;
  readonly ratePeriodId: string;
  readonly effectiveFrom: string;
  readonly hourType: HourType;
  /** `adjustment` for corrections and time from before the period; else the hour type's kind. */
  readonly kind: 'regular' | 'overtime' | 'doubletime' | 'adjustment';
  readonly centiHours: number;
  readonly rateCents: number;
  readonly amountCents: number;
  readonly description: string;
  readonly entries: readonly TracedHours[];
}

/** Hours that cannot be billed yet: no bill rate in effect for the hour type on these dates. */
export interface HeldLine {
  readonly assignmentId: string;
  readonly hourType: HourType;
  readonly workDates: readonly string[];
  readonly centiHours: number;
  readonly reason: string;
  readonly timeEntryIds: readonly string[];
}

export interface DraftResult {
  readonly lines: readonly DraftLine[];
  readonly held: readonly HeldLine[];
  readonly totalCents: number;
}

interface Group {
  rate: RatePeriod;
  hourType: HourType;
  adjustment: boolean;
  centiHours: number;
  rateCents: number;
  entries: TracedHours[];
  minDate: string;
  maxDate: string;
}

/**
 * Groups billable time into lines: one per assignment × rate period × hour type, corrections and
 * time from before the period on separate `adjustment` lines. Time without a rate is held, per
 * assignment and hour type, naming its dates. Lines come out in a stable order.
 */
export function draftLines(billable: Iterable<BillableTime>, rates: ReadonlyMap<string, readonly RatePeriod[]>, periodStart: string): DraftResult {
  const groups = new Map<string, Group>();
  const held = new Map<string, { assignmentId: string; hourType: HourType; dates: Set<string>; centiHours: number; ids: Set<string>; reason: string }>();
  for (const t of billable) {
    if (t.centiHours === 0) continue;
    const rate = rateOn(rates.get(t.assignmentId) ?? [], t.workDate);
    const rateCents = rate === null ? null : billRateOf(rate, t.hourType);
    if (rate === null || rateCents === null) {
      const key = `${t.assignmentId}|${t.hourType}`;
      let h = held.get(key);
      if (!h) {
        const reason = rate === null ? 'no bill rate in effect' : `the rate from ${rate.effectiveFrom} has no ${HOUR_TYPE_LABEL[t.hourType]} bill rate`;
        h = { assignmentId: t.assignmentId, hourType: t.hourType, dates: new Set(), centiHours: 0, ids: new Set(), reason };
        held.set(key, h);
      }
      h.dates.add(t.workDate);
      h.centiHours += t.centiHours;
      h.ids.add(t.timeEntryId);
      continue;
    }
    const adjustment = t.adjustsEntryId !== null || t.workDate < periodStart;
    const key = `${rate.id}|${t.hourType}|${adjustment ? 'a' : ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { rate, hourType: t.hourType, adjustment, centiHours: 0, rateCents, entries: [], minDate: t.workDate, maxDate: t.workDate };
      groups.set(key, g);
    }
    g.centiHours += t.centiHours;
    g.entries.push({ timeEntryId: t.timeEntryId, hourType: t.hourType, centiHours: t.centiHours });
    if (t.workDate < g.minDate) g.minDate = t.workDate;
    if (t.workDate > g.maxDate) g.maxDate = t.workDate;
  }
  const lines: DraftLine[] = [];
  let totalCents = 0;
  // A group netting to zero hours (a correction cancelling hours) stays as a zero line: its entries
  // are billed (claimed), so neither half turns up alone on a later invoice.
  for (const g of groups.values()) {
    const amountCents = lineAmountCents(g.centiHours, g.rateCents);
    totalCents += amountCents;
    const label = HOUR_TYPE_LABEL[g.hourType];
    const dates = g.minDate === g.maxDate ? g.minDate : `${g.minDate}..${g.maxDate}`;
    lines.push({
      assignmentId: g.rate.assignmentId, ratePeriodId: g.rate.id, effectiveFrom: g.rate.effectiveFrom, hourType: g.hourType,
      kind: g.adjustment ? 'adjustment' : g.hourType, centiHours: g.centiHours, rateCents: g.rateCents, amountCents,
      description: `${g.adjustment ? 'Adjustment: ' : ''}${label} hours ${dates}`,
      entries: g.entries,
    });
  }
  lines.sort((a, b) => a.assignmentId.localeCompare(b.assignmentId) || a.effectiveFrom.localeCompare(b.effectiveFrom) || HOUR_TYPES.indexOf(a.hourType) - HOUR_TYPES.indexOf(b.hourType) || a.kind.localeCompare(b.kind));
  const heldLines: HeldLine[] = [...held.values()].map((h) => {
    const workDates = [...h.dates].sort();
    return {
      assignmentId: h.assignmentId, hourType: h.hourType, workDates, centiHours: h.centiHours, timeEntryIds: [...h.ids].sort(),
      reason: `assignment ${h.assignmentId}: ${HOUR_TYPE_LABEL[h.hourType]} hours on ${workDates.join(', ')}: ${h.reason}`,
    };
  });
  return { lines, held: heldLines, totalCents };
}

/** The hours of a time entry row as billable quantities (hundredths, one per non-zero hour type). */
export function centiHoursOf(hours: number): number {
  return Math.round(hours * 100);
}

export interface BillingPeriod {
  readonly start: string;
  readonly end: string;
}

/** Biweekly periods count from this Monday; a firm on another cycle would configure it (not yet). */
const BIWEEKLY_ANCHOR = '2024-01-01';

const DAY = 86_400_000;
const toDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const toIso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The billing period holding `date` for a client's frequency (null means weekly): weekly and
 * biweekly run Monday–Sunday, semimonthly 1st–15th and 16th–end, monthly the calendar month.
 */
export function billingPeriod(frequency: z.infer<typeof BillingFrequency> | null, date: string): BillingPeriod {
  const day = toDay(date);
  const d = new Date(day);
  switch (frequency ?? 'weekly') {
    case 'weekly': {
      const monday = day - ((d.getUTCDay() + 6) % 7) * DAY;
      return { start: toIso(monday), end: toIso(monday + 6 * DAY) };
    }
    case 'biweekly': {
      const anchor = toDay(BIWEEKLY_ANCHOR);
      const start = anchor + Math.floor((day - anchor) / (14 * DAY)) * 14 * DAY;
      return { start: toIso(start), end: toIso(start + 13 * DAY) };
    }
    case 'semimonthly': {
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      if (d.getUTCDate() <= 15) return { start: toIso(Date.UTC(y, m, 1)), end: toIso(Date.UTC(y, m, 15)) };
      return { start: toIso(Date.UTC(y, m, 16)), end: toIso(Date.UTC(y, m + 1, 0)) };
    }
    case 'monthly': {
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      return { start: toIso(Date.UTC(y, m, 1)), end: toIso(Date.UTC(y, m + 1, 0)) };
    }
  }
}
