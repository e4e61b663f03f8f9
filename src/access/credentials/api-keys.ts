import type { ApiKeyRow, KeyOwnerKind, KeyScope, Repos, UserRole } from '../../store/index.ts';
import { KEY_SCOPES, USER_ROLES } from '../../store/index.ts';
import { CredentialError, randomHexId, randomSecret, secretMatchesHash, sha256Hex } from './secret.ts';

/**
 * API keys: `cw_live_<id>_<secret>`. The id (16 hex characters, 64 random bits) is the row's
 * primary key and may appear in listings and the audit; the secret (32 random bytes, base64url) is
 * shown once and only its SHA-256 is stored. High-entropy secrets need no slow hash: SHA-256 is
 * enough, and verifying stays cheap on every request.
 */
export const API_KEY_PREFIX = 'cw_live_';

const KEY_PATTERN = /^cw_live_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  name: string;
  ownerKind: KeyOwnerKind;
  /** The contact or user the key acts as; null for a service key. */
  ownerId: string | null;
  /** A service key's internal role; must be null for a contact or user key (they act with their owner's role). */
  role: UserRole | null;
  scopes: readonly KeyScope[];
  clientId: string | null;
  worksiteId: string | null;
  /** ISO time; null never expires. */
  expiresAt: string | null;
  /** Actor label of whoever created it (`user:<id>`, `bootstrap:admin-token`, `cli`). */
  createdBy: string;
}

export interface ParsedApiKey {
  readonly id: string;
  readonly secret: string;
}

export type ApiKeyCheck = { ok: true; row: ApiKeyRow } | { ok: false; reason: string };

/** Splits `cw_live_<id>_<secret>`; null for anything else (the secret may itself contain `_`). */
export function parseApiKey(token: string): ParsedApiKey | null {
  const m = KEY_PATTERN.exec(token);
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], secret: m[2] } : null;
}

function validate(input: NewApiKey, now: string): void {
  const fail = (message: string): never => {
    throw new CredentialError('invalid_key_request', message);
  };
  if (input.name.trim() === '' || input.name.length > 200) fail('a key needs a name of 1 to 200 characters');
  if (input.ownerKind === 'service') {
    if (input.ownerId !== null) fail('a service key has no owner id');
    if (input.role === null || !USER_ROLES.includes(input.role)) fail(`a service key needs a role: ${USER_ROLES.join(', ')}`);
  } else {
    if (input.ownerId === null || input.ownerId === '') fail(`a ${input.ownerKind} key needs the ${input.ownerKind} id it acts as`);
    if (input.role !== null) fail(`a ${input.ownerKind} key acts with its owner's role; leave role empty`);
  }
  if (input.scopes.length === 0) fail('a key needs at least one scope (read, write)');
  for (const scope of input.scopes) if (!KEY_SCOPES.includes(scope)) fail(`unknown scope ${String(scope)}: use read or write`);
  if (input.expiresAt !== null) {
    const at = Date.parse(input.expiresAt);
    if (Number.isNaN(at)) fail(`expiresAt is not an ISO time: ${input.expiresAt}`);
    if (at <= Date.parse(now)) fail('expiresAt is in the past');
  }
}

/**
 * Creates a key inside a unit of work. `key` is the only time the full secret exists: show it once.
 * Throws CredentialError on inconsistent input (service key without a role, contact key without an
 * owner, unknown scope, expiry in the past).
 */
export async function createApiKey(tx: Pick<Repos, 'access'>, input: NewApiKey, now: string): Promise<{ row: ApiKeyRow; key: string }> {
  validate(input, now);
  const id = randomHexId(8);
  const secret = randomSecret(32);
  const row: ApiKeyRow = {
    id,
    name: input.name.trim(),
    secretHash: sha256Hex(secret),
    ownerKind: input.ownerKind,
    ownerId: input.ownerId,
    role: input.role,
    scopes: [...new Set(input.scopes)],
    clientId: input.clientId,
    worksiteId: input.worksiteId,
    expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt).toISOString(),
    lastUsedAt: null,
    revokedAt: null,
    createdAt: now,
    createdBy: input.createdBy,
  };
  await tx.access.insertKey(row);
  return { row, key: `${API_KEY_PREFIX}${id}_${secret}` };
}

/**
 * Checks a presented key: its shape, its row, its secret (constant time), then revocation and
 * expiry — in that order, so only the holder of the secret learns that a key was revoked or expired.
 * Does not record the use (the authenticator calls `touchKey` once the owner checks out).
 */
export async function verifyApiKey(repos: Pick<Repos, 'access'>, token: string, now: string): Promise<ApiKeyCheck> {
  const parsed = parseApiKey(token);
  if (parsed === null) return { ok: false, reason: 'malformed API key' };
  const row = await repos.access.keyById(parsed.id);
  if (row === null) {
    // Burn the same comparison as a known id, so response time does not tell ids apart.
    secretMatchesHash(parsed.secret, '');
    return { ok: false, reason: 'unknown API key' };
  }
  if (!secretMatchesHash(parsed.secret, row.secretHash)) return { ok: false, reason: 'wrong API key secret' };
  if (row.revokedAt !== null) return { ok: false, reason: 'API key revoked' };
  if (row.expiresAt !== null && Date.parse(row.expiresAt) <= Date.parse(now)) return { ok: false, reason: 'API key expired' };
  return { ok: true, row };
}
