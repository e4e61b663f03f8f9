import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Small primitives every credential shares: random secrets, their SHA-256, and a comparison whose
 * time depends on neither the content nor the length of the expected value.
 */

/** `bytes` random bytes as base64url (32 bytes → 43 characters, 256 bits). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `bytes` random bytes as lower-case hex (8 bytes → 16 characters). */
export function randomHexId(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** SHA-256 of a UTF-8 string as lower-case hex: what the access tables store instead of a secret. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Compares a presented secret with a stored SHA-256 hex digest in constant time. A stored value that
 * is not a 32-byte hex digest never matches (and the comparison still runs, on a zero buffer).
 */
export function secretMatchesHash(presented: string, storedHex: string): boolean {
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  const stored = /^[0-9a-f]{64}$/.test(storedHex) ? Buffer.from(storedHex, 'hex') : null;
  const equal = timingSafeEqual(actual, stored ?? Buffer.alloc(32));
  return stored !== null && equal;
}

/**
 * Compares two secrets in constant time whatever their lengths: both sides are hashed to 32 bytes
 * first, so neither the content nor the length of the expected secret leaks through timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Millisecond instant of an ISO time or of a number already in milliseconds. */
export function toMs(now: string | number): number {
  return typeof now === 'number' ? now : Date.parse(now);
}

/** ISO time `minutes` after `now`. */
export function addMinutes(now: string, minutes: number): string {
  return new Date(Date.parse(now) + minutes * 60_000).toISOString();
}

/**
 * An expected failure with a stable code (bad input to a credential function, such as a password
 * too short or an API key with a contact owner but no owner id): the caller answers 4xx with it.
 */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  constructor(
    readonly code: 'weak_password' | 'invalid_key_request' | 'invalid_session_request',
    message: string,
  ) {
    super(message);
  }
}
