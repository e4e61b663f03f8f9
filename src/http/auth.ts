import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { envelope } from './errors.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares two secrets in constant time whatever their lengths: both sides are hashed to 32
 * bytes first, so neither the content nor the length of the expected token leaks through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Requires `Authorization: Bearer <admin token>`. With no token configured the API is closed, not
 * open: every request answers 401 and says which variable to set.
 */
export function requireAdminToken(adminToken: string | null): MiddlewareHandler<AppEnv> {
  const expected = adminToken === null || adminToken === '' ? null : adminToken;
  const refuse = (message: string) => (c: Context<AppEnv>) =>
    c.json(envelope('unauthorized', message), 401, { 'WWW-Authenticate': 'Bearer realm="crosswalk"' });
  const disabled = refuse('the API is disabled: CROSSWALK_ADMIN_TOKEN is unset on the server');
  const missing = refuse('send Authorization: Bearer <token>');
  const wrong = refuse('the bearer token is not valid');
  return async (c, next) => {
    if (expected === null) return disabled(c);
    const header = c.req.header('authorization');
    if (header === undefined) return missing(c);
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match?.[1] || !tokenMatches(match[1], expected)) return wrong(c);
    await next();
    return undefined;
  };
}
