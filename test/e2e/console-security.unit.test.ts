import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, SHORTCUT_SCRIPT } from '../../src/http/console/layout.ts';
import type { CrosswalkApp } from '../../src/http/app.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { createGrant, disableUser } from '../../src/access/admin.ts';

const NOW_ISO = '2026-03-02T09:00:00.000Z';
import {
  ATTRIBUTE_BREAKER, AUTH, basic, consoleApp, createOpsUser, NOW, PARKED_ERROR, PASSWORD, SCRIPT_NAME, seedConsoleWorld, sessionCookieOf, signIn, TOKEN, USER,
  VIEWER, VIEWER_PASSWORD, type ConsoleWorld,
} from './support/console.ts';

let t: TempStore;
let w: ConsoleWorld;
let app: CrosswalkApp;
beforeEach(async () => {
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  app = consoleApp(t.store, w.policy);
});
afterEach(() => t.dispose());

const ORIGIN = 'http://localhost';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, headers: Record<string, string>, body = form({ choice: 'incoming' })) =>
  app.request(path, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
const conflictStatus = async () => (await t.store.repos.conflicts.get(w.conflictId))?.status;

const LOGIN = { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN };
/** A request as if from this address: hono hands the third argument to the app as `c.env` (node-server's shape). */
const fromIp = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });
const login = (fields: Record<string, string>, headers: Record<string, string> = {}, ip = '192.0.2.10') =>
  app.request('/console/login', { method: 'POST', headers: { ...LOGIN, ...headers }, body: form(fields) }, fromIp(ip));
const signIns = async () => (await t.store.repos.audit.list({ action: 'session.sign_in', limit: 100 })).reverse();

describe('console sign-in', () => {
  it('sends a browser without a session to the sign-in form, and refuses a POST with 401, on every path', async () => {
    for (const path of ['/console', '/console/conflicts', '/console/records/client/x', '/console/no-such-page']) {
      const r = await app.request(path);
      expect(r.status, path).toBe(303);
      expect(r.headers.get('location')).toBe('/console/login');
    }
    const r = await app.request(`/console/conflicts/${w.conflictId}/resolve`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ choice: 'incoming' }) });
    expect(r.status).toBe(401);
    expect(await r.text()).toContain('Sign in first; nothing was changed');
    expect(await conflictStatus()).toBe('open');
  });

  it('shows a sign-in form with no script, posting e-mail and password to this origin', async () => {
    const r = await app.request('/console/login');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const text = await r.text();
    expect(text).toContain('<form class="filters" method="post" action="/console/login">');
    expect(text).toMatch(/<input type="email" name="email"/);
    expect(text).toMatch(/<input type="password" name="password"/);
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toContain('signed in as');
  });

  it('signs an ops user in with a cookie session (HttpOnly, SameSite=Lax, not Secure on loopback), audited, and names her on the page', async () => {
    const r = await login({ email: ` ${USER.toUpperCase()} `, password: PASSWORD });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console');
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^cw_session=[0-9a-f]{32}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const cookie = sessionCookieOf(r);
    const page = await app.request('/console', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`signed in as ${USER}`);
    const [event] = await signIns();
    expect(event).toMatchObject({ actorType: 'user', actorId: w.opsUserId, outcome: 'success', ip: '192.0.2.10', targetType: 'user', targetId: w.opsUserId });
    expect(event?.credential).toMatch(/^session:[0-9a-f]{32}$/);
    // Signed in already: the form sends her on.
    const again = await app.request('/console/login', { headers: { cookie } });
    expect(again.status).toBe(303);
  });

  it('sets Secure on the cookie when the host is not loopback', async () => {
    const r = await app.request('http://ops.example.test/console/login', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://ops.example.test' }, body: form({ email: USER, password: PASSWORD }),
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('answers every failure with the same generic form and a 401, and audits each with its reason', async () => {
    await t.store.unitOfWork(async (tx) => {
      await tx.access.insertUser({ id: 'oidc-only', email: 'oidc@ops.example.test', name: null, role: 'ops_admin', passwordHash: null, status: 'active', createdAt: NOW, updatedAt: NOW });
    });
    const disabled = await createOpsUser(t.store, 'gone@ops.example.test', 'ops_admin', PASSWORD);
    await t.store.unitOfWork((tx) => disableUser(tx, disabled, NOW));
    const attempts: Array<[Record<string, string>, string]> = [
      [{ email: USER, password: `${PASSWORD}x` }, 'wrong password'],
      [{ email: USER, password: ` ${PASSWORD}` }, 'wrong password'],
      [{ email: 'nobody@ops.example.test', password: PASSWORD }, 'unknown e-mail address'],
      [{ email: 'oidc@ops.example.test', password: PASSWORD }, 'the user has no password (OIDC sign-in only)'],
      [{ email: 'gone@ops.example.test', password: PASSWORD }, 'account disabled'],
    ];
    for (const [fields] of attempts) {
      const r = await login(fields);
      expect(r.status, JSON.stringify(fields)).toBe(401);
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(r.headers.get('www-authenticate')).toBeNull();
      const text = await r.text();
      expect(text).toContain('Sign-in failed: the e-mail address or password is not right, or the account is disabled.');
      expect(text).not.toContain(fields['password'] ?? '');
    }
    expect((await signIns()).map((e) => [e.outcome, e.reason, e.credential])).toEqual(attempts.map(([, reason]) => ['failure', reason, 'form']));
    const malformed = await login({ email: USER });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('Enter your e-mail address and your password.');
    const json = await app.request('/console/login', { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
  });

  it('refuses a sign-in form posted from another origin', async () => {
    const r = await login({ email: USER, password: PASSWORD }, { origin: 'http://evil.example.test' });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('rate-limits failures per e-mail and per IP: then even the right password waits', async () => {
    for (let i = 0; i < 10; i++) expect((await login({ email: USER, password: `guess ${i} wrong` }, {}, '198.51.100.1')).status).toBe(401);
    const limited = await login({ email: USER, password: PASSWORD }, {}, '198.51.100.2');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('900');
    expect(await limited.text()).toContain('Too many failed sign-ins');
    // Another user from a fresh address is not held up; the first address is now spent for everyone.
    expect((await login({ email: VIEWER, password: VIEWER_PASSWORD }, {}, '198.51.100.3')).status).toBe(303);
    expect((await login({ email: VIEWER, password: VIEWER_PASSWORD }, {}, '198.51.100.1')).status).toBe(429);
    const reasons = (await signIns()).filter((e) => e.outcome === 'failure').map((e) => e.reason);
    expect(reasons).toContain('rate limited: too many failed sign-ins for this e-mail');
    expect(reasons).toContain('rate limited: too many failed sign-ins from this IP');
  });

  it('signs out: the session is revoked on the server, and the old cookie opens nothing', async () => {
    const cookie = await signIn(app);
    const out = await app.request('/console/logout', { method: 'POST', headers: { cookie, origin: ORIGIN } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/login');
    expect(out.headers.get('set-cookie')).toMatch(/^cw_session=; .*Max-Age=0/);
    const after = await app.request('/console', { headers: { cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.get('set-cookie')).toMatch(/^cw_session=;/);
    expect(await t.store.repos.audit.list({ action: 'session.sign_out', limit: 5 })).toEqual([expect.objectContaining({ actorId: w.opsUserId, outcome: 'success' })]);
  });

  it('ends the session of a user who is disabled, on the very next request', async () => {
    const cookie = await signIn(app);
    expect((await app.request('/console', { headers: { cookie } })).status).toBe(200);
    await t.store.unitOfWork((tx) => tx.access.updateUser(w.opsUserId, { status: 'disabled' }, NOW));
    expect((await app.request('/console', { headers: { cookie } })).status).toBe(303);
    const post = await app.request(`/console/conflicts/${w.conflictId}/resolve`, { method: 'POST', headers: { cookie, ...LOGIN }, body: form({ choice: 'incoming' }) });
    expect(post.status).toBe(401);
    expect(await conflictStatus()).toBe('open');
    expect(await t.store.repos.audit.list({ action: 'auth.session', limit: 5 })).toContainEqual(expect.objectContaining({ outcome: 'failure', reason: 'account disabled', actorId: w.opsUserId }));
  });

  it('takes Basic e-mail:password for scripts, and challenges a wrong or malformed one', async () => {
    expect((await app.request('/console', { headers: AUTH })).status).toBe(200);
    const cases: Array<[string, string]> = [
      [basic(USER, 'not-the-password'), 'Sign-in failed'],
      [basic(USER, TOKEN), 'Sign-in failed'],
      ['Basic !!!', 'send Authorization: Basic'],
      [`Bearer ${TOKEN}`, 'send Authorization: Basic'],
    ];
    for (const [authorization, message] of cases) {
      const r = await app.request('/console', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="crosswalk console"/);
      expect(await r.text()).toContain(message);
    }
  });

  it('lets a viewer read every page but change nothing (403); a coordinator may change', async () => {
    const viewer = { authorization: basic(VIEWER, VIEWER_PASSWORD) };
    expect((await app.request('/console/conflicts', { headers: viewer })).status).toBe(200);
    const refused = await post(`/console/conflicts/${w.conflictId}/resolve`, { ...viewer, origin: ORIGIN });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Your role (viewer) may read the console');
    expect((await post(`/console/outbox/${w.parkedId}/replay`, { ...viewer, origin: ORIGIN }, '')).status).toBe(403);
    expect(await conflictStatus()).toBe('open');
    const cora = await createOpsUser(t.store, 'cora@ops.example.test', 'coordinator', PASSWORD);
    // The console shows every client's sync data: a coordinator granted no client (or some) is refused.
    const scoped = await app.request('/console/conflicts', { headers: { authorization: basic('cora@ops.example.test', PASSWORD) } });
    expect(scoped.status).toBe(403);
    await t.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: cora, role: 'coordinator' }, 'test', NOW_ISO));
    const allowed = await post(`/console/conflicts/${w.conflictId}/resolve`, { authorization: basic('cora@ops.example.test', PASSWORD), origin: ORIGIN });
    expect(allowed.status).toBe(200);
    expect(await conflictStatus()).toBe('resolved');
  });
});

describe('console CSRF defence', () => {
  it('refuses a POST from another origin, by Origin or by Referer, and one with no proof of origin', async () => {
    const refused: Array<Record<string, string>> = [
      { origin: 'http://evil.example.test' },
      { origin: 'http://localhost:8601' },
      { origin: 'null' },
      { referer: 'http://evil.example.test/page' },
      { referer: 'not a url' },
      {},
      { origin: ORIGIN, 'sec-fetch-site': 'cross-site' },
      { origin: ORIGIN, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refused) {
      const r = await post(`/console/conflicts/${w.conflictId}/resolve`, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(await r.text()).toContain('nothing was changed');
    }
    const replay = await post(`/console/outbox/${w.parkedId}/replay`, { origin: 'http://evil.example.test' }, '');
    expect(replay.status).toBe(403);
    expect(await conflictStatus()).toBe('open');
    expect((await t.store.repos.outbox.get(w.parkedId))?.status).toBe('failed');
  });

  it('accepts a POST from its own origin (Origin, or Referer when Origin is absent)', async () => {
    const r = await post(`/console/conflicts/${w.conflictId}/resolve`, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
    expect(r.status).toBe(200);
    expect(await conflictStatus()).toBe('resolved');
    const replay = await post(`/console/outbox/${w.parkedId}/replay`, { referer: `${ORIGIN}/console/outbox` }, '');
    expect(replay.status).toBe(200);
    expect((await t.store.repos.outbox.get(w.parkedId))?.status).toBe('pending');
  });

  it('accepts a configured public origin (a TLS proxy in front)', async () => {
    const proxied = consoleApp(t.store, w.policy, { origins: ['https://ops.example.test/'] });
    const r = await proxied.request(`/console/conflicts/${w.conflictId}/resolve`, {
      method: 'POST', headers: { ...AUTH, origin: 'https://ops.example.test', 'content-type': 'application/x-www-form-urlencoded' }, body: form({ choice: 'current' }),
    });
    expect(r.status).toBe(200);
    expect(await conflictStatus()).toBe('resolved');
  });

  it('does not check the origin of reads', async () => {
    const r = await app.request('/console/conflicts', { headers: { ...AUTH, origin: 'http://evil.example.test', 'sec-fetch-site': 'cross-site' } });
    expect(r.status).toBe(200);
  });
});

describe('console escaping', () => {
  const escapedScript = '&lt;script&gt;alert(1)&lt;/script&gt;';
  const escapedBreaker = '&quot;&gt;&lt;img src=x onerror=alert(2)&gt;';

  it('renders vendor markup as text on every page that shows it, and forbids scripts outright', async () => {
    const pages = [
      `/console/records/candidate/${w.candidateId}`,
      `/console/ledger?entity=candidate`,
      `/console/runs/${w.pullRunId}`,
      `/console/outbox`,
    ];
    for (const path of pages) {
      const r = await app.request(path, { headers: AUTH });
      expect(r.status, path).toBe(200);
      const text = await r.text();
      expect(text, path).not.toContain(SCRIPT_NAME);
      expect(text, path).not.toContain(ATTRIBUTE_BREAKER);
      // The one script is the constant keyboard shortcut, allowed by its hash; nothing else.
      expect(text.replace(SHORTCUT_SCRIPT, ''), path).not.toMatch(/<script|<img/i);
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    const record = await (await app.request(`/console/records/candidate/${w.candidateId}`, { headers: AUTH })).text();
    expect(record).toContain(escapedScript);
    expect(record).toContain(escapedBreaker);
    const outbox = await (await app.request('/console/outbox', { headers: AUTH })).text();
    expect(outbox).toContain('&lt;b&gt;email&lt;/b&gt;');
    expect(outbox).not.toContain(PARKED_ERROR);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('escapes what the user typed when it echoes it back (filters, errors, the user name)', async () => {
    const typed = encodeURIComponent(SCRIPT_NAME);
    const filter = await app.request(`/console/ledger?system=${typed}`, { headers: AUTH });
    expect(filter.status).toBe(200);
    expect(await filter.text()).toContain(`value="${escapedScript}"`);
    const bad = await app.request(`/console/ledger?${typed}=1`, { headers: AUTH });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(badText).not.toContain(SCRIPT_NAME);
    expect(badText).toContain(escapedScript);
    const missing = await app.request(`/console/records/${typed}/x`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain(SCRIPT_NAME);
  });

  it('sends no-store and nosniff with every page', async () => {
    const r = await app.request('/console', { headers: AUTH });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
