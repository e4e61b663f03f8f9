import { z } from 'zod';
import { ENTITY_NAMES, Id } from '../../model/index.ts';

/** Largest page any list route returns. */
export const MAX_LIMIT = 500;

export const IdParam = z.strictObject({ id: Id });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .default(50)
  .meta({ description: `page size, 1 to ${MAX_LIMIT}` });

export const After = Id.optional().meta({ description: 'keyset cursor: the `next` value of the previous page' });

/** `true`/`false` (also 1/0, yes/no) in a query string. */
export const QueryBool = z.stringbool();

export const EntityNameSchema = z.enum(ENTITY_NAMES);

/** A canonical field value: text, a number or null (money is integer cents, dates ISO text). */
export const ScalarValue = z.union([z.string().max(10_000), z.number(), z.null()]);

/** Timestamps in responses: ISO-8601 UTC text. */
export const DateTime = z.string().meta({ format: 'date-time' });

export function Page<T extends z.ZodType>(item: T) {
  return z.strictObject({
    data: z.array(item),
    next: z.string().nullable().meta({ description: 'pass as `after` (or `before` for runs) to get the next page; null on the last page' }),
  });
}

export function Single<T extends z.ZodType>(item: T) {
  return z.strictObject({ data: item });
}

/**
 * A page from `limit + 1` rows: the extra row only says whether there is more, so `next` is null
 * exactly on the last page instead of one empty page later.
 */
export function pageOf<T, V>(rows: readonly T[], limit: number, cursor: (row: T) => string, view: (row: T) => V): { data: V[]; next: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data: data.map(view), next: rows.length > limit && last !== undefined ? cursor(last) : null };
}

/** Spreads `{ [key]: value }` only when value is defined: optional properties stay absent (exactOptionalPropertyTypes). */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
