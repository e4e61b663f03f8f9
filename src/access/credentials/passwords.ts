import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CredentialError } from './secret.ts';

/**
 * Staff passwords: scrypt (RFC 7914) with a per-user random salt, stored as
 * `scrypt$N$r$p$<salt>$<hash>` (salt and hash base64url), so the cost can rise later without
 * invalidating stored hashes — each hash carries its own parameters.
 */

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and some tens of milliseconds per hash. OWASP's cheat sheet lists
 * N = 2^17 as its floor; 2^15 keeps sign-in cheap on small hosts. Raising it here is safe: stored
 * hashes keep their own parameters and still verify.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused rather than hashed: a megabyte "password" is a denial of service, not a secret. */
export const MAX_PASSWORD_LENGTH = 1024;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** scrypt needs 128·N·r bytes; node's default cap (32 MiB) is exactly that at N=2^15, r=8, and node refuses at the cap. */
const maxmemFor = (N: number, r: number): number => 128 * N * r * 2;

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: maxmemFor(N, r) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Code points, not UTF-16 units: an emoji counts as one character, as a person would count it. */
const lengthOf = (password: string): number => [...password].length;

/** Hashes a new password; throws CredentialError('weak_password') when it is shorter than 12 characters. */
export async function hashPassword(password: string): Promise<string> {
  const length = lengthOf(password);
  if (length < MIN_PASSWORD_LENGTH) {
    throw new CredentialError('weak_password', `the password must be at least ${MIN_PASSWORD_LENGTH} characters long (it has ${length})`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new CredentialError('weak_password', `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Parses a stored hash; null for anything out of shape or with parameters that could exhaust memory. */
function parse(stored: string): Parsed | null {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/.exec(stored);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  // Bounds: a tampered row must not make one sign-in allocate gigabytes.
  if (!powerOfTwo || r < 1 || r > 32 || p < 1 || p > 16 || 128 * N * r > 256 * 1024 * 1024) return null;
  return { N, r, p, salt: Buffer.from(m[4] ?? '', 'base64url'), hash: Buffer.from(m[5] ?? '', 'base64url') };
}

let dummy: Promise<string> | null = null;
/** A hash of a random password, made once: verifying against it costs what a real check costs. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
}

/**
 * True when `password` matches `stored`. Pass `null` for an unknown user or one without a password:
 * the check still runs the full scrypt against a dummy hash and answers false, so the response time
 * does not reveal which e-mail addresses have accounts. Never throws for bad input.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parse(stored ?? (await dummyHash()));
  const usable = stored !== null && parsed !== null && password.length <= MAX_PASSWORD_LENGTH;
  const target = parsed ?? parse(await dummyHash());
  if (target === null) return false; // the dummy always parses; kept for the type checker
  const candidate = password.length <= MAX_PASSWORD_LENGTH ? password : '';
  const key = await derive(candidate, target.salt, target.N, target.r, target.p);
  const equal = key.length === target.hash.length && timingSafeEqual(key, target.hash);
  return usable && equal;
}
