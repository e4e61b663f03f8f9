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

/** What the origin check reads of a request. */
export interface OriginEvidence {
  readonly method: string;
  readonly url: string;
  header(name: string): string | undefined;
}

/** Why a request was refused as cross-origin: a title and a sentence for the person who sent it. */
export interface OriginRefusal {
  readonly title: string;
  readonly message: string;
}

/** The allowed origins besides the request's own, normalised (`https://ops.example.test/` → its origin). */
export function allowedOrigins(extraOrigins: readonly string[]): ReadonlySet<string> {
  return new Set(extraOrigins.map((o) => originOf(o) ?? o));
}

/**
 * Whether a state-changing request comes from one of our pages; null when it may go on. The
 * browser sends basic credentials and cookies to this origin whoever built the form, so a POST must
 * prove where it came from: `Origin` (or, where a browser omits it, `Referer`) must be this origin
 * or one configured, and `Sec-Fetch-Site`, when sent, must not say another site. No proof at all is
 * a refusal too. Safe methods (GET, HEAD, OPTIONS) are never refused. Shared by the console and
 * Bull Board.
 */
export function crossOriginRefusal(req: OriginEvidence, extra: ReadonlySet<string>): OriginRefusal | null {
  if (SAFE_METHODS.has(req.method)) return null;
  const title = 'Cross-origin request refused';
  const own = originOf(req.url);
  const allowed = (origin: string | null) => origin !== null && (origin === own || extra.has(origin));
  const fetchSite = req.header('sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return { title, message: `The browser says this request came from another site (Sec-Fetch-Site: ${fetchSite}); nothing was changed.` };
  }
  const origin = req.header('origin');
  if (origin !== undefined) {
    return allowed(origin) ? null : { title, message: `A form on ${origin} may not change anything here; nothing was changed.` };
  }
  const referer = req.header('referer');
  if (referer === undefined) {
    return { title, message: 'The request carries neither Origin nor Referer, so its source cannot be checked; nothing was changed.' };
  }
  return allowed(originOf(referer)) ? null : { title, message: 'The request was sent from a page of another origin; nothing was changed.' };
}

/** The console's CSRF defence: `crossOriginRefusal` as middleware, refusing with a 403 page. */
export function sameOriginOnly(extraOrigins: readonly string[]): MiddlewareHandler<ConsoleEnv> {
  const extra = allowedOrigins(extraOrigins);
  return async (c, next) => {
    const refusal = crossOriginRefusal({ method: c.req.method, url: c.req.url, header: (name) => c.req.header(name) }, extra);
    if (refusal !== null) throw new ConsoleError(403, refusal.title, refusal.message);
    await next();
  };
}
