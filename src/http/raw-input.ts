import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { ApiError, validationError } from './errors.ts';

/**
 * Input read by handlers that bypass the route registrar (streamed uploads: CSV imports, documents),
 * checked the way the registrar checks it, with the same errors.
 */

/** Parses `value` with `schema`; a failure is a 400 naming `where` (`query`, `body`, `params`). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

/** Query parameters as one object; a parameter given twice is refused rather than guessed at. */
export function singleQuery(c: Context<AppEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.queries())) {
    if (v.length > 1) throw new ApiError('invalid_request', `query parameter given more than once: ${k}`, [{ path: `query.${k}`, message: 'given more than once' }]);
    out[k] = v[0] ?? '';
  }
  return out;
}
