/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { createSession } from '../../src/access/credentials/sessions.ts';
import { SpoolMailer } from '../../src/access/mail/mailer.ts';
import { applyLocalChange, Engine, ownedFields, StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { seedWorld, startHarness, TOKEN, type Harness, type World } from './support.ts';

/**
 * The access flows end to end over HTTP: bootstrap, keys, grants and roles that never cross clients,
 * the magic-link sign-in with its confirmation page and single use, cookie writes from another site,
 * Idempotency-Key, offboarding through the API, and the audit of all of it.
 */

let h: Harness;
let w: World;
let spool: string;

beforeAll(async () => {
  spool = mkdtempSync(join(tmpdir(), 'crosswalk-spool-'));
  h = await startHarness({ mailer: new SpoolMailer(spool, 'Crosswalk <no-reply@example.test>') });
  w = await seedWorld(h);
  // The approver needs an e-mail address to receive a link.
  await h.store.unitOfWork(async (tx) =>
    applyLocalChange(tx, h.policy, { entity: 'contact', canonicalId: w.approverId, changes: { email: 'mira.okafor@harbor.example.test' }, actor: 'seed' }, h.now()),
  );
});

afterAll(async () => {
  await h.close();
  rmSync(spool, { recursive: true, force: true });
});

describe('bootstrap', () => {
  it('the admin token creates the first ops admin only, and nothing else', async () => {
    // The harness made an ops admin already: the token may no longer create users.
    const again = await h.call('POST', '/api/v1/users', { token: TOKEN, body: { email: 'second@staff.example.test', role: 'ops_admin' } });
    expect(again.status).toBe(403);
    const read = await h.call('GET', '/api/v1/records/client', { token: TOKEN });
    expect(read.status).toBe(403);
  });

  it('refuses an admin token shorter than 32 characters', async () => {
    const short = 'short-token-1234';
    const app = createApp({ store: h.store, policy: h.policy, adminToken: short, systems: [] });
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const r = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${short}` } });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/32/);
    } finally {
      await server.close();
    }
  });

  it('a fresh hub: the token creates the first ops admin, who then signs in with a key', async () => {
    const fresh = await startHarness();
    try {
      await fresh.store.unitOfWork(async (tx) => {
        const users = await tx.access.listUsers();
        for (const u of users) await tx.access.updateUser(u.id, { status: 'disabled' }, fresh.now());
      });
      const created = await fresh.call('POST', '/api/v1/users', { token: TOKEN, body: { email: 'First@Staff.example.test', role: 'ops_admin', password: 'correct horse battery' } });
      expect(created.status).toBe(201);
      expect(created.json.data).toMatchObject({ email: 'first@staff.example.test', role: 'ops_admin', hasPassword: true });
      expect(created.text).not.toContain('scrypt');
      const twice = await fresh.call('POST', '/api/v1/users', { token: TOKEN, body: { email: 'other@staff.example.test', role: 'ops_admin' } });
      expect(twice.status).toBe(403);
    } finally {
      await fresh.close();
    }
  });
});

describe('API keys over the API', () => {
  it('a contact creates its own key (shown once), lists it without the secret, and revokes it', async () => {
    const own = await h.keyFor({ contactId: w.approverId });
    const created = await h.call('POST', '/api/v1/keys', { token: own, body: { name: 'scheduler script', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const key = String(created.json.key);
    expect(key).toMatch(/^cw_live_[0-9a-f]{16}_/);
    const me = await h.call('GET', '/api/v1/me', { token: key });
    expect(me.json.data.principal).toMatchObject({ kind: 'contact', id: w.approverId });
    const write = await h.call('POST', `/api/v1/time-entries/${w.submittedEntryIds[0] ?? ''}/approve`, { token: key, body: {} });
    expect(write.status).toBe(403);
    const list = await h.call('GET', '/api/v1/keys', { token: own });
    // The secret is everything after the id (base64url, which may itself hold an underscore).
    const secret = /^cw_live_[0-9a-f]{16}_(.+)$/.exec(key)?.[1] ?? '';
    expect(secret.length).toBeGreaterThan(40);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain('secretHash');
    const revoked = await h.call('POST', `/api/v1/keys/${String(created.json.data.id)}/revoke`, { token: own });
    expect(revoked.status).toBe(200);
    expect((await h.call('GET', '/api/v1/me', { token: key })).status).toBe(401);
    // Another contact cannot revoke (or learn of) this contact's key.
    const other = await h.keyFor({ contactId: w.requesterId });
    expect((await h.call('POST', `/api/v1/keys/${String(created.json.data.id)}/revoke`, { token: other })).status).toBe(404);
  });

  it('a key narrowed to a worksite sees only that worksite', async () => {
    const narrowed = await h.keyFor({ contactId: w.approverId }, { worksiteId: w.otherWorksiteId });
    const sites = await h.call('GET', '/api/v1/records/worksite', { token: narrowed });
    expect(sites.json.data).toEqual([]);
  });
});

describe('roles never cross clients', () => {
  it('an API role at another client’s worksite is a 422 with the reason', async () => {
    const foreignWorksite = (await h.store.repos.canonical.list('worksite', { where: { clientId: w.otherClientId }, limit: 1 }))[0]?.id ?? '';
    const r = await h.call('POST', '/api/v1/contact-roles', { body: { contactId: w.approverId, worksiteId: foreignWorksite, role: 'approver' } });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/never crosses clients/);
    const g = await h.call('POST', '/api/v1/grants', { body: { contactId: w.approverId, role: 'client_admin', clientId: w.otherClientId } });
    expect(g.status).toBe(422);
  });

  it('a synced role that crosses clients is rejected by the engine, with a ledger row', async () => {
    const foreignWorksite = (await h.store.repos.canonical.list('worksite', { where: { clientId: w.otherClientId }, limit: 1 }))[0]?.id ?? '';
    const policy = new StaticPolicy({
      inbound: { 'csv:billing': { contact_worksite_role: { fields: new Map(ownedFields('csv:billing', ['contactId', 'worksiteId', 'role'])), match: { byEmail: false, unmatched: 'create' } } } },
      outbound: {},
    });
    const engine = new Engine(h.store, { policy, now: h.now });
    const before = await h.store.repos.canonical.count('contact_worksite_role');
    await engine.apply({
      system: 'csv:billing', entity: 'contact_worksite_role',
      records: [
        { externalId: 'R-1', sourceModifiedAt: null, values: { contactId: w.approverId, worksiteId: foreignWorksite, role: 'approver' } },
        // The good row beside the bad one still applies.
        { externalId: 'R-2', sourceModifiedAt: null, values: { contactId: w.requesterId, worksiteId: w.otherWorksiteId, role: 'requester' } },
      ],
    });
    expect(await h.store.repos.canonical.count('contact_worksite_role')).toBe(before + 1);
    const rejected = await h.store.repos.ledger.query({ system: 'csv:billing', outcome: 'rejected', limit: 5 });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ externalId: 'R-1', entity: 'contact_worksite_role' });
    expect(rejected[0]?.reason).toMatch(/never crosses clients/);
  });

  it('a client admin manages its own client’s contacts, and another client admin gets 404', async () => {
    await h.call('POST', '/api/v1/grants', { body: { contactId: w.requesterId, role: 'client_admin', clientId: w.clientId } });
    const admin = await h.keyFor({ contactId: w.requesterId });
    const ok = await h.call('POST', '/api/v1/contact-roles', { token: admin, body: { contactId: w.plainContactId, worksiteId: w.worksiteId, role: 'hr' } });
    expect(ok.status).toBe(201);
    const foreign = await h.call('POST', '/api/v1/contact-roles', { token: admin, body: { contactId: w.foreignContactId, worksiteId: w.worksiteId, role: 'hr' } });
    expect(foreign.status).toBe(404);
  });
});

describe('magic-link sign-in', () => {
  const request = (email: string) => h.call('POST', '/api/v1/auth/magic-link', { token: null, body: { email } });
  const latestMail = () => {
    const files = readdirSync(spool).sort();
    const last = files.at(-1);
    return last ? readFileSync(join(spool, last), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=') : '';
  };

  it('answers the same for a known and an unknown address, and mails only the known one', async () => {
    const known = await request('Mira.Okafor@harbor.example.test');
    const unknown = await request('nobody@harbor.example.test');
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(spool)).toHaveLength(1);
    expect(latestMail()).toContain('/auth/magic-link?token=');
  });

  it('the link opens a page (no sign-in on GET), its button signs in once, and a second use is refused', async () => {
    const token = /\/auth\/magic-link\?token=([A-Za-z0-9_-]+)/.exec(latestMail())?.[1] ?? '';
    expect(token).not.toBe('');
    const page = await fetch(`${h.url}/auth/magic-link?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('<form method="post"');
    const post = await fetch(`${h.url}/auth/magic-link`, { method: 'POST', body: new URLSearchParams({ token }), headers: { origin: h.url } });
    expect(post.status).toBe(200);
    const cookie = post.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^cw_session=[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const session = cookie.split(';')[0] ?? '';
    const me = await h.call('GET', '/api/v1/me', { token: null, headers: { cookie: session } });
    expect(me.json.data.principal).toMatchObject({ kind: 'contact', id: w.approverId, credential: 'session' });
    const reuse = await fetch(`${h.url}/auth/magic-link`, { method: 'POST', body: new URLSearchParams({ token }), headers: { origin: h.url } });
    expect(reuse.status).toBe(401);
    // A form on another site cannot spend a link (login CSRF).
    const crossSite = await fetch(`${h.url}/auth/magic-link`, { method: 'POST', body: new URLSearchParams({ token: 'x' }), headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);

    // A write with the cookie from another site is refused; from this origin it goes through.
    const entry = w.submittedEntryIds[2] ?? '';
    const cross = await h.call('POST', `/api/v1/time-entries/${entry}/approve`, { token: null, body: {}, headers: { cookie: session, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const same = await h.call('POST', `/api/v1/time-entries/${entry}/approve`, { token: null, body: {}, headers: { cookie: session, origin: h.url } });
    expect(same.status).toBe(200);

    const signIns = await h.store.repos.audit.list({ action: 'session.sign_in', limit: 10 });
    expect(signIns.map((e) => e.outcome).sort()).toEqual(['failure', 'success']);
  });

  it('rate-limits requests per address without changing the answer', async () => {
    const before = readdirSync(spool).length;
    for (let i = 0; i < 8; i++) expect((await request('mira.okafor@harbor.example.test')).status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    // One was sent in the first test; the window allows five per address.
    expect(readdirSync(spool).length - before).toBe(4);
    const limited = await h.store.repos.audit.list({ action: 'session.magic_link_request', outcome: 'failure', limit: 50 });
    expect(limited.some((e) => e.reason?.includes('rate limited'))).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for a retry, refuses the same key with another body, and keys are per caller', async () => {
    const key = await h.keyFor({ contactId: w.approverId });
    const body = { worksiteId: w.worksiteId, title: 'Press operator', employmentType: 'contract', openings: 1 };
    const first = await h.call('POST', '/api/v1/requisitions', { token: key, body, headers: { 'idempotency-key': 'req-42' } });
    expect(first.status).toBe(201);
    const retry = await h.call('POST', '/api/v1/requisitions', { token: key, body, headers: { 'idempotency-key': 'req-42' } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json.data.id).toBe(first.json.data.id);
    const requisitions = await h.store.repos.canonical.list('requisition', { where: { title: 'Press operator' }, limit: 10 });
    expect(requisitions).toHaveLength(1);
    const other = await h.call('POST', '/api/v1/requisitions', { token: key, body: { ...body, openings: 3 }, headers: { 'idempotency-key': 'req-42' } });
    expect(other.status).toBe(422);
    const otherCaller = await h.keyFor({ contactId: w.requesterId });
    const theirs = await h.call('POST', '/api/v1/requisitions', { token: otherCaller, body, headers: { 'idempotency-key': 'req-42' } });
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('offboarding and the audit', () => {
  it('deactivating a contact through the API revokes its key at once; the audit shows who did it', async () => {
    const victimKey = await h.keyFor({ contactId: w.plainContactId });
    expect((await h.call('GET', '/api/v1/me', { token: victimKey })).status).toBe(200);
    const r = await h.call('POST', `/api/v1/contacts/${w.plainContactId}/deactivate`);
    expect(r.status).toBe(200);
    expect(r.json.revoked.keys).toBeGreaterThanOrEqual(1);
    expect((await h.call('GET', '/api/v1/me', { token: victimKey })).status).toBe(401);
    const audit = await h.call('GET', `/api/v1/audit?action=contact.deactivate&targetId=${w.plainContactId}`);
    expect(audit.json.data[0]).toMatchObject({ actorType: 'user', actorId: h.opsUserId, outcome: 'success', targetType: 'contact' });
  });

  it('a disabled ops user’s key stops at once, and the audit is for ops admins only', async () => {
    const coordinatorKey = await h.keyFor({ userRole: 'coordinator' });
    const me = await h.call('GET', '/api/v1/me', { token: coordinatorKey });
    const userId = String(me.json.data.principal.id);
    expect((await h.call('GET', '/api/v1/audit', { token: coordinatorKey })).status).toBe(403);
    expect((await h.call('POST', `/api/v1/users/${userId}/disable`)).status).toBe(200);
    expect((await h.call('GET', '/api/v1/me', { token: coordinatorKey })).status).toBe(401);
    const keyId = /^cw_live_([0-9a-f]{16})_/.exec(coordinatorKey)?.[1] ?? '';
    const failures = await h.call('GET', '/api/v1/audit?action=auth.api_key&outcome=failure');
    expect(failures.json.data.some((e: { credential: string }) => e.credential === `api_key:${keyId}`)).toBe(true);
    expect(JSON.stringify(failures.json)).not.toContain(coordinatorKey);
  });
});

describe('what an attacker probe of the running server found (each now refused)', () => {
  const grantTo = (userId: string, clientId: string | null) =>
    h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: userId, role: 'coordinator', ...(clientId === null ? {} : { clientId }) }, 'test', h.now()));
  const meId = async (key: string) => String((await h.call('GET', '/api/v1/me', { token: key })).json.data.principal.id);

  it('a coordinator granted one client cannot widen its own grants, nor touch another client’s', async () => {
    const key = await h.keyFor({ userRole: 'coordinator' });
    const id = await meId(key);
    await grantTo(id, w.otherClientId);
    expect((await h.call('POST', '/api/v1/grants', { token: key, body: { userId: id, role: 'coordinator' } })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/grants', { token: key, body: { contactId: w.approverId, role: 'client_admin', clientId: w.clientId } })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/grants?clientId=${w.clientId}`, { token: key })).status).toBe(403);
    const adminGrant = (await h.store.repos.access.listGrants({ clientId: w.clientId }))[0];
    if (adminGrant) expect((await h.call('POST', `/api/v1/grants/${adminGrant.id}/revoke`, { token: key })).status).toBe(404);
    // Its own client's contacts it may manage.
    expect((await h.call('POST', '/api/v1/grants', { token: key, body: { contactId: w.foreignContactId, role: 'client_admin', clientId: w.otherClientId } })).status).toBe(201);
  });

  it('only an ops admin makes a key that acts as a contact, and disabling that admin revokes it', async () => {
    const coordinator = await h.keyFor({ userRole: 'coordinator' });
    await grantTo(await meId(coordinator), null);
    expect((await h.call('POST', '/api/v1/keys', { token: coordinator, body: { name: 'imp', contactId: w.approverId } })).status).toBe(403);
    const secondOps = await h.keyFor({ userRole: 'ops_admin' });
    const minted = await h.call('POST', '/api/v1/keys', { token: secondOps, body: { name: 'for mira', contactId: w.approverId } });
    expect(minted.status).toBe(201);
    const contactKey = String(minted.json.key);
    expect((await h.call('GET', '/api/v1/me', { token: contactKey })).status).toBe(200);
    expect((await h.call('POST', `/api/v1/users/${await meId(secondOps)}/disable`)).status).toBe(200);
    expect((await h.call('GET', '/api/v1/me', { token: contactKey })).status).toBe(401);
  });

  it('a magic link never points at the Host the request named', async () => {
    const { request } = await import('node:http');
    const { port } = new URL(h.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/magic-link', headers: { host: 'attacker.example', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ email: 'mira.okafor@harbor.example.test' }));
    });
    expect(status).toBe(501);
  });

  it('no secret is stored for replay, and a replay is per credential', async () => {
    const own = await h.keyFor({ contactId: w.approverId });
    const r = await h.call('POST', '/api/v1/keys', { token: own, body: { name: 'retry' }, headers: { 'idempotency-key': 'k-1' } });
    expect(r.status).toBe(400);
    const stored = h.store.db.prepare('SELECT response_body FROM idempotency_keys').pluck().all() as Array<string | null>;
    for (const body of stored) expect(body ?? '').not.toMatch(/cw_(live|view)_/);
  });

  it('a key never outlives the key that made it, and bad expiry times are a 400', async () => {
    const soon = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const parent = await h.keyFor({ contactId: w.approverId }, { expiresAt: soon });
    const child = await h.call('POST', '/api/v1/keys', { token: parent, body: { name: 'child' } });
    expect(child.status).toBe(201);
    expect(child.json.data.expiresAt).toBe(soon);
    for (const expiresAt of ['garbage', '2000-01-01T00:00:00Z', '+275760-09-14T00:00:00.000Z']) {
      expect((await h.call('POST', '/api/v1/keys', { token: parent, body: { name: 'x', expiresAt } })).status).toBe(400);
    }
  });

  it('a staff key narrowed to one client sees only that client, and cannot mint view-as', async () => {
    const key = await h.keyFor({ userRole: 'coordinator' });
    const id = await meId(key);
    await grantTo(id, w.clientId);
    await grantTo(id, w.otherClientId);
    const narrowed = await h.keyFor({ userRole: 'coordinator' }, { ownerId: id, clientId: w.clientId });
    expect((await h.call('GET', `/api/v1/records/client/${w.otherClientId}`, { token: narrowed })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/records/client/${w.clientId}`, { token: narrowed })).status).toBe(200);
    const ops = await h.keyFor({ userRole: 'ops_admin' });
    const narrowOps = await h.keyFor({ userRole: 'ops_admin' }, { ownerId: await meId(ops), worksiteId: w.worksiteId });
    expect((await h.call('POST', '/api/v1/view-as', { token: narrowOps, body: { contactId: w.elsewhereApproverId } })).status).toBe(403);
  });

  it('refuses an oversized sign-in form and a sign-out by session id alone', async () => {
    const big = await fetch(`${h.url}/auth/magic-link`, { method: 'POST', body: `token=${'a'.repeat(100_000)}`, headers: { origin: h.url, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(big.status).toBe(413);
    const session = await h.store.unitOfWork(async (tx) =>
      (await createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: w.approverId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, h.now())).token,
    );
    const id = session.split('.')[0] ?? '';
    await fetch(`${h.url}/auth/logout`, { method: 'POST', headers: { cookie: `cw_session=${id}.garbage`, origin: h.url } });
    expect((await h.call('GET', '/api/v1/me', { token: null, headers: { cookie: `cw_session=${session}` } })).status).toBe(200);
  });

  it('a client admin learns nothing of another client’s contacts from the approver change', async () => {
    await h.call('POST', '/api/v1/grants', { body: { contactId: w.approverId, role: 'client_admin', clientId: w.clientId } });
    const admin = await h.keyFor({ contactId: w.approverId });
    const foreign = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { token: admin, body: { contactId: w.foreignContactId } });
    const missing = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { token: admin, body: { contactId: '01900000-0000-7000-8000-000000000000' } });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.message.replace(w.foreignContactId, 'X')).toBe(missing.json.error.message.replace('01900000-0000-7000-8000-000000000000', 'X'));
  });
});

describe('what a review of the access code found (each now refused)', () => {
  const meId = async (key: string) => String((await h.call('GET', '/api/v1/me', { token: key })).json.data.principal.id);

  it('a narrowed key makes keys only inside its own narrowing', async () => {
    const narrowed = await h.keyFor({ contactId: w.approverId }, { worksiteId: w.worksiteId });
    const beside = await h.call('POST', '/api/v1/keys', { token: narrowed, body: { name: 'beside', worksiteId: w.otherWorksiteId } });
    expect(beside.status).toBe(422);
    const inside = await h.call('POST', '/api/v1/keys', { token: narrowed, body: { name: 'inside' } });
    expect(inside.json.data.worksiteId).toBe(w.worksiteId);
  });

  it('an ops admin key narrowed to one client has no power that spans clients', async () => {
    const ops = await h.keyFor({ userRole: 'ops_admin' });
    const narrowed = await h.keyFor({ userRole: 'ops_admin' }, { ownerId: await meId(ops), clientId: w.otherClientId });
    expect((await h.call('GET', '/api/v1/audit', { token: narrowed })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/users', { token: narrowed, body: { email: 'escape@staff.example.test', role: 'ops_admin' } })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/grants', { token: narrowed, body: { contactId: w.requesterId, role: 'client_admin', clientId: w.clientId } })).status).toBe(404);
    const keys = await h.call('GET', '/api/v1/keys', { token: narrowed });
    expect(keys.json.data.every((k: { ownerId: string }) => k.ownerId === keys.json.data[0]?.ownerId)).toBe(true);
  });

  it('a coordinator granted one worksite cannot mint view-as (the contact may see more)', async () => {
    const key = await h.keyFor({ userRole: 'coordinator' });
    const id = await meId(key);
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: id, role: 'coordinator', worksiteId: w.worksiteId }, 'test', h.now()));
    expect((await h.call('POST', '/api/v1/view-as', { token: key, body: { contactId: w.approverId } })).status).toBe(403);
  });

  it('a role row that crosses clients shows nobody across (contact and role scopes)', async () => {
    const { newId } = await import('../../src/lib/ids.ts');
    const planted = newId();
    // Written the way an old import could have, before the rule existed: straight into the table.
    h.store.db.prepare('INSERT INTO contact_worksite_roles (id, revision, created_at, updated_at, contact_id, worksite_id, role) VALUES (?, 1, ?, ?, ?, ?, ?)')
      .run(planted, h.now(), h.now(), w.foreignContactId, w.worksiteId, 'requester');
    const approver = await h.keyFor({ contactId: w.approverId });
    expect((await h.call('GET', `/api/v1/records/contact/${w.foreignContactId}`, { token: approver })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/records/contact_worksite_role/${planted}`, { token: approver })).status).toBe(404);
  });

  it('staff granted a worksite see no client-wide invoices; a client admin lists no staff grants', async () => {
    const key = await h.keyFor({ userRole: 'recruiter' });
    const id = await meId(key);
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: id, role: 'recruiter', worksiteId: w.worksiteId }, 'test', h.now()));
    const invoice = await h.store.unitOfWork(async (tx) =>
      (await applyLocalChange(tx, h.policy, { entity: 'invoice', changes: { clientId: w.clientId, number: 'INV-R-1', issueDate: '2026-03-01', dueDate: null, periodStart: null, periodEnd: null, status: 'issued', totalCents: 100, currency: 'USD' }, actor: 'seed' }, h.now())).canonicalId,
    );
    expect((await h.call('GET', `/api/v1/records/invoice/${invoice}`, { token: key })).status).toBe(404);
    await h.call('POST', '/api/v1/grants', { body: { contactId: w.requesterId, role: 'client_admin', clientId: w.clientId } });
    const admin = await h.keyFor({ contactId: w.requesterId });
    const grants = await h.call('GET', '/api/v1/grants', { token: admin });
    expect(grants.status).toBe(200);
    expect(grants.json.data.every((g: { subjectKind: string }) => g.subjectKind === 'contact')).toBe(true);
  });
});
