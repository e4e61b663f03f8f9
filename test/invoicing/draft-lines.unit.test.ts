import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billingPeriod, draftLines, lineAmountCents, rateOn, type BillableTime, type HourType, type RatePeriod } from '../../src/model/index.ts';

// Fixed, printed seed: a failure names the seed and the shrunk counterexample, and replays exactly.
const SEED = Number(process.env['FC_SEED'] ?? 20261207);
const RUNS = 200;
console.log(`invoice drafting properties: fast-check seed ${SEED}, ${RUNS} runs each`);

const DATES = Array.from({ length: 28 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
const TYPES: readonly HourType[] = ['regular', 'overtime', 'doubletime'];

/** Round half to even of n / 100 in exact big integers: the reference the production rule must match. */
function refRound(n: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / 100n;
  const r = a % 100n;
  if (r > 50n || (r === 50n && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** The naive reference: linear rate search per quantity, grouping by (rate row, hour type, adjustment). */
function reference(billable: readonly BillableTime[], rates: ReadonlyMap<string, readonly RatePeriod[]>, periodStart: string) {
  const groups = new Map<string, { hours: bigint; rate: bigint }>();
  for (const t of billable) {
    if (t.centiHours === 0) continue;
    let rate: RatePeriod | null = null;
    for (const r of rates.get(t.assignmentId) ?? []) if (r.effectiveFrom <= t.workDate && (rate === null || r.effectiveFrom >= rate.effectiveFrom)) rate = r;
    const cents = rate === null ? null : t.hourType === 'regular' ? rate.billRateCents : t.hourType === 'overtime' ? rate.otBillRateCents : rate.dtBillRateCents;
    if (rate === null || cents === null) {
      continue;
    }
    const key = `${rate.id}|${t.hourType}|${t.adjustsEntryId !== null || t.workDate < periodStart}`;
    const g = groups.get(key) ?? { hours: 0n, rate: BigInt(cents) };
    g.hours += BigInt(t.centiHours);
    groups.set(key, g);
  }
  let total = 0n;
  let lines = 0;
  for (const g of groups.values()) {
    total += refRound(g.hours * g.rate);
    lines++;
  }
  return { total, lines };
}

const rateArb = (assignmentId: string) =>
  fc.uniqueArray(
    fc.record({
      effectiveFrom: fc.constantFrom(...DATES),
      billRateCents: fc.integer({ min: 1, max: 20_000 }),
      otBillRateCents: fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: null, freq: 5 }),
      dtBillRateCents: fc.option(fc.integer({ min: 1, max: 40_000 }), { nil: null, freq: 3 }),
    }),
    { selector: (r) => r.effectiveFrom, maxLength: 4 },
  ).map((rows) => rows.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)).map((r, i) => ({ ...r, id: `${assignmentId}-r${i}`, assignmentId })));

const worldArb = fc
  .tuple(rateArb('a1'), rateArb('a2'), rateArb('a3'))
  .chain(([r1, r2, r3]) =>
    fc.record({
      rates: fc.constant(new Map<string, RatePeriod[]>([['a1', r1], ['a2', r2], ['a3', r3]])),
      billable: fc.array(
        fc.record({
          timeEntryId: fc.uuid(),
          assignmentId: fc.constantFrom('a1', 'a2', 'a3', 'a4'),
          workDate: fc.constantFrom(...DATES),
          hourType: fc.constantFrom(...TYPES),
          // Quarter hours and odd hundredths, signed now and then (adjustments).
          centiHours: fc.integer({ min: -400, max: 1_200 }),
          adjustsEntryId: fc.option(fc.constant('orig'), { nil: null, freq: 6 }),
        }),
        { maxLength: 60 },
      ),
      periodStart: fc.constantFrom('2026-03-01', '2026-03-09', '2026-03-16'),
    }),
  );

describe('invoice lines from approved time', () => {
  it('total equals the sum over billable time × the rate in effect, rounded once per line, to the cent', () => {
    fc.assert(
      fc.property(worldArb, ({ rates, billable, periodStart }) => {
        const out = draftLines(billable, rates, periodStart);
        const ref = reference(billable, rates, periodStart);
        expect(BigInt(out.totalCents)).toBe(ref.total);
        expect(out.lines.length).toBe(ref.lines);
        // Totals equal the sum of lines exactly.
        expect(out.lines.reduce((s, l) => s + l.amountCents, 0)).toBe(out.totalCents);
        // Every billable quantity is on exactly one line, or held: nothing dropped, nothing twice.
        const nonZero = billable.filter((t) => t.centiHours !== 0);
        expect(out.lines.flatMap((l) => l.entries).length).toBe(nonZero.filter((t) => !isHeld(t, rates)).length);
        expect(out.held.reduce((s, h) => s + h.centiHours, 0)).toBe(nonZero.filter((t) => isHeld(t, rates)).reduce((s, t) => s + t.centiHours, 0));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('holds hours without a rate and names assignment, hour type and dates', () => {
    const rates = new Map<string, RatePeriod[]>([['a1', [{ id: 'r1', assignmentId: 'a1', effectiveFrom: '2026-03-04', billRateCents: 3000, otBillRateCents: null, dtBillRateCents: null }]]]);
    const t = (workDate: string, hourType: HourType, centiHours: number): BillableTime => ({ timeEntryId: `${workDate}-${hourType}`, assignmentId: 'a1', workDate, hourType, centiHours, adjustsEntryId: null });
    const out = draftLines([t('2026-03-02', 'regular', 800), t('2026-03-03', 'regular', 800), t('2026-03-04', 'regular', 750), t('2026-03-04', 'overtime', 200)], rates, '2026-03-02');
    expect(out.lines).toEqual([expect.objectContaining({ kind: 'regular', centiHours: 750, rateCents: 3000, amountCents: 22_500 })]);
    expect(out.held.map((h) => h.reason)).toEqual([
      'assignment a1: regular hours on 2026-03-02, 2026-03-03: no bill rate in effect',
      'assignment a1: overtime hours on 2026-03-04: the rate from 2026-03-04 has no overtime bill rate',
    ]);
  });

  it('rounds half to even once per line, credits included', () => {
    expect(lineAmountCents(150, 3333)).toBe(5000); // 4999.5 → 5000 (4999 is odd)
    expect(lineAmountCents(50, 3333)).toBe(1666); // 1666.5 → 1666 (even)
    expect(lineAmountCents(-50, 3333)).toBe(-1666);
    expect(lineAmountCents(25, 1)).toBe(0);
    expect(lineAmountCents(0, 5000)).toBe(0);
    expect(Object.is(lineAmountCents(-25, 1), -0)).toBe(false);
  });

  it('finds the rate in effect on a date (the latest starting on or before it)', () => {
    const rows = ['2026-01-01', '2026-02-01', '2026-03-01'].map((d, i) => ({ id: `r${i}`, assignmentId: 'a', effectiveFrom: d, billRateCents: i, otBillRateCents: null, dtBillRateCents: null }));
    expect(rateOn(rows, '2025-12-31')).toBeNull();
    expect(rateOn(rows, '2026-01-01')?.id).toBe('r0');
    expect(rateOn(rows, '2026-02-28')?.id).toBe('r1');
    expect(rateOn(rows, '2027-01-01')?.id).toBe('r2');
  });

  it('computes billing periods for each frequency (unset is weekly, Monday to Sunday)', () => {
    expect(billingPeriod(null, '2026-03-04')).toEqual({ start: '2026-03-02', end: '2026-03-08' });
    expect(billingPeriod('weekly', '2026-03-08')).toEqual({ start: '2026-03-02', end: '2026-03-08' });
    expect(billingPeriod('biweekly', '2026-03-04')).toEqual({ start: '2026-02-23', end: '2026-03-08' });
    expect(billingPeriod('semimonthly', '2026-02-20')).toEqual({ start: '2026-02-16', end: '2026-02-28' });
    expect(billingPeriod('monthly', '2024-02-10')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
  });
});

function isHeld(t: BillableTime, rates: ReadonlyMap<string, readonly RatePeriod[]>): boolean {
  const r = rateOn(rates.get(t.assignmentId) ?? [], t.workDate);
  if (r === null) return true;
  return (t.hourType === 'overtime' ? r.otBillRateCents : t.hourType === 'doubletime' ? r.dtBillRateCents : r.billRateCents) === null;
}
