import type { Repos, SessionKind, SessionRow, SubjectKind } from '../../store/index.ts';
import { addMinutes, CredentialError, randomHexId, randomSecret, secretMatchesHash, sha256Hex } from './secret.ts';

/**
 * Server-side sessions. Two kinds share the `sessions` table:
 * - `cookie`: a browser signed in by magic link or password. Token `<id>.<secret>` in the
 *   `cw_session` cookie; idle and absolute expiry.
 * - `view_as`: an ops user's read-only token for one contact. Token `cw_view_<id>_<secret>`, sent
 *   as a bearer; absolute expiry only, always read-only.
 * Only the SHA-256 of the secret is stored; revocation is a column, checked on every request.
 */
export const SESSION_COOKIE = 'cw_session';
export const VIEW_AS_PREFIX = 'cw_view_';

/**
 * @defaultValue cookie: idle 30 minutes, absolute 12 hours; view-as: absolute 60 minutes (no
 * separate idle limit).
 */
export interface SessionLimits {
  idleMinutes?: number;
  absoluteMinutes?: number;
}

export const SESSION_DEFAULTS = {
  cookie: { idleMinutes: 30, absoluteMinutes: 12 * 60 },
  view_as: { idleMinutes: 60, absoluteMinutes: 60 },
} as const satisfies Record<SessionKind, Required<SessionLimits>>;

export interface NewSession {
  kind: SessionKind;
  principalKind: SubjectKind;
  principalId: string;
  /** The ops user acting as the contact: required for view-as, null for a cookie session. */
  onBehalfOf: string | null;
  /** Forced true for view-as. */
  readOnly: boolean;
  ip: string | null;
  userAgent: string | null;
}

export type SessionCheck = { ok: true; row: SessionRow } | { ok: false; reason: string };

const COOKIE_TOKEN = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/;
const VIEW_AS_TOKEN = /^cw_view_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** The id and secret of a session token, and the kind its shape says it is; null when it has neither shape. */
export function parseSessionToken(token: string): { kind: SessionKind; id: string; secret: string } | null {
  const cookie = COOKIE_TOKEN.exec(token);
  if (cookie?.[1] !== undefined && cookie[2] !== undefined) return { kind: 'cookie', id: cookie[1], secret: cookie[2] };
  const view = VIEW_AS_TOKEN.exec(token);
  if (view?.[1] !== undefined && view[2] !== undefined) return { kind: 'view_as', id: view[1], secret: view[2] };
  return null;
}

/**
 * Creates a session inside a unit of work and returns its token (shown once) and row. A view-as
 * session must act for a contact and name the ops user behind it; it is read-only whatever is asked.
 */
export async function createSession(
  tx: Pick<Repos, 'access'>,
  input: NewSession,
  now: string,
  limits: SessionLimits = {},
): Promise<{ token: string; row: SessionRow }> {
  if (input.kind === 'view_as' && (input.principalKind !== 'contact' || input.onBehalfOf === null)) {
    throw new CredentialError('invalid_session_request', 'a view-as session acts for a contact and names the ops user behind it');
  }
  if (input.kind === 'cookie' && input.onBehalfOf !== null) {
    throw new CredentialError('invalid_session_request', 'a cookie session acts for its own principal only (use view-as)');
  }
  const absolute = limits.absoluteMinutes ?? SESSION_DEFAULTS[input.kind].absoluteMinutes;
  if (!(absolute > 0)) throw new CredentialError('invalid_session_request', 'a session needs a positive absolute lifetime');
  const id = randomHexId(16);
  const secret = randomSecret(32);
  const row: SessionRow = {
    id,
    secretHash: sha256Hex(secret),
    kind: input.kind,
    principalKind: input.principalKind,
    principalId: input.principalId,
    onBehalfOf: input.onBehalfOf,
    readOnly: input.kind === 'view_as' ? true : input.readOnly,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: addMinutes(now, absolute),
    revokedAt: null,
    ip: input.ip === null ? null : input.ip.slice(0, 100),
    userAgent: input.userAgent === null ? null : input.userAgent.slice(0, 500),
  };
  await tx.access.insertSession(row);
  return { token: input.kind === 'view_as' ? `${VIEW_AS_PREFIX}${id}_${secret}` : `${id}.${secret}`, row };
}

/**
 * Checks a session token: shape, row (of the kind the token's shape says), secret in constant time,
 * revocation, absolute expiry, then the idle limit (cookie sessions only). On success the session's
 * last-seen time slides forward (at most one write a minute: AccessRepo.touchSession).
 */
export async function verifySession(
  repos: Pick<Repos, 'access'>,
  token: string,
  now: string,
  options: { idleMinutes?: number } = {},
): Promise<SessionCheck> {
  const parsed = parseSessionToken(token);
  if (parsed === null) return { ok: false, reason: 'malformed session token' };
  const row = await repos.access.sessionById(parsed.id);
  if (row === null || row.kind !== parsed.kind) {
    secretMatchesHash(parsed.secret, '');
    return { ok: false, reason: 'unknown session' };
  }
  if (!secretMatchesHash(parsed.secret, row.secretHash)) return { ok: false, reason: 'unknown session' };
  if (row.revokedAt !== null) return { ok: false, reason: 'session revoked' };
  const at = Date.parse(now);
  if (Date.parse(row.expiresAt) <= at) return { ok: false, reason: 'session expired' };
  if (row.kind === 'cookie') {
    const idle = options.idleMinutes ?? SESSION_DEFAULTS.cookie.idleMinutes;
    if (Date.parse(row.lastSeenAt) + idle * 60_000 <= at) return { ok: false, reason: `session idle for more than ${idle} minutes` };
  }
  await repos.access.touchSession(row, now);
  return { ok: true, row };
}

/** True for localhost names and loopback addresses: the only hosts where a cookie may go without `Secure`. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.trim().toLowerCase();
  // `[::1]:8080` → `::1`; `localhost:8080` → `localhost`; a bare IPv6 address keeps its colons.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(lower);
  const h = bracketed?.[1] ?? (lower.split(':').length === 2 ? lower.replace(/:\d+$/, '') : lower);
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * `Set-Cookie` value for a session: HttpOnly (scripts cannot read it), SameSite=Lax (not sent on
 * cross-site POSTs), Path=/, and Secure unless the server runs on loopback over plain HTTP.
 */
export function cookieHeader(token: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** `Set-Cookie` value that removes the session cookie (sign-out). */
export function clearCookieHeader(options: { secure: boolean }): string {
  const parts = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The value of one cookie from a `Cookie` request header; null when absent. When a name repeats
 * (a cookie set for two paths), the first wins, as browsers send the most specific path first.
 */
export function readCookie(header: string | undefined, name: string = SESSION_COOKIE): string | null {
  if (header === undefined) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return null;
}
