import type { Context, MiddlewareHandler } from 'hono';
import { tokenMatches } from '../auth.ts';
import type { ConsoleEnv } from './deps.ts';
import { h } from './html.ts';
import { CONTENT_SECURITY_POLICY, page } from './layout.ts';

/**
 * The user name is the audit identity (`console:<user>` in the ledger): letters, digits and
 * `. _ @ + -`, so it reads cleanly in the ledger and cannot smuggle control characters into it.
 */
const USER_NAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;

interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** `Authorization: Basic base64(user:password)`; null when absent or malformed. */
export function parseBasic(header: string | undefined): Credentials | null {
  if (header === undefined) return null;
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match?.[1]) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match[1], 'base64'));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon).trim(), password: decoded.slice(colon + 1) };
}

function refuse(c: Context<ConsoleEnv>, message: string): Response {
  c.header('WWW-Authenticate', 'Basic realm="crosswalk console", charset="UTF-8"');
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  const body = h`<div class="banner refused" role="alert"><strong>${message}</strong></div>`;
  return c.html(page({ title: 'Sign in required', section: 'none', body }).value, 401);
}

/**
 * HTTP basic auth with the admin token as the password, like Bull Board. With no token configured
 * the console is closed, not open: every request answers 401 and says which variable to set.
 */
export function consoleAuth(adminToken: string | null): MiddlewareHandler<ConsoleEnv> {
  const expected = adminToken === null || adminToken === '' ? null : adminToken;
  return async (c, next) => {
    if (expected === null) return refuse(c, 'The console is disabled: CROSSWALK_ADMIN_TOKEN is unset on the server.');
    const credentials = parseBasic(c.req.header('authorization'));
    if (credentials === null) return refuse(c, 'Sign in with your name as the user name and the admin token as the password.');
    if (!tokenMatches(credentials.password, expected)) return refuse(c, 'The password is not the admin token.');
    if (!USER_NAME.test(credentials.user)) {
      return refuse(c, 'Sign in with a user name of 1 to 64 letters, digits or . _ @ + - (it is recorded as who acted).');
    }
    c.set('consoleUser', credentials.user);
    await next();
    return undefined;
  };
}
