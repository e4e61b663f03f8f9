/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON; the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/access/authenticate.ts';
import { createJwtVerifier } from '../../src/access/credentials/jwt.ts';
import { authenticatorFromEnv } from '../../src/access/runtime.ts';
import { StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { AUDIENCE, ISSUER, seedClient, seedContact, seedUser, startJwks, T0, type JwksServer } from '../access/support.ts';

/**
 * OIDC bearer tokens through the whole API: a token from the identity provider (a real JWKS endpoint
 * on loopback) maps by its e-mail claim to an ops user or a contact, key rotation is followed, and a
 * token the policy of RFC 8725 refuses is a 401 with its reason and an audit row.
 */
let jwks: JwksServer;
let temp: TempStore;
let server: ServerHandle;
let userId: string;
let contactId: string;

beforeAll(async () => {
  jwks = await startJwks();
  temp = openTempStore();
  const clientId = await seedClient(temp.store);
  contactId = await seedContact(temp.store, clientId, 'dana.reyes@harbor.example.test');
  userId = await seedUser(temp.store, 'ops.lead@staff.example.test');
  const jwt = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, cooldownSeconds: 0 });
  const now = () => new Date(Date.parse(T0) + 60_000).toISOString();
  const app = createApp({
    store: temp.store, policy: new StaticPolicy({ inbound: {}, outbound: {} }), adminToken: null, systems: [], now,
    authenticator: createAuthenticator({ store: temp.store, now, adminToken: null, jwt }),
  });
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
  await jwks.close();
  temp.dispose();
});

const me = async (token: string) => {
  const res = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any>, challenge: res.headers.get('www-authenticate') }; // eslint-disable-line @typescript-eslint/no-explicit-any -- response JSON
};

describe('OIDC bearer tokens', () => {
  it('map to an ops user or a contact by the e-mail claim', async () => {
    const asUser = await me(await jwks.sign({ email: 'Ops.Lead@staff.example.test' }));
    expect(asUser.status).toBe(200);
    expect(asUser.json['data'].principal).toMatchObject({ kind: 'user', id: userId, role: 'ops_admin', credential: 'jwt' });
    const asContact = await me(await jwks.sign({ email: 'dana.reyes@harbor.example.test' }));
    expect(asContact.json['data'].principal).toMatchObject({ kind: 'contact', id: contactId, credential: 'jwt' });
  });

  it('follows a key rotation: a token under the new kid is accepted after one refetch', async () => {
    const before = jwks.fetches;
    const key = await jwks.rotate('ES256');
    const r = await me(await jwks.sign({ email: 'dana.reyes@harbor.example.test' }, { key }));
    expect(r.status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
  });

  it('refuses unknown people, wrong audiences and expired tokens with a reason, a challenge and an audit row', async () => {
    const nowS = Math.floor(Date.parse(T0) / 1000);
    const cases = [
      await jwks.sign({ email: 'stranger@example.test' }),
      await jwks.sign({ email: 'dana.reyes@harbor.example.test' }, { aud: 'another-app' }),
      await jwks.sign({ email: 'dana.reyes@harbor.example.test' }, { iat: nowS - 7200, exp: nowS - 3600 }),
      'eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImRhbmEucmV5ZXNAaGFyYm9yLmV4YW1wbGUudGVzdCJ9.',
    ];
    for (const token of cases) {
      const r = await me(token);
      expect(r.status).toBe(401);
      expect(r.challenge).toMatch(/^Bearer /);
      expect(String(r.json['error'].message).length).toBeGreaterThan(5);
    }
    const audit = await temp.store.repos.audit.list({ action: 'auth.jwt', outcome: 'failure', limit: 10 });
    expect(audit.length).toBe(cases.length);
    for (const e of audit) expect(e.credential).not.toMatch(/eyJ/);
  });

  it('a half-configured OIDC is an error at start, not a silent fallback', () => {
    expect(() => authenticatorFromEnv(temp.store, null, { CROSSWALK_OIDC_ISSUER: ISSUER })).toThrow(/CROSSWALK_OIDC_AUDIENCE/);
  });
});
