import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bulk-approval confirmation tokens (decision 0018). A preview names the exact
 * entries a filter selects; its token is an HMAC over the principal, the filter, the expiry and the
 * sorted `id:revision` set. The approval recomputes the set under the same filter and principal:
 * any entry added, removed or changed since the preview gives another digest, and the approval is
 * refused (409) before anything is written. The key lives in the process (or comes from deps):
 * a token does not outlive a restart, which its few minutes of life make harmless.
 */

export const BULK_TOKEN_TTL_MS = 10 * 60_000;

export interface BulkTokenPayload {
  readonly principal: string;
  readonly filter: Record<string, string>;
  readonly exp: number;
}

export function newBulkKey(): Uint8Array {
  return randomBytes(32);
}

/** The digest of an entry set: sorted `id:revision`, hashed. */
export function setDigest(entries: ReadonlyArray<{ id: string; revision: number }>): string {
  const lines = entries.map((e) => `${e.id}:${e.revision}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('base64url');
}

function mac(key: Uint8Array, payload: string, digest: string): string {
  return createHmac('sha256', key).update(payload).update('\n').update(digest).digest('base64url');
}

export function signBulkToken(key: Uint8Array, payload: BulkTokenPayload, digest: string): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${mac(key, encoded, digest)}`;
}

export type TokenCheck = { ok: true; payload: BulkTokenPayload } | { ok: false; reason: string };

/** Reads a token's payload (not yet checked against a set): null when it is not one of ours. */
export function readBulkToken(token: string): BulkTokenPayload | null {
  const [encoded] = token.split('.');
  if (encoded === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const p = parsed as Record<string, unknown>; // checked field by field below
    if (typeof p['principal'] !== 'string' || typeof p['exp'] !== 'number' || typeof p['filter'] !== 'object' || p['filter'] === null) return null;
    const filter: Record<string, string> = {};
    for (const [k, v] of Object.entries(p['filter'])) if (typeof v === 'string') filter[k] = v;
    return { principal: p['principal'], exp: p['exp'], filter };
  } catch {
    return null;
  }
}

/** True when the token was signed with this key over exactly this digest. */
export function tokenMatches(key: Uint8Array, token: string, digest: string): boolean {
  const [encoded, given] = token.split('.');
  if (encoded === undefined || given === undefined) return false;
  const want = Buffer.from(mac(key, encoded, digest));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}
