import type { Context, MiddlewareHandler } from 'hono';
import { authFailureAudit, createAuthenticator, type Authenticator } from '../../access/authenticate.ts';
import { verifyPassword } from '../../access/credentials/passwords.ts';
import { createSignInLimiters, type SignInLimiters } from '../../access/credentials/rate-limit.ts';
import { sha256Hex } from '../../access/credentials/secret.ts';
import { clearCookieHeader, isLoopbackHost } from '../../access/credentials/sessions.ts';
import { newId } from '../../lib/ids.ts';
import { nowIso } from '../../lib/time.ts';
import { loadAccess } from '../../access/policy.ts';
import type { AuditEvent, Store, UserRole, UserRow } from '../../store/index.ts';
import { clientIp } from '../audit.ts';
import type { ConsoleEnv, ConsoleSignedIn } from './deps.ts';
import { ConsoleError } from './errors.ts';
import { h } from './html.ts';
import { CONTENT_SECURITY_POLICY, page } from './layout.ts';

/**
 * Who may use the console and Bull Board: named ops users (`crosswalk users create`), never a
 * shared token. Three ways in, each checked against the user's row on every request so that
 * disabling a user takes effect at once:
 * - a cookie session made by the sign-in form (`/console/login`);
 * - `Authorization: Basic base64(email:password)`, for scripts (rate limited like the form);
 * - nothing else: no session and no Basic header sends a browser to the form.
 */

/** Where the sign-in form lives. */
export const LOGIN_PATH = '/console/login';

/** Roles that may change something through the console (resolve conflicts, replay pushes); every internal role reads. */
export const CONSOLE_WRITE_ROLES: ReadonlySet<UserRole> = new Set(['ops_admin', 'coordinator']);

/** What a sign-in knows of the request, for the audit and the per-IP limit. */
export interface SignInRequest {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

export type SignInResult =
  | { readonly ok: true; readonly user: UserRow }
  /** 401: wrong e-mail, password or account (the reason is for the audit, never shown); 429: rate limited. */
  | { readonly ok: false; readonly status: 401 | 429; readonly reason: string };

export type SessionResult =
  | { readonly ok: true; readonly user: ConsoleSignedIn; readonly sessionId: string }
  | { readonly ok: false; readonly reason: string };

export interface OpsSignInOptions {
  readonly store: Store;
  /** @defaultValue nowIso */
  readonly now?: () => string;
  /** @defaultValue createSignInLimiters(): 10 failures per e-mail and per IP in 15 minutes */
  readonly limiters?: SignInLimiters;
  /**
   * How long a verified Basic credential is remembered, so a script or Bull Board's polling does not
   * pay a scrypt and write a sign-in audit row on every request. The user's row is still read on
   * every request: a disabled user or a changed password ends it at once.
   * @defaultValue 300000 (5 minutes)
   */
  readonly basicCacheMs?: number;
}

/** `Authorization: Basic base64(user:password)`; null when absent or malformed. */
export function parseBasic(header: string | undefined): { readonly user: string; readonly password: string } | null {
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

/** The request facts a sign-in records: the socket's address (never a forwarded header), agent, request id. */
export function signInRequest(c: Context): SignInRequest {
  const requestId: unknown = c.get('requestId');
  return { ip: clientIp(c), userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null, requestId: typeof requestId === 'string' ? requestId : null };
}

/** Whether the session cookie may go without `Secure`: only when the request is for a loopback host. */
export function cookieIsSecure(c: Context): boolean {
  return !isLoopbackHost(new URL(c.req.url).host);
}

const MAX_EMAIL = 320;
const BASIC_CACHE_MAX = 1000;

/**
 * Password sign-in of ops users, shared by the console's form, its Basic header and Bull Board:
 * rate limits (checked before the password, charged on failure, the e-mail's cleared on success),
 * the constant-cost check (an unknown address costs a scrypt too), and an audit row for every
 * attempt (`session.sign_in`, success or failure with the reason).
 */
export class OpsSignIn {
  readonly limiters: SignInLimiters;
  private readonly store: Store;
  private readonly now: () => string;
  private readonly authenticator: Authenticator;
  private readonly basicCacheMs: number;
  /** SHA-256 of a Basic header → who it proved and until when (and the hash it was checked against). */
  private readonly basicCache = new Map<string, { userId: string; passwordHash: string; until: number }>();

  constructor(options: OpsSignInOptions) {
    this.store = options.store;
    this.now = options.now ?? nowIso;
    this.limiters = options.limiters ?? createSignInLimiters();
    this.basicCacheMs = options.basicCacheMs ?? 300_000;
    // Only its cookie path is used here: sessions, their expiry, and offboarding of a disabled user.
    this.authenticator = createAuthenticator({ store: this.store, now: this.now, adminToken: null });
  }

  /**
   * Whether a signed-in user sees every client: the console shows every client's sync data (ledger,
   * conflicts, runs, outbox), so a user granted only some clients may not use it.
   */
  async seesEveryClient(user: { id: string; role: UserRole; email: string }): Promise<boolean> {
    const access = await loadAccess(this.store.repos, {
      kind: 'user', id: user.id, role: user.role, email: user.email, credential: { type: 'session', id: 'console' }, readOnly: false, limits: null,
    }, this.now());
    return access.everything;
  }

  /** Checks an e-mail and password. Writes the audit row of a failure; the caller writes the success's (it knows the credential). */
  async password(emailInput: string, password: string, via: 'form' | 'basic', req: SignInRequest): Promise<SignInResult> {
    const at = this.now();
    const email = emailInput.trim().toLowerCase();
    const ipKey = req.ip ?? 'unknown';
    const { perEmail, perIp } = this.limiters;
    if (!perEmail.check(email, at) || !perIp.check(ipKey, at)) {
      const reason = perEmail.check(email, at) ? 'rate limited: too many failed sign-ins from this IP' : 'rate limited: too many failed sign-ins for this e-mail';
      await this.audit({ outcome: 'failure', reason, user: null, credential: via, req, at });
      return { ok: false, status: 429, reason };
    }
    const user = email !== '' && email.length <= MAX_EMAIL ? await this.store.repos.access.userByEmail(email) : null;
    // Always a full scrypt, against a dummy hash when there is no usable one: timing tells nothing.
    const matches = await verifyPassword(password, user?.passwordHash ?? null);
    let reason: string | null = null;
    if (user === null) reason = 'unknown e-mail address';
    else if (user.passwordHash === null) reason = 'the user has no password (OIDC sign-in only)';
    else if (!matches) reason = 'wrong password';
    else if (user.status !== 'active') reason = 'account disabled';
    if (reason !== null || user === null) {
      perEmail.take(email, at);
      perIp.take(ipKey, at);
      const why = reason ?? 'unknown e-mail address';
      await this.audit({ outcome: 'failure', reason: why, user, credential: via, req, at });
      return { ok: false, status: 401, reason: why };
    }
    perEmail.reset(email);
    return { ok: true, user };
  }

  /**
   * `Authorization: Basic base64(email:password)`: null when the header is not Basic at all. A
   * verified credential is remembered for a few minutes (see `basicCacheMs`); a fresh check writes
   * a `session.sign_in` row with credential `basic`.
   */
  async basic(header: string, req: SignInRequest): Promise<SignInResult | null> {
    const credentials = parseBasic(header);
    if (credentials === null) return null;
    const key = sha256Hex(header.trim());
    const at = this.now();
    const atMs = Date.parse(at);
    const cached = this.basicCache.get(key);
    if (cached !== undefined) {
      this.basicCache.delete(key);
      const user = cached.until > atMs ? await this.store.repos.access.userById(cached.userId) : null;
      if (user !== null && user.status === 'active' && user.passwordHash === cached.passwordHash) {
        this.basicCache.set(key, cached);
        return { ok: true, user };
      }
    }
    const result = await this.password(credentials.user, credentials.password, 'basic', req);
    if (result.ok && result.user.passwordHash !== null) {
      this.basicCache.set(key, { userId: result.user.id, passwordHash: result.user.passwordHash, until: atMs + this.basicCacheMs });
      while (this.basicCache.size > BASIC_CACHE_MAX) {
        const oldest = this.basicCache.keys().next();
        if (oldest.done === true) break;
        this.basicCache.delete(oldest.value);
      }
      await this.audit({ outcome: 'success', reason: null, user: result.user, credential: 'basic', req, at });
    }
    return result;
  }

  /**
   * The ops user of a `cw_session` cookie; null when the request has none. A session that fails
   * (expired, revoked, of a disabled user — whose credentials are then all revoked — or of a
   * contact) is a failure with an `auth.session` audit row.
   */
  async session(cookie: string | undefined, req: SignInRequest): Promise<SessionResult | null> {
    const result = await this.authenticator.authenticate({ authorization: undefined, cookie, ip: req.ip, userAgent: req.userAgent });
    if (result.ok === 'anonymous') return null;
    const context = { at: this.now(), ip: req.ip, userAgent: req.userAgent, requestId: req.requestId };
    if (result.ok === false) {
      await this.store.repos.audit.append([authFailureAudit(result, context)]);
      return { ok: false, reason: result.reason };
    }
    const p = result.principal;
    if (p.kind !== 'user' || p.credential.type !== 'session') {
      const reason = 'a contact session does not open the console';
      await this.store.repos.audit.append([authFailureAudit(
        { ok: false, status: 401, reason, method: 'session', credentialId: p.credential.type === 'session' ? p.credential.id : null, subject: p.kind === 'contact' ? { kind: 'contact', id: p.id } : null },
        context,
      )]);
      return { ok: false, reason };
    }
    const sessionId = p.credential.id;
    return { ok: true, sessionId, user: { id: p.id, email: p.email, role: p.role, credential: `session:${sessionId}` } };
  }

  /** A `session.sign_in` row (or `session.sign_out`): actor the user when known, target the user. */
  async audit(input: { outcome: 'success' | 'failure'; reason: string | null; user: UserRow | null; credential: string; req: SignInRequest; at: string; action?: string }): Promise<void> {
    const event: AuditEvent = {
      id: newId(), at: input.at,
      actorType: input.user === null ? 'anonymous' : 'user', actorId: input.user?.id ?? null, onBehalfOf: null,
      action: input.action ?? 'session.sign_in', targetType: input.user === null ? null : 'user', targetId: input.user?.id ?? null,
      outcome: input.outcome, reason: input.reason, credential: input.credential,
      ip: input.req.ip, userAgent: input.req.userAgent, requestId: input.req.requestId,
    };
    await this.store.repos.audit.append([event]);
  }
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** A 401 page; with a Basic challenge only when the caller tried Basic (a challenge makes a browser pop up its own box). */
function refusePage(c: Context<ConsoleEnv>, status: 401 | 403 | 429, message: string, challenge: boolean): Response {
  if (challenge) c.header('WWW-Authenticate', 'Basic realm="crosswalk console", charset="UTF-8"');
  if (status === 429) c.header('Retry-After', '900');
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  const body = h`<div class="banner refused" role="alert"><strong>${message}</strong></div><p><a href="${LOGIN_PATH}">Sign in</a></p>`;
  return c.html(page({ title: status === 429 ? 'Too many attempts' : 'Sign-in required', section: 'none', body }).value, status);
}

/** The generic answer to a failed password: it never says which of e-mail, password or account was wrong. */
export const SIGN_IN_FAILED = 'Sign-in failed: the e-mail address or password is not right, or the account is disabled.';
export const SIGN_IN_LIMITED = 'Too many failed sign-ins for this address or from this network; wait 15 minutes and try again.';

/**
 * Every console page (but the sign-in form) needs an ops user: a valid session cookie, or a Basic
 * header of an active user. Without one, a browser's GET goes to the form (303), anything else is a
 * 401. Sets `consoleUser` (the e-mail, shown) and `consoleSignedIn` (the actor and its role).
 */
export function consoleAuth(signIn: OpsSignIn): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const req = signInRequest(c);
    const header = c.req.header('authorization');
    let signedIn: ConsoleSignedIn;
    if (header !== undefined && header.trim() !== '') {
      const result = await signIn.basic(header, req);
      if (result === null) return refusePage(c, 401, 'Sign in at /console/login, or send Authorization: Basic with your e-mail address and password.', true);
      if (!result.ok) return refusePage(c, result.status, result.status === 429 ? SIGN_IN_LIMITED : SIGN_IN_FAILED, result.status === 401);
      signedIn = { id: result.user.id, email: result.user.email, role: result.user.role, credential: 'basic' };
    } else {
      const session = await signIn.session(c.req.header('cookie'), req);
      if (session === null || !session.ok) {
        // A cookie that no longer works is removed, so the browser stops sending it.
        if (session !== null) c.header('Set-Cookie', clearCookieHeader({ secure: cookieIsSecure(c) }));
        if (SAFE_METHODS.has(c.req.method)) return c.redirect(LOGIN_PATH, 303);
        return refusePage(c, 401, session === null ? 'Sign in first; nothing was changed.' : 'Your session has ended; sign in again. Nothing was changed.', false);
      }
      signedIn = session.user;
    }
    if (!(await signIn.seesEveryClient(signedIn))) {
      return refusePage(c, 403, 'The console shows every client’s sync data, and your access is limited to the clients granted to you. Ask an ops admin for a grant on every client.', false);
    }
    c.set('consoleUser', signedIn.email);
    c.set('consoleSignedIn', signedIn);
    await next();
    return undefined;
  };
}

/** Changes (any method but GET/HEAD/OPTIONS) need ops_admin or coordinator; a viewer, recruiter or billing user only reads. */
export function requireWriteRole(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && c.req.method !== 'OPTIONS') {
      const { role } = c.get('consoleSignedIn');
      if (!CONSOLE_WRITE_ROLES.has(role)) {
        throw new ConsoleError(403, 'Not allowed', `Your role (${role}) may read the console; resolving conflicts and replaying pushes takes ops_admin or coordinator. Nothing was changed.`);
      }
    }
    await next();
  };
}
