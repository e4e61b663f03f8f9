import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { isLoopbackHost } from './sessions.ts';

/**
 * OIDC / JWT bearer tokens from the portal's identity provider (RFC 7519, RFC 8725): algorithms,
 * issuer and audience pinned; `exp` required and `nbf` honoured with a small leeway; keys looked up
 * by `kid` in the issuer's JWKS, refetched once on an unknown `kid` (rotation) but at most once per
 * cooldown, so random `kid`s cannot make us hammer the identity provider.
 */
export interface JwtVerifierOptions {
  /** Expected `iss`, exactly. */
  issuer: string;
  /** Expected `aud` (one of, when the token names several). */
  audience: string | readonly string[];
  /** The issuer's JWKS; https, or http on loopback (tests, a local IdP). */
  jwksUrl: string;
  /**
   * Accepted `alg` values: asymmetric only — an HS* algorithm would let anyone holding the public key
   * mint tokens (key confusion), and `none` is never accepted.
   * @defaultValue ['RS256', 'ES256']
   */
  algorithms?: readonly string[];
  /** @defaultValue 60 */
  clockToleranceSeconds?: number;
  /**
   * The claim that names the person; matched, lower-cased, against user then contact e-mails.
   * @defaultValue 'email'
   */
  claim?: string;
  /**
   * Least time between two JWKS fetches triggered by an unknown `kid`.
   * @defaultValue 30
   */
  cooldownSeconds?: number;
  /** @defaultValue 5000 */
  timeoutMs?: number;
}

export type JwtCheck =
  | { ok: true; claimValue: string; subject: string | null; payload: JWTPayload }
  | { ok: false; reason: string };

export interface JwtVerifier {
  /** Never throws: every failure is `{ ok: false, reason }`. `now` (ISO) defaults to the wall clock. */
  verify(token: string, now?: string): Promise<JwtCheck>;
}

const SYMMETRIC = /^(HS|A\d+KW|dir|PBES2)/;

function reasonFor(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'token not yet valid';
    if (err.claim === 'aud') return 'wrong audience';
    if (err.claim === 'iss') return 'wrong issuer';
    if (err.claim === 'iat') return 'token issued in the future';
    return err.reason === 'missing' ? `token has no ${err.claim} claim` : `token claim ${err.claim} is invalid`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'unknown signing key (kid)';
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'ambiguous signing key (kid)';
  if (err instanceof errors.JWKSTimeout) return 'identity provider keys unavailable (timeout)';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) return 'malformed token';
  if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKInvalid) return 'identity provider keys unusable';
  if (err instanceof errors.JOSEError) return 'identity provider keys unavailable';
  // fetch failures (connection refused, DNS) surface as TypeError; anything else is a token jose could not read.
  if (err instanceof TypeError && /fetch/i.test(err.message)) return 'identity provider keys unavailable';
  return 'malformed token';
}

/** Builds a verifier; throws at startup for a configuration that cannot be safe (never per request). */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const url = new URL(options.jwksUrl);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.host))) {
    throw new TypeError(`the JWKS URL must use https (http only on loopback): ${url.origin}`);
  }
  const algorithms = [...(options.algorithms ?? ['RS256', 'ES256'])];
  if (algorithms.length === 0) throw new TypeError('at least one JWT algorithm must be allowed');
  for (const alg of algorithms) {
    if (alg === 'none' || SYMMETRIC.test(alg)) throw new TypeError(`JWT algorithm ${alg} is not allowed with a public key set`);
  }
  const claim = options.claim ?? 'email';
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const clockTolerance = options.clockToleranceSeconds ?? 60;
  const keys = createRemoteJWKSet(url, {
    cooldownDuration: (options.cooldownSeconds ?? 30) * 1000,
    timeoutDuration: options.timeoutMs ?? 5000,
  });

  return {
    async verify(token, now) {
      // Bound the work before parsing: a bearer token is never megabytes, and a non-JWS is malformed.
      if (token.length > 16_384 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
        return { ok: false, reason: 'malformed token' };
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience,
          algorithms,
          clockTolerance,
          requiredClaims: ['exp'],
          ...(now === undefined ? {} : { currentDate: new Date(now) }),
        });
        const value = payload[claim];
        if (typeof value !== 'string' || value.trim() === '') return { ok: false, reason: `token has no ${claim} claim` };
        // OIDC: an address the provider has not verified names nobody.
        if (claim === 'email' && payload['email_verified'] === false) return { ok: false, reason: 'token e-mail is not verified' };
        return { ok: true, claimValue: value.trim().toLowerCase(), subject: payload.sub ?? null, payload };
      } catch (err) {
        return { ok: false, reason: reasonFor(err) };
      }
    },
  };
}
