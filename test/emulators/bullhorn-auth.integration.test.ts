/**
 * Bullhorn emulator, auth (docs/vendors.md §1.1) over real HTTP: discovery, authorization code, token,
 * single-use refresh tokens, REST login, and the 412/401 answers on restUrl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { obtainSession, restClient } from '../../fixtures/bullhorn/testing/client.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let now = T0;
let emu: RunningBullhornEmulator;

beforeAll(async () => {
  emu = await startBullhornEmulator({ now: () => now, sessionTtlMs: 5 * 60_000 });
});
afterAll(async () => {
  await emu.close();
});

const creds = () => emu.control.credentials;

async function authorizeCode(extra: Record<string, string> = {}): Promise<Response> {
  const u = new URL(`${emu.baseUrl}/oauth/authorize`);
  u.search = new URLSearchParams({
    client_id: creds().clientId,
    response_type: 'code',
    action: 'Login',
    username: creds().username,
    password: creds().password,
    ...extra,
  }).toString();
  return fetch(u, { redirect: 'manual' });
}

function codeFrom(res: Response): string {
  const location = res.headers.get('location');
  expect(location).not.toBeNull();
  const code = new URL(location ?? '').searchParams.get('code');
  expect(code).toBeTruthy();
  return code ?? '';
}

async function token(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(`${emu.baseUrl}/oauth/token`);
  u.search = new URLSearchParams({ client_id: creds().clientId, client_secret: creds().clientSecret, ...params }).toString();
  const res = await fetch(u, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function restLogin(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.baseUrl}/rest-services/login?version=*&access_token=${encodeURIComponent(accessToken)}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Bullhorn emulator auth', () => {
  it('answers loginInfo with oauthUrl and restUrl on this emulator', async () => {
    const res = await fetch(`${emu.baseUrl}/rest-services/loginInfo?username=${creds().username}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['oauthUrl']).toBe(`${emu.baseUrl}/oauth`);
    expect(body['restUrl']).toBe(`${emu.baseUrl}/rest-services`);
  });

  it('runs the whole flow: authorize → code → token → login → ping', async () => {
    const redirect = await authorizeCode({ state: 'st-42', redirect_uri: 'https://app.example/callback' });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://app.example/callback');
    expect(location.searchParams.get('state')).toBe('st-42');

    const tokens = await token({ grant_type: 'authorization_code', code: codeFrom(redirect), redirect_uri: 'https://app.example/callback' });
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(typeof tokens.body['access_token']).toBe('string');
    expect(typeof tokens.body['refresh_token']).toBe('string');

    const login = await restLogin(String(tokens.body['access_token']));
    expect(login.status).toBe(200);
    expect(login.body['restUrl']).toBe(`${emu.baseUrl}/rest-services/${emu.control.corpToken}/`);
    expect(String(login.body['BhRestToken'])).toMatch(/^[0-9a-f-]{36}$/);

    const ping = await restClient({ restUrl: String(login.body['restUrl']), BhRestToken: String(login.body['BhRestToken']) }).get('ping');
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ sessionExpires: now + 5 * 60_000 });
  });

  it('spends a code on its first exchange and refuses it after its TTL', async () => {
    const code = codeFrom(await authorizeCode());
    expect((await token({ grant_type: 'authorization_code', code })).status).toBe(200);
    const again = await token({ grant_type: 'authorization_code', code });
    expect(again.status).toBe(400);
    expect(again.body['error']).toBe('invalid_grant');

    const late = codeFrom(await authorizeCode());
    now += 3 * 60_000;
    expect((await token({ grant_type: 'authorization_code', code: late })).body['error']).toBe('invalid_grant');
  });

  it('shows the login page again, without a code, on bad user credentials; refuses an unknown client id', async () => {
    const bad = await authorizeCode({ password: 'wrong' });
    expect(bad.status).toBe(200);
    expect(bad.headers.get('location')).toBeNull();
    expect(await bad.text()).toContain('Invalid username or password');

    const badClient = await authorizeCode({ client_id: 'nope' });
    expect(badClient.status).toBe(400);
    await badClient.body?.cancel();
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const code = codeFrom(await authorizeCode());
    const res = await token({ grant_type: 'authorization_code', code, client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body['error']).toBe('invalid_client');
  });

  it('makes refresh tokens single-use: each refresh returns a new pair, the old token then fails', async () => {
    const first = await token({ grant_type: 'authorization_code', code: codeFrom(await authorizeCode()) });
    const oldRefresh = String(first.body['refresh_token']);
    const second = await token({ grant_type: 'refresh_token', refresh_token: oldRefresh });
    expect(second.status).toBe(200);
    expect(second.body['refresh_token']).not.toBe(oldRefresh);
    expect(second.body['access_token']).not.toBe(first.body['access_token']);

    const reuse = await token({ grant_type: 'refresh_token', refresh_token: oldRefresh });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid, expired, or revoked refresh token.' });

    const third = await token({ grant_type: 'refresh_token', refresh_token: String(second.body['refresh_token']) });
    expect(third.status).toBe(200);
    expect((await restLogin(String(third.body['access_token']))).status).toBe(200);
  });

  it('lets an access token log in for 10 minutes only', async () => {
    const tokens = await token({ grant_type: 'authorization_code', code: codeFrom(await authorizeCode()) });
    now += 9 * 60_000;
    expect((await restLogin(String(tokens.body['access_token']))).status).toBe(200);
    now += 61_000;
    const late = await restLogin(String(tokens.body['access_token']));
    expect(late.status).toBe(401);
    expect(late.body['errorMessage']).toBe('Invalid or expired OAuth access token.');
  });

  it('answers 412 without a BhRestToken and 401 with the documented body for a bad one', async () => {
    const session = await obtainSession(emu.baseUrl, creds());
    const missing = await fetch(`${session.restUrl}ping`);
    expect(missing.status).toBe(412);
    await missing.body?.cancel();

    const bad = await fetch(`${session.restUrl}ping?BhRestToken=00000000-0000-0000-0000-000000000000`);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      errorMessage: "Bad 'BhRestToken' or timed-out.",
      errorMessageKey: 'errors.authentication.invalidRestToken',
      errorCode: 401,
    });

    const viaHeader = await fetch(`${session.restUrl}ping`, { headers: { BHRestToken: session.BhRestToken } });
    expect(viaHeader.status).toBe(200);
    await viaHeader.body?.cancel();
    const viaCookie = await fetch(`${session.restUrl}ping`, { headers: { cookie: `BhRestToken=${session.BhRestToken}` } });
    expect(viaCookie.status).toBe(200);
    await viaCookie.body?.cancel();
  });

  it('times a session out after its idle TTL and ends it on logout', async () => {
    const idle = restClient(await obtainSession(emu.baseUrl, creds()));
    now += 4 * 60_000;
    expect((await idle.get('ping')).status).toBe(200);
    now += 4 * 60_000; // still alive: the previous call restarted the idle timer
    expect((await idle.get('ping')).status).toBe(200);
    now += 5 * 60_000 + 1;
    expect((await idle.get('ping')).status).toBe(401);

    const other = restClient(await obtainSession(emu.baseUrl, creds()));
    expect((await other.get('logout')).body).toEqual({ logout: 'OK' });
    expect((await other.get('ping')).status).toBe(401);
  });

  it('honours the login ttl parameter (minutes)', async () => {
    const tokens = await token({ grant_type: 'authorization_code', code: codeFrom(await authorizeCode()) });
    const res = await fetch(`${emu.baseUrl}/rest-services/login?version=*&ttl=1&access_token=${encodeURIComponent(String(tokens.body['access_token']))}`);
    const body = (await res.json()) as { restUrl: string; BhRestToken: string };
    const client = restClient(body);
    expect((await client.get('ping')).body).toEqual({ sessionExpires: now + 60_000 });
    now += 60_001;
    expect((await client.get('ping')).status).toBe(401);
  });
});
