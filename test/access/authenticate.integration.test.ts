import { UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authFailureAudit, createAuthenticator, type AuthRequest, type Authenticator, type AuthResult } from '../../src/access/authenticate.ts';
import { createApiKey, type NewApiKey } from '../../src/access/credentials/api-keys.ts';
import { createJwtVerifier } from '../../src/access/credentials/jwt.ts';
import { createSession } from '../../src/access/credentials/sessions.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { at, AUDIENCE, ISSUER, seedClient, seedContact, seedUser, setContactStatus, startJwks, T0, type JwksServer } from './support.ts';

const ADMIN = 'a'.repeat(16) + 'B'.repeat(16) + '-bootstrap';
const nowS = Math.floor(Date.parse(T0) / 1000);
const bearer = (token: string): AuthRequest => ({ authorization: `Bearer ${token}`, cookie: undefined, ip: '203.0.113.7', userAgent: 'vitest' });
const cookie = (token: string): AuthRequest => ({ authorization: undefined, cookie: `theme=dark; cw_session=${token}`, ip: '203.0.113.7', userAgent: 'vitest' });
const reasonOf = (r: AuthResult): string => (r.ok === false ? r.reason : `not refused: ${JSON.stringify(r)}`);

describe('authenticate', () => {
  let jwks: JwksServer;
  let t: TempStore;
  let clock: string;
  let auth: Authenticator;
  let clientId: string;
  let contactId: string;
  let opsId: string;

  beforeAll(async () => {
    jwks = await startJwks();
  });
  afterAll(() => jwks.close());
  beforeEach(async () => {
    t = openTempStore();
    clock = T0;
    clientId = await seedClient(t.store);
    contactId = await seedContact(t.store, clientId, 'Dana.Reyes@Client.Example');
    opsId = await seedUser(t.store, 'ops@staffing.example');
    const jwt = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, cooldownSeconds: 0 });
    auth = createAuthenticator({ store: t.store, now: () => clock, adminToken: ADMIN, jwt });
  });
  afterEach(() => t.dispose());

  const key = (input: Partial<NewApiKey>) =>
    t.store.unitOfWork((tx) => createApiKey(tx, {
      name: 'k', ownerKind: 'contact', ownerId: contactId, role: null, scopes: ['read'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test', ...input,
    }, T0));

  it('no credential is anonymous; an empty header too', async () => {
    expect(await auth.authenticate({ authorization: undefined, cookie: undefined, ip: null, userAgent: null })).toEqual({ ok: 'anonymous' });
    expect(await auth.authenticate({ authorization: '', cookie: 'theme=dark', ip: null, userAgent: null })).toEqual({ ok: 'anonymous' });
  });

  it('malformed headers are 401 with a reason, never a throw', async () => {
    const cases: Array<[string, RegExp]> = [
      ['Basic dXNlcjpwYXNz', /expected "Bearer <token>"/],
      ['Bearer', /expected "Bearer <token>"/],
      ['Bearer a b', /expected "Bearer <token>"/],
      ['Bearer whatever-this-is', /unknown bearer token/],
      [`Bearer ${'x'.repeat(9000)}`, /too long/],
      ['Bearer cw_live_zz', /malformed API key/],
      ['Bearer cw_view_zz', /malformed session token/],
    ];
    for (const [authorization, reason] of cases) {
      const r = await auth.authenticate({ authorization, cookie: undefined, ip: null, userAgent: null });
      expect(r).toMatchObject({ ok: false, status: 401 });
      expect(reasonOf(r)).toMatch(reason);
    }
    expect(await auth.authenticate(cookie('nonsense'))).toMatchObject({ ok: false, status: 401, reason: 'malformed session token', method: 'session' });
  });

  describe('API keys', () => {
    it('a contact key → contact principal with the key limits; last use recorded', async () => {
      const { row, key: token } = await key({ scopes: ['read', 'write'], clientId });
      const r = await auth.authenticate(bearer(token));
      expect(r).toEqual({
        ok: true,
        principal: {
          kind: 'contact', id: contactId, clientId, email: 'dana.reyes@client.example', onBehalfOf: null, readOnly: false,
          credential: { type: 'api_key', id: row.id }, limits: { scopes: ['read', 'write'], clientId, worksiteId: null, expiresAt: null },
        },
      });
      expect((await t.store.repos.access.keyById(row.id))?.lastUsedAt).toBe(T0);
    });

    it('a user key and a service key', async () => {
      const userKey = await key({ ownerKind: 'user', ownerId: opsId });
      expect(await auth.authenticate(bearer(userKey.key))).toMatchObject({ ok: true, principal: { kind: 'user', id: opsId, role: 'ops_admin', email: 'ops@staffing.example' } });
      const svc = await key({ ownerKind: 'service', ownerId: null, role: 'billing', name: 'invoice export' });
      expect(await auth.authenticate(bearer(svc.key))).toMatchObject({ ok: true, principal: { kind: 'service', id: svc.row.id, role: 'billing', name: 'invoice export', limits: { scopes: ['read'] } } });
    });

    it('revoked and expired keys: 401 with the reason and the key id for the audit', async () => {
      const revoked = await key({});
      await t.store.unitOfWork((tx) => tx.access.revokeKey(revoked.row.id, T0));
      expect(await auth.authenticate(bearer(revoked.key))).toMatchObject({ ok: false, status: 401, reason: 'API key revoked', method: 'api_key', credentialId: revoked.row.id });
      const expiring = await key({ expiresAt: at(30) });
      clock = at(31);
      expect(await auth.authenticate(bearer(expiring.key))).toMatchObject({ ok: false, reason: 'API key expired' });
      expect((await t.store.repos.access.keyById(expiring.row.id))?.lastUsedAt).toBeNull();
    });
  });

  describe('view-as tokens', () => {
    it('→ the contact, read-only, with the ops user behind it', async () => {
      const { token, row } = await t.store.unitOfWork((tx) =>
        createSession(tx, { kind: 'view_as', principalKind: 'contact', principalId: contactId, onBehalfOf: opsId, readOnly: true, ip: null, userAgent: null }, T0));
      expect(await auth.authenticate(bearer(token))).toMatchObject({
        ok: true, principal: { kind: 'contact', id: contactId, onBehalfOf: opsId, readOnly: true, credential: { type: 'view_as', id: row.id } },
      });
      clock = at(61);
      expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: false, reason: 'session expired', method: 'view_as' });
    });

    it('a view-as token of a disabled ops user is refused and every token that user minted is revoked', async () => {
      const { token } = await t.store.unitOfWork((tx) =>
        createSession(tx, { kind: 'view_as', principalKind: 'contact', principalId: contactId, onBehalfOf: opsId, readOnly: true, ip: null, userAgent: null }, T0));
      await t.store.unitOfWork((tx) => tx.access.updateUser(opsId, { status: 'disabled' }, T0));
      expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: false, reason: 'account disabled', subject: { kind: 'user', id: opsId } });
      expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: false, reason: 'session revoked' });
    });

    it('a cookie session token presented as a bearer is not a view-as token', async () => {
      const { token } = await t.store.unitOfWork((tx) =>
        createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: contactId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      const [id, secret] = token.split('.');
      expect(await auth.authenticate(bearer(`cw_view_${id}_${secret}`))).toMatchObject({ ok: false, reason: 'unknown session' });
    });
  });

  describe('cookie sessions', () => {
    it('→ contact or user principal; idle expiry', async () => {
      const c = await t.store.unitOfWork((tx) => createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: contactId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      const u = await t.store.unitOfWork((tx) => createSession(tx, { kind: 'cookie', principalKind: 'user', principalId: opsId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      expect(await auth.authenticate(cookie(c.token))).toMatchObject({ ok: true, principal: { kind: 'contact', id: contactId, clientId, readOnly: false, credential: { type: 'session', id: c.row.id } } });
      expect(await auth.authenticate(cookie(u.token))).toMatchObject({ ok: true, principal: { kind: 'user', id: opsId, role: 'ops_admin' } });
      clock = at(45);
      expect(await auth.authenticate(cookie(c.token))).toMatchObject({ ok: false, reason: 'session idle for more than 30 minutes' });
    });

    it('the Authorization header decides alone when present', async () => {
      const c = await t.store.unitOfWork((tx) => createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: contactId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      const r = await auth.authenticate({ authorization: 'Bearer nope', cookie: `cw_session=${c.token}`, ip: null, userAgent: null });
      expect(r).toMatchObject({ ok: false, reason: 'unknown bearer token' });
    });

    it('a view-as token placed in the cookie is not a cookie session', async () => {
      const v = await t.store.unitOfWork((tx) =>
        createSession(tx, { kind: 'view_as', principalKind: 'contact', principalId: contactId, onBehalfOf: opsId, readOnly: true, ip: null, userAgent: null }, T0));
      expect(await auth.authenticate(cookie(v.token))).toMatchObject({ ok: false, reason: 'unknown session', method: 'session' });
    });
  });

  describe('offboarding', () => {
    it('a session cookie from a deactivated contact: 401 account disabled, and all its sessions, keys and links are revoked at once', async () => {
      const s1 = await t.store.unitOfWork((tx) => createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: contactId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      const s2 = await t.store.unitOfWork((tx) => createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: contactId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, T0));
      const k = await key({});
      await t.store.unitOfWork((tx) => tx.access.insertMagicLink({ tokenHash: 'h'.repeat(64), contactId, email: 'x', createdAt: T0, expiresAt: at(15), usedAt: null, revokedAt: null, ip: null }));
      await setContactStatus(t.store, contactId, 'inactive');

      const refused = await auth.authenticate(cookie(s1.token));
      expect(refused).toMatchObject({ ok: false, status: 401, reason: 'account disabled', method: 'session', credentialId: s1.row.id, subject: { kind: 'contact', id: contactId } });
      const access = t.store.repos.access;
      expect((await access.sessionById(s2.row.id))?.revokedAt).toBe(T0);
      expect((await access.keyById(k.row.id))?.revokedAt).toBe(T0);
      expect((await access.magicLink('h'.repeat(64)))?.revokedAt).toBe(T0);
      // Reactivating does not bring the old credentials back.
      await setContactStatus(t.store, contactId, 'active');
      expect(await auth.authenticate(cookie(s2.token))).toMatchObject({ ok: false, reason: 'session revoked' });
      expect(await auth.authenticate(bearer(k.key))).toMatchObject({ ok: false, reason: 'API key revoked' });
    });

    it('a key of a deleted contact, and of a disabled user, is refused and revoked', async () => {
      const k = await key({});
      await t.store.unitOfWork((tx) => tx.canonical.setDeleted('contact', [contactId], T0, T0));
      expect(await auth.authenticate(bearer(k.key))).toMatchObject({ ok: false, reason: 'account disabled' });
      expect((await t.store.repos.access.keyById(k.row.id))?.revokedAt).toBe(T0);
      const uk = await key({ ownerKind: 'user', ownerId: opsId });
      await t.store.unitOfWork((tx) => tx.access.updateUser(opsId, { status: 'disabled' }, T0));
      expect(await auth.authenticate(bearer(uk.key))).toMatchObject({ ok: false, reason: 'account disabled', subject: { kind: 'user', id: opsId } });
      expect(await auth.authenticate(bearer(uk.key))).toMatchObject({ ok: false, reason: 'API key revoked' });
    });
  });

  describe('JWT bearer tokens', () => {
    it('the claim maps to a user first, then to exactly one active contact', async () => {
      expect(await auth.authenticate(bearer(await jwks.sign({ email: 'OPS@staffing.example' })))).toMatchObject({
        ok: true, principal: { kind: 'user', id: opsId, credential: { type: 'jwt', subject: 'idp-subject-1' } },
      });
      expect(await auth.authenticate(bearer(await jwks.sign({ email: 'dana.reyes@client.example' })))).toMatchObject({
        ok: true, principal: { kind: 'contact', id: contactId, clientId, onBehalfOf: null, readOnly: false, limits: null },
      });
      expect(await auth.authenticate(bearer(await jwks.sign({ email: 'stranger@client.example' })))).toMatchObject({ ok: false, reason: 'no user or contact has the token e-mail' });
      await seedContact(t.store, clientId, 'twin@client.example');
      await seedContact(t.store, clientId, 'Twin@client.example');
      expect(await auth.authenticate(bearer(await jwks.sign({ email: 'twin@client.example' })))).toMatchObject({ ok: false, reason: 'the token e-mail matches several active contacts' });
    });

    it('an inactive contact behind a valid token: account disabled, credentials revoked', async () => {
      const k = await key({});
      await setContactStatus(t.store, contactId, 'inactive');
      expect(await auth.authenticate(bearer(await jwks.sign({ email: 'dana.reyes@client.example' })))).toMatchObject({ ok: false, reason: 'account disabled', subject: { kind: 'contact', id: contactId } });
      expect((await t.store.repos.access.keyById(k.row.id))?.revokedAt).toBe(T0);
    });

    it('the bad-token matrix answers 401 with a reason through the authenticator', async () => {
      const cases: Array<[Promise<string> | string, string]> = [
        [jwks.sign({ email: 'dana.reyes@client.example' }, { exp: nowS - 120 }), 'token expired'],
        [jwks.sign({ email: 'dana.reyes@client.example' }, { nbf: nowS + 300 }), 'token not yet valid'],
        [jwks.sign({ email: 'dana.reyes@client.example' }, { aud: 'other' }), 'wrong audience'],
        [jwks.sign({ email: 'dana.reyes@client.example' }, { iss: 'https://other.example' }), 'wrong issuer'],
        [jwks.sign({ email: 'dana.reyes@client.example' }, { kid: 'nope' }), 'unknown signing key (kid)'],
        [new UnsecuredJWT({ email: 'dana.reyes@client.example' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(nowS + 60).encode(), 'algorithm not allowed'],
        ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'bad signature'], // {"alg":"RS256"}, no kid: the only key is tried
        ['bm90IGpzb24.e30.c2ln', 'malformed token'], // the header is not JSON
      ];
      for (const [token, reason] of cases) {
        const r = await auth.authenticate(bearer(await token));
        expect(r).toMatchObject({ ok: false, status: 401, method: 'jwt', reason });
      }
    });

    it('without a configured issuer a JWT is refused with a reason', async () => {
      const plain = createAuthenticator({ store: t.store, now: () => clock, adminToken: null });
      expect(await plain.authenticate(bearer(await jwks.sign({ email: 'x@y.test' })))).toMatchObject({ ok: false, reason: expect.stringMatching(/no OIDC issuer/) as unknown });
    });
  });

  describe('admin token', () => {
    it('→ bootstrap principal when ≥ 32 characters; refused with a reason when shorter; a wrong token says nothing about length', async () => {
      expect(await auth.authenticate(bearer(ADMIN))).toEqual({
        ok: true, principal: { kind: 'bootstrap', id: 'admin-token', credential: { type: 'admin_token' }, readOnly: false, limits: null },
      });
      const short = createAuthenticator({ store: t.store, now: () => clock, adminToken: 'short-admin-token' });
      expect(await short.authenticate(bearer('short-admin-token'))).toMatchObject({ ok: false, method: 'admin_token', reason: expect.stringMatching(/at least 32 characters/) as unknown });
      expect(await short.authenticate(bearer('another-token'))).toMatchObject({ ok: false, reason: 'unknown bearer token' });
      expect(await auth.authenticate(bearer(ADMIN.slice(0, -1)))).toMatchObject({ ok: false, reason: 'unknown bearer token' });
    });
  });

  it('authFailureAudit builds the audit row of a refusal without any secret', async () => {
    const k = await key({});
    await t.store.unitOfWork((tx) => tx.access.revokeKey(k.row.id, T0));
    const r = await auth.authenticate(bearer(k.key));
    if (r.ok !== false) throw new Error('expected a refusal');
    const event = authFailureAudit(r, { at: T0, ip: '203.0.113.7', userAgent: 'vitest', requestId: 'req-1' });
    expect(event).toMatchObject({ action: 'auth.api_key', outcome: 'failure', reason: 'API key revoked', credential: `api_key:${k.row.id}`, actorType: 'anonymous', requestId: 'req-1' });
    await t.store.repos.audit.append([event]);
    const [stored] = await t.store.repos.audit.list({ limit: 1 });
    // The secret is everything after the id (base64url, which may itself hold an underscore).
    const secret = /^cw_live_[0-9a-f]{16}_(.+)$/.exec(k.key)?.[1] ?? '';
    expect(secret.length).toBeGreaterThan(40);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });
});
