import { readStreamCapped } from '../read-body.ts';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { ConsoleEnv } from './deps.ts';
import { ConsoleError, invalidInput } from './errors.ts';

/**
 * Largest form body a console POST reads. A bulk resolution of 500 conflict ids is about 20 KB.
 * @defaultValue 65536
 */
export const FORM_BODY_LIMIT = 65_536;

/**
 * Query parameters as one object for a strict schema. Empty values are dropped, because a GET
 * filter form sends every field, filled or not; a parameter given twice is refused, not guessed at.
 */
export function parseQuery<T extends z.ZodType>(c: Context<ConsoleEnv>, schema: T): z.output<T> {
  const out: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) repeated.push(key);
    const value = (values[0] ?? '').trim();
    if (value !== '') out[key] = value;
  }
  if (repeated.length > 0) {
    throw new ConsoleError(400, 'Bad request', 'The request was not accepted.', repeated.map((k) => `query.${k}: given more than once`));
  }
  const result = schema.safeParse(out);
  if (!result.success) throw invalidInput('query', result.error);
  return result.data;
}

export function parsePath<T extends z.ZodType>(c: Context<ConsoleEnv>, schema: T): z.output<T> {
  const result = schema.safeParse(c.req.param());
  if (!result.success) throw invalidInput('path', result.error);
  return result.data;
}

async function readCapped(req: Request, limit: number): Promise<Uint8Array> {
  // A fetch body stream yields bytes; @types/node types Request.body loosely.
  const body = await readStreamCapped(req.body as ReadableStream<Uint8Array> | null, limit);
  if (body === null) throw new ConsoleError(413, 'Request too large', `A console form may not exceed ${limit} bytes; nothing was changed.`);
  return body;
}

/**
 * Reads an HTML form post (`application/x-www-form-urlencoded`, at most FORM_BODY_LIMIT bytes) for
 * a strict schema. Keys in `lists` always become arrays (checkbox groups); any other key given
 * twice is refused. Blank values are dropped, as in queries.
 */
export async function parseForm<T extends z.ZodType>(c: Context<ConsoleEnv>, schema: T, lists: readonly string[] = []): Promise<z.output<T>> {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new ConsoleError(415, 'Unsupported form', 'Console forms are posted as application/x-www-form-urlencoded; nothing was changed.');
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > FORM_BODY_LIMIT) throw new ConsoleError(413, 'Request too large', `A console form may not exceed ${FORM_BODY_LIMIT} bytes; nothing was changed.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readCapped(c.req.raw, FORM_BODY_LIMIT));
  } catch (err) {
    if (err instanceof ConsoleError) throw err;
    throw new ConsoleError(400, 'Bad request', 'The form is not valid UTF-8; nothing was changed.');
  }
  const out: Record<string, string | string[]> = {};
  const repeated = new Set<string>();
  const seen = new Set<string>();
  for (const key of lists) out[key] = [];
  for (const [key, raw] of new URLSearchParams(text)) {
    const value = raw.trim();
    const slot = out[key];
    if (Array.isArray(slot)) {
      if (value !== '') slot.push(value);
      continue;
    }
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
    if (value !== '') out[key] = value;
  }
  if (repeated.size > 0) {
    throw new ConsoleError(400, 'Bad request', 'The request was not accepted; nothing was changed.', [...repeated].map((k) => `form.${k}: given more than once`));
  }
  const result = schema.safeParse(out);
  if (!result.success) throw invalidInput('form', result.error);
  return result.data;
}
