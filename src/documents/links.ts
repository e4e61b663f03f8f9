import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../lib/secret-box.ts';

/**
 * Signed, expiring download links for one version of one document, bound to one principal
 * (decision 0015). A link reads `<keyId>.<claims>.<mac>`: the claims are base64url JSON (document
 * id, version, principal, expiry, link id, single use), the MAC is HMAC-SHA256 under a key derived
 * from the hub's key ring for this purpose alone, so rotating the ring retires old links with it.
 */

/** How long a link lives unless asked otherwise. */
export const DEFAULT_LINK_MINUTES = 15;
/** The longest a link may be asked to live. */
export const MAX_LINK_MINUTES = 60;

const PURPOSE = 'crosswalk document download link v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_LINK_LENGTH = 2048;

export interface LinkClaims {
  /** Document id. */
  readonly documentId: string;
  readonly version: number;
  /** `contact:<id>`, `user:<id>`, `service:<key id>`: who may use the link. */
  readonly principal: string;
  /** Expiry, milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Random id: what a single-use link is spent under. */
  readonly linkId: string;
  readonly singleUse: boolean;
}

export type LinkCheck = { readonly ok: true; readonly claims: LinkClaims } | { readonly ok: false; readonly reason: string };

export class LinkSigner {
  constructor(private readonly keyring: Keyring) {}

  sign(input: Omit<LinkClaims, 'linkId' | 'expiresAt'> & { readonly now: number; readonly minutes?: number }): { link: string; claims: LinkClaims } {
    const minutes = input.minutes ?? DEFAULT_LINK_MINUTES;
    const claims: LinkClaims = {
      documentId: input.documentId, version: input.version, principal: input.principal, singleUse: input.singleUse,
      expiresAt: input.now + minutes * 60_000, linkId: randomBytes(16).toString('base64url'),
    };
    const payload = Buffer.from(JSON.stringify({ d: claims.documentId, v: claims.version, p: claims.principal, e: claims.expiresAt, l: claims.linkId, s: claims.singleUse ? 1 : 0 }), 'utf8').toString('base64url');
    const keyId = this.keyring.currentId;
    const mac = this.keyring.mac(PURPOSE, `${keyId}.${payload}`, keyId);
    if (mac === null) throw new Error(`the key ring has no current key "${keyId}"`);
    return { link: `${keyId}.${payload}.${mac.toString('base64url')}`, claims };
  }

  /**
   * Checks the signature first (nothing in an unsigned link is believed, not even its expiry), then
   * the expiry. Which principal may use it, and whether a single-use link was spent, the caller checks.
   */
  verify(link: string, now: number): LinkCheck {
    if (link.length > MAX_LINK_LENGTH) return { ok: false, reason: 'the link is malformed' };
    const [keyId, payload, macText, ...rest] = link.split('.');
    if (keyId === undefined || payload === undefined || macText === undefined || rest.length > 0 || !KEY_ID.test(keyId) || !B64URL.test(payload) || !B64URL.test(macText)) {
      return { ok: false, reason: 'the link is malformed' };
    }
    const expected = this.keyring.mac(PURPOSE, `${keyId}.${payload}`, keyId);
    if (expected === null) return { ok: false, reason: 'the link was signed with a key this hub no longer holds' };
    const presented = Buffer.from(macText, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'the link signature does not match (tampered or forged)' };
    const claims = parseClaims(payload);
    if (claims === null) return { ok: false, reason: 'the link is malformed' };
    if (now >= claims.expiresAt) return { ok: false, reason: `the link expired at ${new Date(claims.expiresAt).toISOString()}` };
    return { ok: true, claims };
  }
}

function parseClaims(payload: string): LinkClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>; // checked field by field below
  const { d, v, p, e, l, s } = r;
  if (typeof d !== 'string' || typeof p !== 'string' || typeof l !== 'string') return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || typeof e !== 'number' || !Number.isFinite(e) || (s !== 0 && s !== 1)) return null;
  return { documentId: d, version: v, principal: p, expiresAt: e, linkId: l, singleUse: s === 1 };
}
