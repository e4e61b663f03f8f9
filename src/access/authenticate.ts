import { nowIso } from '../lib/time.ts';
import type { ApiKeyRow, AuditEvent, CanonicalRow, SessionRow, Store, SubjectKind, UserRow } from '../store/index.ts';
import { newId } from '../lib/ids.ts';
import { API_KEY_PREFIX, verifyApiKey } from './credentials/api-keys.ts';
import type { JwtVerifier } from './credentials/jwt.ts';
import { secretsEqual } from './credentials/secret.ts';
import { readCookie, SESSION_COOKIE, VIEW_AS_PREFIX, verifySession } from './credentials/sessions.ts';
import type { ContactPrincipal, Credential, Principal, UserPrincipal } from './principal.ts';

/**
 * Resolves the one principal behind a request from its credential — never from a body. Order: an
 * `Authorization` header, when present, decides alone (API key, view-as token, JWT, admin token);
 * otherwise the `cw_session` cookie; otherwise the caller is anonymous.
 *
 * Offboarding: whenever the person behind a credential turns out inactive, disabled or deleted,
 * every credential they hold is revoked (sessions, keys, pending magic links) before answering 401
 * `account disabled`, so a deactivation synced from a vendor takes effect on the very next request.
 */

/** How the caller tried to authenticate; for the audit of a refusal. */
export type AuthMethod = 'api_key' | 'view_as' | 'jwt' | 'admin_token' | 'session' | 'header';

export type AuthResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      status: 401;
      reason: string;
      method: AuthMethod;
      /** The credential's id when one was identified (a key id, a session id): never a secret. */
      credentialId: string | null;
      /** The person the credential belongs to, when known (a disabled contact, say). */
      subject: { kind: SubjectKind; id: string } | null;
    }
  | { ok: 'anonymous' };

export interface AuthRequest {
  /** The `Authorization` header, as received. */
  authorization: string | undefined;
  /** The `Cookie` header, as received. */
  cookie: string | undefined;
  ip: string | null;
  userAgent: string | null;
}

export interface AuthenticatorOptions {
  store: Store;
  /** @defaultValue nowIso */
  now?: () => string;
  /** CROSSWALK_ADMIN_TOKEN: accepted only to bootstrap the first user, and only when ≥ 32 characters. */
  adminToken: string | null;
  /** OIDC bearer tokens; absent, a JWT-shaped bearer is refused with a reason saying so. */
  jwt?: JwtVerifier;
  /** Cookie-session idle limit. @defaultValue { idleMinutes: 30 } */
  sessionOptions?: { idleMinutes?: number };
}

export interface Authenticator {
  authenticate(req: AuthRequest): Promise<AuthResult>;
}

/** The admin token must be at least this long to be accepted at all. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;
const MAX_HEADER = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type Fail = Extract<AuthResult, { ok: false }>;

const fail = (method: AuthMethod, reason: string, credentialId: string | null = null, subject: Fail['subject'] = null): Fail => ({
  ok: false, status: 401, reason, method, credentialId, subject,
});

const ACCOUNT_DISABLED = 'account disabled';

const isActiveContact = (row: CanonicalRow | null): row is CanonicalRow =>
  row !== null && row.deletedAt === null && row.fields['status'] === 'active';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store } = options;
  const now = options.now ?? nowIso;
  const idleMinutes = options.sessionOptions?.idleMinutes;
  const sessionLimits = idleMinutes === undefined ? {} : { idleMinutes };
  const admin = options.adminToken === null || options.adminToken === '' ? null : options.adminToken;
  const repos = store.repos;

  /** Offboarding: revoke everything the person holds, then refuse. */
  async function offboard(method: AuthMethod, credentialId: string | null, kind: SubjectKind, id: string, at: string): Promise<Fail> {
    await store.unitOfWork(async (tx) => {
      await tx.access.revokeAllFor(kind, id, at);
    });
    return fail(method, ACCOUNT_DISABLED, credentialId, { kind, id });
  }

  function contactPrincipal(row: CanonicalRow, credential: Credential, extra: Pick<ContactPrincipal, 'onBehalfOf' | 'readOnly' | 'limits'>): ContactPrincipal | null {
    const clientId = str(row.fields['clientId']);
    if (clientId === null) return null;
    const email = str(row.fields['email']);
    return { kind: 'contact', id: row.id, clientId, email: email === null ? null : email.toLowerCase(), credential, ...extra };
  }

  const userPrincipal = (user: UserRow, credential: Credential, limits: UserPrincipal['limits']): UserPrincipal => ({
    kind: 'user', id: user.id, role: user.role, email: user.email, credential, readOnly: false, limits,
  });

  async function viaApiKey(token: string, at: string): Promise<AuthResult> {
    const check = await verifyApiKey(repos, token, at);
    if (!check.ok) return fail('api_key', check.reason, idOfKey(token));
    const key: ApiKeyRow = check.row;
    const credential: Credential = { type: 'api_key', id: key.id };
    const limits = { scopes: key.scopes, clientId: key.clientId, worksiteId: key.worksiteId, expiresAt: key.expiresAt };
    let principal: Principal;
    if (key.ownerKind === 'service') {
      if (key.role === null) return fail('api_key', 'service key has no role', key.id);
      principal = { kind: 'service', id: key.id, role: key.role, name: key.name, credential, readOnly: false, limits };
    } else if (key.ownerId === null) {
      return fail('api_key', 'API key has no owner', key.id);
    } else if (key.ownerKind === 'contact') {
      const contact = await repos.canonical.get('contact', key.ownerId);
      if (!isActiveContact(contact)) return offboard('api_key', key.id, 'contact', key.ownerId, at);
      const p = contactPrincipal(contact, credential, { onBehalfOf: null, readOnly: false, limits });
      if (p === null) return fail('api_key', 'the key owner has no client', key.id, { kind: 'contact', id: key.ownerId });
      principal = p;
    } else {
      const user = await repos.access.userById(key.ownerId);
      if (user === null || user.status !== 'active') return offboard('api_key', key.id, 'user', key.ownerId, at);
      principal = userPrincipal(user, credential, limits);
    }
    await repos.access.touchKey(key, at);
    return { ok: true, principal };
  }

  /** Cookie sessions (contact or user) and view-as tokens (a contact, read-only, with the ops user behind it). */
  async function viaSession(token: string, method: 'session' | 'view_as', at: string): Promise<AuthResult> {
    const check = await verifySession(repos, token, at, sessionLimits);
    if (!check.ok) return fail(method, check.reason);
    const row: SessionRow = check.row;
    if ((method === 'view_as') !== (row.kind === 'view_as')) return fail(method, 'unknown session', row.id);
    const credential: Credential = method === 'view_as' ? { type: 'view_as', id: row.id } : { type: 'session', id: row.id };
    if (row.onBehalfOf !== null) {
      const ops = await repos.access.userById(row.onBehalfOf);
      if (ops === null || ops.status !== 'active') return offboard(method, row.id, 'user', row.onBehalfOf, at);
    }
    if (row.principalKind === 'user') {
      const user = await repos.access.userById(row.principalId);
      if (user === null || user.status !== 'active') return offboard(method, row.id, 'user', row.principalId, at);
      return { ok: true, principal: { ...userPrincipal(user, credential, null), readOnly: row.readOnly } };
    }
    const contact = await repos.canonical.get('contact', row.principalId);
    if (!isActiveContact(contact)) return offboard(method, row.id, 'contact', row.principalId, at);
    const p = contactPrincipal(contact, credential, { onBehalfOf: row.onBehalfOf, readOnly: row.readOnly, limits: null });
    if (p === null) return fail(method, 'the contact has no client', row.id, { kind: 'contact', id: row.principalId });
    return { ok: true, principal: p };
  }

  async function viaJwt(token: string, at: string): Promise<AuthResult> {
    if (options.jwt === undefined) return fail('jwt', 'JWT bearer tokens are not accepted: no OIDC issuer is configured');
    const check = await options.jwt.verify(token, at);
    if (!check.ok) return fail('jwt', check.reason);
    const credential: Credential = { type: 'jwt', subject: check.subject ?? check.claimValue };
    const email = check.claimValue;
    const user = await repos.access.userByEmail(email);
    if (user !== null) {
      if (user.status !== 'active') return offboard('jwt', null, 'user', user.id, at);
      return { ok: true, principal: userPrincipal(user, credential, null) };
    }
    const ids = (await repos.canonical.idsByEmail('contact', 'email', [email])).get(email) ?? [];
    const rows = [...(await repos.canonical.getMany('contact', ids)).values()];
    const active = rows.filter(isActiveContact);
    const only = active[0];
    if (active.length > 1) return fail('jwt', 'the token e-mail matches several active contacts');
    if (only !== undefined) {
      const p = contactPrincipal(only, credential, { onBehalfOf: null, readOnly: false, limits: null });
      return p === null ? fail('jwt', 'the contact has no client', null, { kind: 'contact', id: only.id }) : { ok: true, principal: p };
    }
    if (rows.length === 0) return fail('jwt', 'no user or contact has the token e-mail');
    for (const r of rows) await store.unitOfWork(async (tx) => { await tx.access.revokeAllFor('contact', r.id, at); });
    const first = rows[0];
    return fail('jwt', ACCOUNT_DISABLED, null, first === undefined ? null : { kind: 'contact', id: first.id });
  }

  function viaAdminToken(): AuthResult {
    if (admin !== null && admin.length < MIN_ADMIN_TOKEN_LENGTH) {
      return fail('admin_token', `the admin token is refused: CROSSWALK_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
    }
    return { ok: true, principal: { kind: 'bootstrap', id: 'admin-token', credential: { type: 'admin_token' }, readOnly: false, limits: null } };
  }

  return {
    async authenticate(req) {
      const at = now();
      const header = req.authorization;
      if (header !== undefined && header.trim() !== '') {
        if (header.length > MAX_HEADER) return fail('header', 'Authorization header too long');
        const m = /^Bearer +(\S+) *$/i.exec(header.trim());
        const token = m?.[1];
        if (token === undefined) return fail('header', 'malformed Authorization header: expected "Bearer <token>"');
        // The admin token first, compared in constant time whatever the token looks like.
        if (admin !== null && secretsEqual(token, admin)) return viaAdminToken();
        if (token.startsWith(API_KEY_PREFIX)) return viaApiKey(token, at);
        if (token.startsWith(VIEW_AS_PREFIX)) return viaSession(token, 'view_as', at);
        if (JWT_SHAPE.test(token)) return viaJwt(token, at);
        return fail('header', 'unknown bearer token');
      }
      const session = readCookie(req.cookie, SESSION_COOKIE);
      if (session === null) return { ok: 'anonymous' };
      if (session.length > 200) return fail('session', 'malformed session token');
      return viaSession(session, 'session', at);
    },
  };
}

/** The key id of a presented API key, when its shape has one (for the audit of a refusal). */
function idOfKey(token: string): string | null {
  const m = /^cw_live_([0-9a-f]{16})_/.exec(token);
  return m?.[1] ?? null;
}

/** The audit row for a refused credential (`auth.<method>`, outcome failure); never the secret itself. */
export function authFailureAudit(
  result: Fail,
  context: { at: string; ip: string | null; userAgent: string | null; requestId: string | null },
): AuditEvent {
  const credential = result.credentialId === null ? result.method : `${result.method}:${result.credentialId}`;
  return {
    id: newId(),
    at: context.at,
    actorType: result.subject?.kind ?? 'anonymous',
    actorId: result.subject?.id ?? null,
    onBehalfOf: null,
    action: `auth.${result.method}`,
    targetType: null,
    targetId: null,
    outcome: 'failure',
    reason: result.reason,
    credential,
    ip: context.ip,
    userAgent: context.userAgent,
    requestId: context.requestId,
  };
}
