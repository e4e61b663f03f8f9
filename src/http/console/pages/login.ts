import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { clearCookieHeader, cookieHeader, createSession, readCookie, SESSION_COOKIE, verifySession } from '../../../access/credentials/sessions.ts';
import { readStreamCapped } from '../../read-body.ts';
import { cookieIsSecure, LOGIN_PATH, signInRequest, SIGN_IN_FAILED, SIGN_IN_LIMITED } from '../auth.ts';
import { sameOriginOnly } from '../csrf.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { h } from '../html.ts';
import { CONTENT_SECURITY_POLICY, page } from '../layout.ts';

/** An e-mail (≤ 320) and a password (≤ 1024 characters), percent-encoded at worst: well under this. */
const LOGIN_BODY_LIMIT = 16_384;

type LoginForm = { ok: true; email: string; password: string } | { ok: false; status: 400 | 413 | 415; message: string };

/**
 * Reads the sign-in form: `application/x-www-form-urlencoded` with exactly `email` and `password`.
 * The password is taken as typed (never trimmed: spaces may be part of it); the e-mail is trimmed.
 */
async function readLoginForm(c: Context<ConsoleEnv>): Promise<LoginForm> {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return { ok: false, status: 415, message: 'The sign-in form is posted as application/x-www-form-urlencoded.' };
  if (Number(c.req.header('content-length') ?? '0') > LOGIN_BODY_LIMIT) return { ok: false, status: 413, message: 'The sign-in form is too large.' };
  // A fetch body stream yields bytes; @types/node types Request.body loosely.
  const raw = await readStreamCapped(c.req.raw.body as ReadableStream<Uint8Array> | null, LOGIN_BODY_LIMIT);
  if (raw === null) return { ok: false, status: 413, message: 'The sign-in form is too large.' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, status: 400, message: 'The sign-in form is not valid UTF-8.' };
  }
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if ((key !== 'email' && key !== 'password') || fields.has(key)) return { ok: false, status: 400, message: 'The sign-in form takes one e-mail address and one password.' };
    fields.set(key, value);
  }
  const email = fields.get('email')?.trim() ?? '';
  const password = fields.get('password') ?? '';
  if (email === '' || password === '') return { ok: false, status: 400, message: 'Enter your e-mail address and your password.' };
  return { ok: true, email, password };
}

/** The form, with a refusal above it when there is one; the e-mail typed is kept, the password never. */
function loginPage(c: Context<ConsoleEnv>, status: ContentfulStatusCode, message: string | null, email = ''): Response {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('Referrer-Policy', 'same-origin');
  const body = h`${message === null ? null : h`<div class="banner refused" role="alert"><strong>${message}</strong></div>`}
<form class="filters" method="post" action="${LOGIN_PATH}">
<label>e-mail address<input type="email" name="email" value="${email}" autocomplete="username" maxlength="320" required autofocus></label>
<label>password<input type="password" name="password" autocomplete="current-password" maxlength="1024" required></label>
<button type="submit">Sign in</button>
</form>
<p class="muted">The console is for ops users. An ops admin adds one with <code>crosswalk users create --email … --role … --password-stdin</code>.</p>`;
  return c.html(page({ title: 'Sign in', section: 'none', body }).value, status);
}

/**
 * `/console/login` and `/console/logout`: the ops users' sign-in form, the cookie session it makes,
 * and signing out. Registered before the console's sign-in check, so they answer without a session;
 * both POSTs must come from this origin (a forged sign-in would put the victim in the attacker's
 * account; a forged sign-out is a nuisance).
 */
export function registerLogin(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, signIn, now } = deps;
  const sameOrigin = sameOriginOnly(deps.origins);

  app.get('/login', async (c) => {
    // Already signed in: straight to the console. (A failed cookie is audited by `session`.)
    const session = readCookie(c.req.header('cookie'), SESSION_COOKIE) === null ? null : await signIn.session(c.req.header('cookie'), signInRequest(c));
    if (session?.ok === true) return c.redirect('/console', 303);
    if (session !== null) c.header('Set-Cookie', clearCookieHeader({ secure: cookieIsSecure(c) }));
    return loginPage(c, 200, null);
  });

  app.post('/login', sameOrigin, async (c) => {
    const req = signInRequest(c);
    const form = await readLoginForm(c);
    if (!form.ok) {
      await signIn.audit({ outcome: 'failure', reason: `malformed sign-in form: ${form.message}`, user: null, credential: 'form', req, at: now() });
      return loginPage(c, form.status, form.message);
    }
    const result = await signIn.password(form.email, form.password, 'form', req);
    if (!result.ok) {
      if (result.status === 429) c.header('Retry-After', '900');
      return loginPage(c, result.status, result.status === 429 ? SIGN_IN_LIMITED : SIGN_IN_FAILED, form.email);
    }
    const user = result.user;
    const at = now();
    const { token, row } = await store.unitOfWork(async (tx) => {
      const created = await createSession(tx, { kind: 'cookie', principalKind: 'user', principalId: user.id, onBehalfOf: null, readOnly: false, ip: req.ip, userAgent: req.userAgent }, at);
      await signIn.audit({ outcome: 'success', reason: `role ${user.role}`, user, credential: `session:${created.row.id}`, req, at });
      return created;
    });
    c.header('Set-Cookie', cookieHeader(token, { secure: cookieIsSecure(c), maxAgeSeconds: (Date.parse(row.expiresAt) - Date.parse(at)) / 1000 }));
    return c.redirect('/console', 303);
  });

  app.post('/logout', sameOrigin, async (c) => {
    const token = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    if (token !== null) {
      const at = now();
      const check = await verifySession(store.repos, token, at);
      if (check.ok && check.row.principalKind === 'user') {
        const { row } = check;
        const user = await store.repos.access.userById(row.principalId);
        await store.unitOfWork(async (tx) => {
          await tx.access.revokeSession(row.id, at);
          await signIn.audit({ action: 'session.sign_out', outcome: 'success', reason: null, user, credential: `session:${row.id}`, req: signInRequest(c), at });
        });
      }
    }
    c.header('Set-Cookie', clearCookieHeader({ secure: cookieIsSecure(c) }));
    return c.redirect(LOGIN_PATH, 303);
  });
}
