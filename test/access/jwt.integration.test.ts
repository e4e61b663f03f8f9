import { createHmac, createPublicKey } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifier } from '../../src/access/credentials/jwt.ts';
import { AUDIENCE, ISSUER, startJwks, T0, type JwksServer } from './support.ts';

const nowS = Math.floor(Date.parse(T0) / 1000);
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The token matrix of issue 10 ("Bad input") against a real JWKS endpoint on 127.0.0.1. */
describe('JWT bearer verification against a local JWKS server', () => {
  let jwks: JwksServer;
  let verifier: JwtVerifier;
  beforeAll(async () => {
    jwks = await startJwks();
    // No cooldown here: the rotation test needs the refetch at once (the cooldown has its own test).
    verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, cooldownSeconds: 0 });
  });
  afterAll(() => jwks.close());

  it('accepts a good token and returns the lower-cased claim and the subject', async () => {
    const token = await jwks.sign({ email: 'Dana.Reyes@Client.Example' });
    expect(await verifier.verify(token, T0)).toMatchObject({ ok: true, claimValue: 'dana.reyes@client.example', subject: 'idp-subject-1' });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['expired', () => jwks.sign({ email: 'a@x.test' }, { iat: nowS - 3600, exp: nowS - 61 }), 'token expired'],
    ['expired but within the 60 s leeway is fine', () => jwks.sign({ email: 'a@x.test' }, { exp: nowS - 30 }), 'ok'],
    ['not yet valid', () => jwks.sign({ email: 'a@x.test' }, { nbf: nowS + 120 }), 'token not yet valid'],
    ['wrong audience', () => jwks.sign({ email: 'a@x.test' }, { aud: 'someone-else' }), 'wrong audience'],
    ['wrong issuer', () => jwks.sign({ email: 'a@x.test' }, { iss: 'https://evil.example' }), 'wrong issuer'],
    ['no exp claim', () => jwks.sign({ email: 'a@x.test' }, { exp: null }), 'token has no exp claim'],
    ['no email claim', () => jwks.sign({ name: 'x' }), 'token has no email claim'],
    ['unverified email', () => jwks.sign({ email: 'a@x.test', email_verified: false }), 'token e-mail is not verified'],
    ['alg none', async () => new UnsecuredJWT({ email: 'a@x.test' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(nowS + 600).encode(), 'algorithm not allowed'],
    ['HS256 signed with the public key bytes', async () => {
      const pem = createPublicKey({ key: jwks.current.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwks.current.kid })}.${b64({ email: 'a@x.test', iss: ISSUER, aud: AUDIENCE, exp: nowS + 600 })}`;
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    }, 'algorithm not allowed'],
    ['unknown kid', () => jwks.sign({ email: 'a@x.test' }, { kid: 'not-in-the-set' }), 'unknown signing key (kid)'],
    ['bad signature (payload swapped)', async () => {
      const [h, , s] = (await jwks.sign({ email: 'a@x.test' })).split('.');
      return `${h}.${b64({ email: 'admin@x.test', iss: ISSUER, aud: AUDIENCE, exp: nowS + 600 })}.${s}`;
    }, 'bad signature'],
    ['malformed: not base64 JSON', async () => 'abc.def.ghi', 'malformed token'],
    ['malformed: two parts', async () => 'abc.def', 'malformed token'],
    ['malformed: junk characters', async () => 'a b.c.d', 'malformed token'],
    ['malformed: empty', async () => '', 'malformed token'],
  ])('%s', async (_name, make, expected) => {
    const result = await verifier.verify(await make(), T0);
    if (expected === 'ok') expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, reason: expected });
  });

  it('key rotation: the first token under a new kid refetches the set once and succeeds; the old key is gone', async () => {
    const oldKey = jwks.current;
    expect((await verifier.verify(await jwks.sign({ email: 'a@x.test' }), T0)).ok).toBe(true);
    const before = jwks.fetches;
    const fresh = await jwks.rotate('ES256');
    const result = await verifier.verify(await jwks.sign({ email: 'a@x.test' }, { key: fresh }), T0);
    expect(result).toMatchObject({ ok: true, claimValue: 'a@x.test' });
    expect(jwks.fetches).toBe(before + 1);
    // Known now: no further fetch.
    expect((await verifier.verify(await jwks.sign({ email: 'b@x.test' }, { key: fresh }), T0)).ok).toBe(true);
    expect(jwks.fetches).toBe(before + 1);
    // A token under the retired key no longer verifies.
    expect(await verifier.verify(await jwks.sign({ email: 'a@x.test' }, { key: oldKey }), T0)).toEqual({ ok: false, reason: 'unknown signing key (kid)' });
  });

  it('the cooldown caps refetches: a burst of unknown kids fetches the set at most once', async () => {
    const server = await startJwks();
    try {
      const v = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: server.url });
      expect((await v.verify(await server.sign({ email: 'a@x.test' }), T0)).ok).toBe(true);
      const after = server.fetches;
      for (let i = 0; i < 20; i++) {
        expect(await v.verify(await server.sign({ email: 'a@x.test' }, { kid: `random-${i}` }), T0)).toEqual({ ok: false, reason: 'unknown signing key (kid)' });
      }
      expect(server.fetches).toBe(after);
    } finally {
      await server.close();
    }
  });

  it('an unreachable JWKS is a reason, not a throw', async () => {
    const server = await startJwks();
    const token = await server.sign({ email: 'a@x.test' });
    const url = server.url;
    await server.close();
    const v = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: url, timeoutMs: 2000 });
    expect(await v.verify(token, T0)).toEqual({ ok: false, reason: 'identity provider keys unavailable' });
  });

  it('refuses unsafe configuration at startup', () => {
    expect(() => createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://idp.example.com/jwks' })).toThrow(/https/);
    expect(() => createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.com/jwks', algorithms: ['HS256'] })).toThrow(/not allowed/);
    expect(() => createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.com/jwks', algorithms: ['none'] })).toThrow(/not allowed/);
  });
});
