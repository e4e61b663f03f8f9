import { z } from 'zod';
import { fitsPlaces, formatUnits, parseDecimal, safeNumber, toUnits } from '../decimal.ts';
import { describeKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type Outcome, type TargetContext } from './types.ts';

export const MoneyOptions = z.strictObject({
  /** What the vendor's number counts. @defaultValue 'dollars' */
  unit: z.enum(['dollars', 'cents']).optional(),
  /** How the amount goes back out: 29.4 or "29.40". @defaultValue 'number' */
  as: z.enum(['number', 'string']).optional(),
});
export type MoneyOptions = z.infer<typeof MoneyOptions>;

export function checkMoney(_options: MoneyOptions, target: TargetContext): Problem[] {
  if (target.field.cents) return [];
  return [problem([], 'transform_target_mismatch', `money needs a …Cents target; ${target.field.name} is ${describeKind(target.field.kind)}`)];
}

/**
 * Dollars (number or decimal text) to integer cents, exactly, rounding half away from zero at the
 * cent: 29.4 and "29.40" → 2940, "34.125" → 3413.
 */
export function toCents(raw: unknown, unit: 'dollars' | 'cents'): Outcome<number> {
  const d = typeof raw === 'number' || typeof raw === 'string' ? parseDecimal(raw) : null;
  if (!d) return fail(`${shapeOf(raw)} is not an amount`);
  if (unit === 'cents' && !fitsPlaces(d, 0)) return fail(`${shapeOf(raw)} is not a whole number of cents`);
  const cents = safeNumber(toUnits(d, unit === 'cents' ? 0 : 2));
  return cents === null ? fail(`${shapeOf(raw)} is too large an amount`) : ok(cents);
}

export function fromCents(cents: number, unit: 'dollars' | 'cents', as: 'number' | 'string'): Outcome<number | string> {
  if (!Number.isSafeInteger(cents)) return fail(`${shapeOf(cents)} is not a whole number of cents`);
  if (unit === 'cents') return ok(as === 'string' ? String(cents) : cents);
  // Division by 100 is correctly rounded, so 2940 / 100 is the same double as the literal 29.4.
  return ok(as === 'string' ? formatUnits(BigInt(cents), 2) : cents / 100);
}

export function moneyCodec(options: MoneyOptions, path: ParsedPath): Codec {
  const unit = options.unit ?? 'dollars';
  const as = options.as ?? 'number';
  return {
    name: 'money',
    inbound: fromPath(path, (raw) => toCents(raw, unit)),
    outbound: (value) => {
      if (value === null) return ok(null);
      return typeof value === 'number' ? fromCents(value, unit, as) : fail(`${shapeOf(value)} is not an amount in cents`);
    },
    reads: [path],
  };
}
