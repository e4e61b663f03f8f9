import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/console/layout.ts';
import type { CrosswalkApp } from '../../src/http/app.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import {
  ATTRIBUTE_BREAKER, AUTH, basic, consoleApp, PARKED_ERROR, SCRIPT_NAME, seedConsoleWorld, TOKEN, USER, type ConsoleWorld,
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

describe('console sign-in', () => {
  it('answers 401 with a challenge and a reason to a request without credentials, on every path', async () => {
    for (const path of ['/console', '/console/conflicts', '/console/records/client/x', '/console/no-such-page']) {
      const r = await app.request(path);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="crosswalk console"/);
      expect(await r.text()).toContain('admin token as the password');
    }
    const r = await app.request(`/console/conflicts/${w.conflictId}/resolve`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ choice: 'incoming' }) });
    expect(r.status).toBe(401);
    expect(await conflictStatus()).toBe('open');
  });

  it('refuses a wrong password, a malformed header and an unusable user name', async () => {
    const cases: Array<[string, string]> = [
      [basic(USER, 'not-the-token'), 'not the admin token'],
      [basic(USER, `${TOKEN}x`), 'not the admin token'],
      ['Basic !!!', 'Sign in with'],
      [`Bearer ${TOKEN}`, 'Sign in with'],
      [basic('', TOKEN), 'user name of 1 to 64'],
      [basic('dana\u0007', TOKEN), 'user name of 1 to 64'],
      [basic('x'.repeat(65), TOKEN), 'user name of 1 to 64'],
    ];
    for (const [authorization, message] of cases) {
      const r = await app.request('/console', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(await r.text()).toContain(message);
    }
  });

  it('is closed, saying which variable to set, when no admin token is configured', async () => {
    for (const token of [null, '']) {
      const closed = consoleApp(t.store, w.policy, { adminToken: token });
      const r = await closed.request('/console', { headers: { authorization: basic(USER, '') } });
      expect(r.status).toBe(401);
      expect(await r.text()).toContain('CROSSWALK_ADMIN_TOKEN is unset');
    }
  });

  it('lets the admin token in and names the user on the page', async () => {
    const r = await app.request('/console', { headers: AUTH });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain(`signed in as ${USER}`);
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
      expect(text, path).not.toMatch(/<script|<img/i);
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    const record = await (await app.request(`/console/records/candidate/${w.candidateId}`, { headers: AUTH })).text();
    expect(record).toContain(escapedScript);
    expect(record).toContain(escapedBreaker);
    const outbox = await (await app.request('/console/outbox', { headers: AUTH })).text();
    expect(outbox).toContain('&lt;b&gt;email&lt;/b&gt;');
    expect(outbox).not.toContain(PARKED_ERROR);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('script-src');
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
