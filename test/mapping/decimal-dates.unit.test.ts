import { describe, expect, it } from 'vitest';
import { fromCanonical, isTimeZone, parseCanonical, parseDate, toCanonical, type DateFormat } from '../../src/mapping/dates.ts';
import { formatUnits, parseDecimal, toUnits } from '../../src/mapping/decimal.ts';
import { fromCents, toCents } from '../../src/mapping/transforms/money.ts';
import { toNumber } from '../../src/mapping/transforms/number.ts';

describe('money: exact decimal to cents', () => {
  it.each([
    ['29.40', 2940],
    [29.4, 2940],
    ['34.125', 3413],
    [34.125, 3413],
    ['34.124', 3412],
    ['-34.125', -3413],
    ['0.005', 1],
    ['0.004', 0],
    [0.1 + 0.2, 30],
    ['1,234.5', 123450],
    ['$1,234.50', 123450],
    [' 20 ', 2000],
    ['.5', 50],
    ['7.', 700],
    [1e-7, 0],
    [1.005, 101],
    [20, 2000],
  ])('%j dollars → %d cents', (raw, cents) => {
    expect(toCents(raw, 'dollars')).toEqual({ ok: true, value: cents });
  });

  it.each([['abc'], ['1,23'], ['12,3456.00'], [''], ['1e3'], [Number.NaN], [Infinity], [true], [{}], ['$'], ['1.2.3'], ['9'.repeat(41)]])('refuses %j', (raw) => {
    expect(toCents(raw, 'dollars').ok).toBe(false);
  });

  it('refuses amounts beyond a safe integer of cents', () => {
    expect(toCents('99999999999999999', 'dollars')).toEqual({ ok: false, reason: '"99999999999999999" is too large an amount' });
  });

  it('takes cents as given, whole only', () => {
    expect(toCents('2940', 'cents')).toEqual({ ok: true, value: 2940 });
    expect(toCents(2940.5, 'cents')).toEqual({ ok: false, reason: '2940.5 is not a whole number of cents' });
  });

  it('writes cents back as a number or decimal text', () => {
    expect(fromCents(2940, 'dollars', 'number')).toEqual({ ok: true, value: 29.4 });
    expect(fromCents(2940, 'dollars', 'string')).toEqual({ ok: true, value: '29.40' });
    expect(fromCents(-5, 'dollars', 'string')).toEqual({ ok: true, value: '-0.05' });
    expect(fromCents(2940, 'cents', 'string')).toEqual({ ok: true, value: '2940' });
    expect(fromCents(1.5, 'dollars', 'number').ok).toBe(false);
  });

  it('round-trips every cent value from 0 to $100 through both outbound forms', () => {
    for (let cents = 0; cents <= 10_000; cents++) {
      for (const as of ['number', 'string'] as const) {
        const out = fromCents(cents, 'dollars', as);
        if (!out.ok) throw new Error(out.reason);
        expect(toCents(out.value, 'dollars')).toEqual({ ok: true, value: cents });
      }
    }
  });
});

describe('decimal helpers', () => {
  it('parses floats by their shortest text, exponents included', () => {
    expect(parseDecimal(1e21)).toEqual({ negative: false, digits: 10n ** 21n, scale: 0 });
    expect(parseDecimal(1.5e-7)).toEqual({ negative: false, digits: 15n, scale: 8 });
    expect(parseDecimal(-0)).toEqual({ negative: false, digits: 0n, scale: 0 });
  });

  it('rounds half away from zero at any place', () => {
    const d = parseDecimal('2.5');
    if (!d) throw new Error('parse');
    expect(toUnits(d, 0)).toBe(3n);
    expect(formatUnits(toUnits(d, 3), 3)).toBe('2.500');
  });
});

describe('number: decimal text to a number', () => {
  it.each([
    ['40.000', 40],
    ['7.5', 7.5],
    [8, 8],
    ['-1.25', -1.25],
  ])('%j → %d', (raw, n) => {
    expect(toNumber(raw, false)).toEqual({ ok: true, value: n });
  });

  it('refuses non-numbers and fractions for whole-number fields', () => {
    expect(toNumber('forty', false)).toEqual({ ok: false, reason: '"forty" is not a number' });
    expect(toNumber('2.5', true)).toEqual({ ok: false, reason: '"2.5" is not a whole number' });
    expect(toNumber('3.000', true)).toEqual({ ok: true, value: 3 });
  });
});

describe('dates', () => {
  const at = (format: DateFormat, raw: unknown, target: 'date' | 'datetime', zone = 'UTC') => {
    const parsed = parseDate(format, raw);
    return parsed ? toCanonical(parsed, target, zone) : null;
  };

  it.each([
    ['iso-date', '2025-07-07', 'date', '2025-07-07'],
    ['iso-date', '2025-07-07', 'datetime', '2025-07-07T00:00:00.000Z'],
    ['iso-datetime', '2025-07-07T15:30:00-04:00', 'datetime', '2025-07-07T19:30:00.000Z'],
    ['iso-datetime', '2025-07-07T23:30:00.123+0000', 'date', '2025-07-07'],
    ['iso-datetime', '2025-07-07 08:00Z', 'datetime', '2025-07-07T08:00:00.000Z'],
    ['epoch-ms', 1751846400000, 'date', '2025-07-07'],
    ['epoch-ms', '1751846400000', 'datetime', '2025-07-07T00:00:00.000Z'],
    ['epoch-s', 1751846400, 'datetime', '2025-07-07T00:00:00.000Z'],
    ['epoch-s', '1751846400.5', 'datetime', '2025-07-07T00:00:00.500Z'],
    ['us-date', '07/04/2025', 'date', '2025-07-04'],
    ['us-date', '7/4/2025', 'date', '2025-07-04'],
  ] as const)('%s %j as %s → %s', (format, raw, target, expected) => {
    expect(at(format, raw, target)).toBe(expected);
  });

  it.each([
    ['iso-date', '2025-02-29'],
    ['iso-date', '2025-7-7'],
    ['iso-date', 20250707],
    ['iso-datetime', '2025-07-07T10:00:00'],
    ['iso-datetime', '2025-07-07T24:00:00Z'],
    ['epoch-ms', 1.5],
    ['epoch-ms', 1751846400000000],
    ['epoch-s', 1751846400000],
    ['epoch-ms', 'soon'],
    ['us-date', '13/01/2025'],
    ['us-date', '2025-07-07'],
    ['us-date', '02/30/2024'],
  ] as const)('%s refuses %j', (format, raw) => {
    expect(parseDate(format, raw)).toBeNull();
  });

  it('takes the calendar date of an instant in the mapping time zone', () => {
    // 02:30 UTC on the 7th is still the evening of the 6th in Chicago.
    const ms = Date.UTC(2025, 6, 7, 2, 30);
    expect(at('epoch-ms', ms, 'date', 'America/Chicago')).toBe('2025-07-06');
    expect(at('epoch-ms', ms, 'date')).toBe('2025-07-07');
    expect(at('iso-date', '2025-07-07', 'datetime', 'America/Chicago')).toBe('2025-07-07T05:00:00.000Z');
    expect(at('iso-date', '2025-01-07', 'datetime', 'America/Chicago')).toBe('2025-01-07T06:00:00.000Z');
  });

  it('writes canonical values back in each format, time zones included', () => {
    const date = parseCanonical('2025-07-04');
    const instant = parseCanonical('2025-07-07T02:30:00.000Z');
    if (!date || !instant) throw new Error('parse');
    expect(fromCanonical(date, 'us-date', 'UTC')).toBe('07/04/2025');
    expect(fromCanonical(date, 'epoch-ms', 'UTC')).toBe(Date.UTC(2025, 6, 4));
    expect(fromCanonical(date, 'epoch-ms', 'America/New_York')).toBe(Date.UTC(2025, 6, 4, 4));
    expect(fromCanonical(date, 'epoch-s', 'UTC')).toBe(Date.UTC(2025, 6, 4) / 1000);
    expect(fromCanonical(date, 'iso-datetime', 'UTC')).toBe('2025-07-04T00:00:00.000Z');
    expect(fromCanonical(instant, 'iso-date', 'America/Chicago')).toBe('2025-07-06');
    expect(fromCanonical(instant, 'iso-date', 'UTC')).toBe('2025-07-07');
  });

  it('knows IANA time zones', () => {
    expect(isTimeZone('America/Chicago')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
