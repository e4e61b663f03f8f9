import { z } from 'zod';
import { DATE_FORMATS, describeFormat, fromCanonical, isTimeZone, parseCanonical, parseDate, toCanonical } from '../dates.ts';
import { describeKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type TargetContext } from './types.ts';

export const DateOptions = z.strictObject({
  format: z.enum(DATE_FORMATS),
  /** IANA zone in which an instant becomes a calendar date, and a date becomes midnight. @defaultValue 'UTC' */
  timeZone: z.string().min(1).optional(),
});
export type DateOptions = z.infer<typeof DateOptions>;

/** Problems relative to the transform block. */
export function checkDateOptions(options: DateOptions): Problem[] {
  if (options.timeZone !== undefined && !isTimeZone(options.timeZone)) {
    return [problem(['date', 'timeZone'], 'bad_time_zone', `unknown time zone "${options.timeZone}"`)];
  }
  return [];
}

/** The time zone is checked when the block is read (`checkDateOptions`); this checks the target. */
export function checkDate(_options: DateOptions, target: TargetContext): Problem[] {
  const kind = target.field.kind;
  if (kind.type !== 'date' && kind.type !== 'datetime') {
    return [problem([], 'transform_target_mismatch', `date needs a date or date-time target; ${target.field.name} is ${describeKind(kind)}`)];
  }
  return [];
}

export function dateCodec(options: DateOptions, path: ParsedPath, output: 'date' | 'datetime'): Codec {
  const zone = options.timeZone ?? 'UTC';
  return {
    name: 'date',
    inbound: fromPath(path, (raw) => {
      const parsed = parseDate(options.format, raw);
      return parsed ? ok(toCanonical(parsed, output, zone)) : fail(`${shapeOf(raw)} is not ${describeFormat(options.format)}`);
    }),
    outbound: (value) => {
      if (value === null) return ok(null);
      const parsed = typeof value === 'string' ? parseCanonical(value) : null;
      return parsed ? ok(fromCanonical(parsed, options.format, zone)) : fail(`${shapeOf(value)} is not a canonical date`);
    },
    reads: [path],
  };
}
