import type { Context } from 'hono';
import { loadAccess, type Access } from '../access/policy.ts';
import { actorOf, type Principal } from '../access/principal.ts';
import type { Repos } from '../store/index.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

/**
 * The authenticated caller of a route. The registrar has already refused a route's call without a
 * principal where the route's action needs one, so a null here is a wiring mistake, answered 401.
 */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (principal === null || principal === undefined) throw new ApiError('unauthorized', 'sign in: send Authorization: Bearer <token> or a session cookie');
  return principal;
}

/** Who the ledger and histories record: the principal, never a name from the body. */
export function actorFor(c: Context<AppEnv>): string {
  return actorOf(principalOf(c));
}

/**
 * The caller's roles for a read, loaded once per request. Writes load them again through their own
 * unit of work (`loadAccess(tx, …)`) so the check and the write see the same data.
 */
export async function accessFor(c: Context<AppEnv>, repos: Repos, now: string): Promise<Access> {
  const cached = c.get('access');
  if (cached !== undefined) return cached;
  const access = await loadAccess(repos, principalOf(c), now);
  c.set('access', access);
  return access;
}
