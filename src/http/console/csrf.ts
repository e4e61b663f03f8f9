import type { MiddlewareHandler } from 'hono';
import type { ConsoleEnv } from './deps.ts';
import { ConsoleError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Refuses a state-changing request that does not come from a console page. The browser sends basic
 * credentials to this origin whoever built the form, so a POST must prove where it came from:
 * `Origin` (or, where a browser omits it, `Referer`) must be this origin or one configured, and
 * `Sec-Fetch-Site`, when sent, must not say another site. No proof at all is a refusal too.
 */
export function sameOriginOnly(extraOrigins: readonly string[]): MiddlewareHandler<ConsoleEnv> {
  const extra = new Set(extraOrigins.map((o) => originOf(o) ?? o));
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) {
      await next();
      return;
    }
    const own = originOf(c.req.url);
    const allowed = (origin: string | null) => origin !== null && (origin === own || extra.has(origin));
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      throw new ConsoleError(403, 'Cross-origin request refused', `The browser says this request came from another site (Sec-Fetch-Site: ${fetchSite}); nothing was changed.`);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      if (!allowed(origin)) throw new ConsoleError(403, 'Cross-origin request refused', `A form on ${origin} may not change anything here; nothing was changed.`);
    } else {
      const referer = c.req.header('referer');
      if (referer === undefined) {
        throw new ConsoleError(403, 'Cross-origin request refused', 'The request carries neither Origin nor Referer, so its source cannot be checked; nothing was changed.');
      }
      if (!allowed(originOf(referer))) throw new ConsoleError(403, 'Cross-origin request refused', 'The request was sent from a page of another origin; nothing was changed.');
    }
    await next();
  };
}
