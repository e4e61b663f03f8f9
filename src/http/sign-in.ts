import type { Hono } from 'hono';
import { z } from 'zod';
import { consumeMagicLink, requestMagicLink } from '../access/credentials/magic-links.ts';
import { createMagicLinkLimiters } from '../access/credentials/rate-limit.ts';
import { clearCookieHeader, cookieHeader, createSession, isLoopbackHost, readCookie, SESSION_COOKIE, SESSION_DEFAULTS, verifySession } from '../access/credentials/sessions.ts';
import { fromThisOrigin } from './origin.ts';
import { readStreamCapped } from './read-body.ts';
import { clientIp, writeAudit } from './audit.ts';
import type { ResolvedDeps } from './deps.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import type { RouteRegistrar } from './route.ts';

const MagicLinkBody = z.strictObject({ email: z.string().trim().min(3).max(320) });
const Accepted = z.strictObject({ message: z.string() });

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Crosswalk</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem"><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

/** The sign-in form holds one token: anything near this size is not one. */
const FORM_LIMIT = 4096;


const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * Magic-link sign-in for contacts without an identity provider:
 * - `POST /api/v1/auth/magic-link {email}` always answers 202 with the same text, whether the address
 *   exists or not, and mails a single-use link valid 15 minutes (rate limited per address and IP);
 * - `GET /auth/magic-link?token=…` only shows a confirmation page (mail scanners prefetch links: a GET
 *   never signs anyone in);
 * - `POST /auth/magic-link` (form field `token`) consumes the link and sets the session cookie;
 * - `POST /auth/logout` revokes the session and clears the cookie.
 */
export function mountSignIn(app: Hono<AppEnv>, api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  const limiter = createMagicLinkLimiters();

  api.route({
    method: 'post',
    path: '/api/v1/auth/magic-link',
    operationId: 'requestMagicLink',
    summary: 'Mail a single-use sign-in link to a contact (same answer whether or not the address exists)',
    tag: 'auth',
    access: 'public',
    audit: false,
    body: MagicLinkBody,
    errors: ['not_implemented'],
    responses: { 202: { description: 'the same answer for every address', schema: Accepted } },
    handler: async ({ body }, c) => {
      const mailer = deps.mailer;
      if (mailer === undefined) throw new ApiError('not_implemented', 'magic-link sign-in is not configured on this server (no mailer)');
      // The link points at the configured public URL, never at whatever Host the request named (a
      // forged Host would mail the victim a link to the attacker). Without one, only a loopback
      // server (the demo, a developer's machine) uses its own origin.
      const own = new URL(c.req.url);
      const origin = deps.publicUrl ?? (isLoopbackHost(own.hostname) ? own.origin : null);
      if (origin === null) throw new ApiError('not_implemented', 'magic-link sign-in needs CROSSWALK_PUBLIC_URL (the portal origin links point at)');
      const result = await requestMagicLink({ store, mailer, now: now(), ip: clientIp(c), email: body.email, baseUrl: origin, limiter });
      // The outcome is for the audit (ops only), never for the caller.
      await writeAudit(store, c, {
        principal: null, requestId: c.get('requestId') ?? null, action: 'session.magic_link_request', targetType: 'contact', targetId: result.contactId,
        outcome: result.outcome === 'sent' ? 'success' : 'failure', reason: result.outcome === 'limited' ? `rate limited per ${String(result.limitedBy)}` : result.outcome,
      }, now());
      void result.delivery.then((d) => {
        if (!d.ok) deps.log.warn({ error: d.error }, 'magic-link mail not delivered');
      });
      return c.json({ message: result.response.message }, 202);
    },
  });

  app.get('/auth/magic-link', (c) => {
    const token = c.req.query('token') ?? '';
    if (token === '' || token.length > 200) {
      return c.html(page('Sign-in link not valid', '<p>This link is incomplete. Ask for a new one.</p>'), 400, PAGE_HEADERS);
    }
    const body = `<p>Continue to sign in to the client portal.</p>
<form method="post" action="/auth/magic-link"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Sign in</button></form>`;
    return c.html(page('Sign in', body), 200, PAGE_HEADERS);
  });

  app.post('/auth/magic-link', async (c) => {
    // The confirmation page posts from this origin; a form on another site must not sign a victim
    // in to someone else's account (login CSRF).
    if (!fromThisOrigin(c.req.url, c.req.header('origin'), c.req.header('sec-fetch-site'))) {
      return c.html(page('Sign-in refused', '<p>This sign-in did not come from the sign-in page. Open the link from your e-mail again.</p>'), 403, PAGE_HEADERS);
    }
    const raw = await readStreamCapped(c.req.raw.body, FORM_LIMIT);
    if (raw === null) return c.html(page('Sign-in refused', '<p>The request is too large.</p>'), 413, PAGE_HEADERS);
    const token = new URLSearchParams(raw.toString('utf8')).get('token') ?? '';
    const at = now();
    const outcome = await store.unitOfWork(async (tx) => {
      const consumed = await consumeMagicLink(tx, token, at);
      if (!consumed.ok) return consumed;
      const session = await createSession(tx, {
        kind: 'cookie', principalKind: 'contact', principalId: consumed.contactId, onBehalfOf: null, readOnly: false,
        ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null,
      }, at);
      return { ok: true as const, contactId: consumed.contactId, token: session.token, sessionId: session.row.id };
    });
    if (!outcome.ok) {
      await writeAudit(store, c, {
        principal: null, requestId: c.get('requestId') ?? null, action: 'session.sign_in', targetType: 'contact', targetId: outcome.contactId,
        outcome: 'failure', reason: `magic link: ${outcome.reason}`,
      }, at);
      return c.html(page('Sign-in link not valid', `<p>${escape(outcome.reason)}. Ask for a new link.</p>`), 401, PAGE_HEADERS);
    }
    await writeAudit(store, c, {
      principal: null, requestId: c.get('requestId') ?? null, action: 'session.sign_in', targetType: 'contact', targetId: outcome.contactId,
      outcome: 'success', reason: `magic link; session ${outcome.sessionId}`,
    }, at);
    const secure = !isLoopbackHost(new URL(c.req.url).hostname);
    c.header('Set-Cookie', cookieHeader(outcome.token, { secure, maxAgeSeconds: SESSION_DEFAULTS.cookie.absoluteMinutes * 60 }));
    return c.html(page('Signed in', '<p>You are signed in. You can close this page and return to the portal.</p>'), 200, PAGE_HEADERS);
  });

  app.post('/auth/logout', async (c) => {
    if (!fromThisOrigin(c.req.url, c.req.header('origin'), c.req.header('sec-fetch-site'))) throw new ApiError('forbidden', 'sign out from this origin');
    // Only the holder of the whole session token signs it out (a session id alone is not secret).
    const token = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    const checked = token === null ? null : await verifySession(store.repos, token, now());
    if (checked?.ok === true) {
      const id = checked.row.id;
      await store.unitOfWork(async (tx) => tx.access.revokeSession(id, now()));
    }
    const secure = !isLoopbackHost(new URL(c.req.url).hostname);
    c.header('Set-Cookie', clearCookieHeader({ secure }));
    return c.json({ message: 'signed out' });
  });

}
