import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, disableUser } from '../../src/access/admin.ts';
import { createSession } from '../../src/access/credentials/sessions.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../src/config/index.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { buildHttpApp } from '../../src/serve.ts';
import type { UserRole } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

const PASSWORD = 'queue keeper password';
const ADMIN = 'ada@ops.example.test';
const VIEWER = 'vic@ops.example.test';
const CHALLENGE = 'Basic realm="crosswalk", charset="UTF-8"';

const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;

/**
 * Bull Board as `crosswalk serve` mounts it (buildHttpApp), on the inline queue, which answers a
 * plain page at /admin/queues, over a real HTTP server: the 401's `WWW-Authenticate` must survive
 * the whole stack, which hono's basicAuth did not (its thrown 401 became JSON without the header).
 */
describe('Bull Board at /admin/queues', () => {
  const temp = tempDir();
  let hub: Hub;
  let server: ServerHandle;
  const ids: Record<string, string> = {};

  const cookieFor = async (userId: string): Promise<string> =>
    hub.store().unitOfWork(async (tx) => {
      const { token } = await createSession(tx, { kind: 'cookie', principalKind: 'user', principalId: userId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, new Date().toISOString());
      return `cw_session=${token}`;
    });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
  const post = (path: string, headers: Record<string, string>, body = '{}') => fetch(`${server.url}${path}`, { method: 'POST', headers, body, redirect: 'manual' });

  beforeAll(async () => {
    const parsed = CrosswalkConfig.parse({ database: join(temp.dir, 'hub.sqlite'), mappings: join(temp.dir, 'mappings'), queue: { driver: 'inline' } });
    const config: LoadedConfig = { ...parsed, source: '(test)', root: temp.dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
    hub = new Hub(config, { logger: silentLogger() });
    const make = (email: string, role: UserRole) =>
      hub.store().unitOfWork(async (tx) => (await createUser(tx, { email, role, password: PASSWORD }, new Date().toISOString())).id);
    ids['admin'] = await make(ADMIN, 'ops_admin');
    ids['viewer'] = await make(VIEWER, 'viewer');
    ids['leaver'] = await make('leo@ops.example.test', 'ops_admin');
    server = await startServer(buildHttpApp(hub), { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await hub?.close();
    temp.dispose();
  });

  it('answers 401 with WWW-Authenticate to a request without credentials, on the page and under it', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate'), path).toBe(CHALLENGE);
      expect(await r.text()).not.toContain('inline queue');
    }
  });

  it('answers 401 with WWW-Authenticate to a wrong password, a malformed header and a dead session, and audits the failures', async () => {
    const cases: Array<Record<string, string>> = [
      { authorization: basic(ADMIN, 'not the password') },
      { authorization: basic('nobody@ops.example.test', PASSWORD) },
      { authorization: 'Basic !!!' },
      { authorization: 'Bearer cw_live_0123456789abcdef_x' },
      { cookie: 'cw_session=0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of cases) {
      const r = await get('/admin/queues', headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(CHALLENGE);
    }
    const failures = await hub.store().repos.audit.list({ outcome: 'failure', limit: 20 });
    expect(failures.filter((e) => e.action === 'session.sign_in').map((e) => e.reason)).toEqual(['unknown e-mail address', 'wrong password']);
    expect(failures.filter((e) => e.action === 'session.sign_in').every((e) => e.credential === 'basic' && e.ip === '127.0.0.1')).toBe(true);
    expect(failures.some((e) => e.action === 'auth.session' && e.reason === 'unknown session')).toBe(true);
  });

  it('lets an ops admin in with Basic e-mail:password or a console session cookie; other roles get 403', async () => {
    const byBasic = await get('/admin/queues', { authorization: basic(ADMIN, PASSWORD) });
    expect(byBasic.status).toBe(200);
    expect(await byBasic.text()).toContain('The inline queue runs jobs in-process');
    const byCookie = await get('/admin/queues', { cookie: await cookieFor(ids['admin'] ?? '') });
    expect(byCookie.status).toBe(200);
    expect((await get('/admin/queues', { authorization: basic(VIEWER, PASSWORD) })).status).toBe(403);
    expect((await get('/admin/queues', { cookie: await cookieFor(ids['viewer'] ?? '') })).status).toBe(403);
    const signIns = await hub.store().repos.audit.list({ action: 'session.sign_in', outcome: 'success', actorId: ids['admin'] ?? '', limit: 5 });
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({ actorType: 'user', credential: 'basic' });
  });

  it('refuses a cross-site POST (text/plain form, or a cross-site fetch with the cookie) with 403; a same-origin POST passes the guard', async () => {
    const auth = { authorization: basic(ADMIN, PASSWORD) };
    const cookie = await cookieFor(ids['admin'] ?? '');
    const forged: Array<Record<string, string>> = [
      { ...auth, 'content-type': 'text/plain', origin: 'http://evil.example.test' },
      { ...auth, 'content-type': 'text/plain' },
      { cookie, 'content-type': 'text/plain', origin: 'http://evil.example.test' },
      { cookie, 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'cross-site' },
      { cookie, 'content-type': 'text/plain', referer: 'http://evil.example.test/win' },
    ];
    for (const headers of forged) {
      const r = await post('/admin/queues/api/queues/sync/clean/completed', headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(await r.text()).toContain('Cross-origin request refused');
    }
    // Past the guard, the inline queue has no such route: hono's 404, not a refusal.
    const own = await post('/admin/queues/api/queues/sync/clean/completed', { cookie, 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(404);
  });

  it('shuts out a disabled ops admin on the next request, whether by Basic (even when remembered) or by session', async () => {
    const auth = { authorization: basic('leo@ops.example.test', PASSWORD) };
    const cookie = await cookieFor(ids['leaver'] ?? '');
    expect((await get('/admin/queues', auth)).status).toBe(200);
    expect((await get('/admin/queues', { cookie })).status).toBe(200);
    await hub.store().unitOfWork((tx) => disableUser(tx, ids['leaver'] ?? '', new Date().toISOString()));
    for (const headers of [auth, { cookie }]) {
      const r = await get('/admin/queues', headers);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(CHALLENGE);
    }
  });

  it('counts failed passwords together with the console: once the form is locked, so is Bull Board', async () => {
    // The console's form and Bull Board share one OpsSignIn (buildHttpApp): fail at the form until
    // it answers 429 (per e-mail or, from this one address, per IP), then try the right password here.
    // (A Basic credential verified in the last minutes is remembered and not re-checked: a fresh user.)
    const email = 'fay@ops.example.test';
    await hub.store().unitOfWork((tx) => createUser(tx, { email, role: 'ops_admin', password: PASSWORD }, new Date().toISOString()));
    let status = 0;
    for (let i = 0; i < 11 && status !== 429; i++) status = await consoleSignIn(server.url, email, `wrong ${i}`);
    expect(status).toBe(429);
    const r = await get('/admin/queues', { authorization: basic(email, PASSWORD) });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('900');
  });
});

/** One sign-in through the console's form (same origin); its status. */
async function consoleSignIn(url: string, email: string, password: string): Promise<number> {
  const r = await fetch(`${url}/console/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ email, password }).toString(),
  });
  return r.status;
}
