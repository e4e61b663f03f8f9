import { z } from 'zod';
import { formatUnits, parseDecimal, toUnits } from '../decimal.ts';
import { describeKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type Outcome, type TargetContext } from './types.ts';

export const NumberOptions = z.strictObject({
  /** How the number goes back out: 40 or "40.000". @defaultValue 'number' */
  as: z.enum(['number', 'string']).optional(),
  /** Decimal places on the way out (Gusto sends hours as "40.000"). @defaultValue as many as needed */
  decimals: z.int().min(0).max(9).optional(),
});
export type NumberOptions = z.infer<typeof NumberOptions>;

export function checkNumber(_options: NumberOptions, target: TargetContext): Problem[] {
  const { kind, cents, name } = target.field;
  if (cents) return [problem([], 'money_required', `${name} holds cents: use money, not number`)];
  if (kind.type === 'number' || kind.type === 'integer') return [];
  return [problem([], 'transform_target_mismatch', `number needs a numeric target; ${name} is ${describeKind(kind)}`)];
}

/** A number or decimal text ("40.000", "7.5") to a number; whole numbers only for integer fields. */
export function toNumber(raw: unknown, integer: boolean): Outcome<number> {
  const d = typeof raw === 'number' || typeof raw === 'string' ? parseDecimal(raw) : null;
  if (!d) return fail(`${shapeOf(raw)} is not a number`);
  const n = typeof raw === 'number' ? raw : Number(`${d.negative ? '-' : ''}${formatUnits(d.digits, d.scale)}`);
  if (!Number.isFinite(n)) return fail(`${shapeOf(raw)} is not a number`);
  if (integer && !Number.isSafeInteger(n)) return fail(`${shapeOf(raw)} is not a whole number`);
  return ok(n);
}

export function numberCodec(options: NumberOptions, path: ParsedPath, integer: boolean): Codec {
  return {
    name: 'number',
    inbound: fromPath(path, (raw) => toNumber(raw, integer)),
    outbound: (value) => {
      if (value === null) return ok(null);
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${shapeOf(value)} is not a number`);
      if (options.decimals === undefined) return ok(options.as === 'string' ? String(value) : value);
      const d = parseDecimal(value);
      if (!d) return fail(`${shapeOf(value)} is not a number`);
      const text = formatUnits(toUnits(d, options.decimals), options.decimals);
      return ok(options.as === 'string' ? text : Number(text));
    },
    reads: [path],
  };
}
