/**
 * Bullhorn emulator rate limit and fault switches over real HTTP: 429 past the per-minute limit
 * (no rate-limit headers), latency, a seeded 5xx rate, 429 storms, a connection dropped
 * mid-response, expired sessions, listings that break halfway or come back empty, and the HTTP
 * mirror under /_control.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { obtainSession, restClient, type RestClient } from '../../fixtures/bullhorn/testing/client.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let now = T0;
let emu: RunningBullhornEmulator;
let api: RestClient;

beforeAll(async () => {
  emu = await startBullhornEmulator({ dataset: sampleDataset(), now: () => now, sessionTtlMs: 86_400_000, seed: 7 });
  api = restClient(await obtainSession(emu.baseUrl, emu.control.credentials));
});
afterEach(() => {
  emu.control.faults.clear();
  emu.control.setListingBroken(null);
  emu.control.setListingEmpty(false);
  emu.control.setRateLimit(1500);
});
afterAll(async () => {
  await emu.close();
});

const ping = async () => (await api.get('ping')).status;

describe('Bullhorn emulator rate limit', () => {
  it('answers 429 past the per-minute limit, without rate-limit headers, until the next window', async () => {
    emu.control.setRateLimit(5);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push(await ping());
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await api.get('ping');
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ errorCode: 429 });
    for (const header of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) expect(res.headers.get(header)).toBeNull();
    now += 60_000;
    expect(await ping()).toBe(200);
  });

  it('counts requests and resets the count', async () => {
    emu.control.resetRequestCount();
    await ping();
    await api.get('entity/Candidate/48001', { fields: 'id' });
    expect(emu.control.requestCount()).toBe(2);
    expect(emu.control.stats().byStatus).toEqual({ '200': 2 });
    emu.control.resetRequestCount();
    expect(emu.control.requestCount()).toBe(0);
  });
});

describe('Bullhorn emulator fault switches', () => {
  it('adds latency', async () => {
    emu.control.faults.set({ latency: { fixedMs: 150, jitterMs: 20 } });
    const started = performance.now();
    expect(await ping()).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('answers 5xx at the configured rate, the same sequence for the same seed', async () => {
    emu.control.faults.set({ errorRate: 1, errorStatus: 503 });
    const all = await api.get('ping');
    expect(all.status).toBe(503);
    expect(all.body).toMatchObject({ errorCode: 503 });

    const sequence = async (target: RunningBullhornEmulator): Promise<number[]> => {
      target.control.faults.clear();
      target.control.faults.set({ errorRate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const res = await fetch(`${target.baseUrl}/rest-services/loginInfo?username=x`);
        await res.body?.cancel();
        out.push(res.status);
      }
      return out;
    };
    const twin = await startBullhornEmulator({ seed: 7 });
    try {
      const a = await sequence(emu);
      const b = await sequence(twin);
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
    } finally {
      await twin.close();
    }
  });

  it('runs a 429 storm for the next N requests, or for a duration on the emulator clock', async () => {
    emu.control.faults.set({ rateLimitStorm: { requests: 3 } });
    expect([await ping(), await ping(), await ping(), await ping()]).toEqual([429, 429, 429, 200]);
    emu.control.faults.set({ rateLimitStorm: { durationMs: 30_000 } });
    expect(await ping()).toBe(429);
    now += 29_999;
    expect(await ping()).toBe(429);
    now += 1;
    expect(await ping()).toBe(200);
  });

  it('drops the connection mid-response on the Nth request', async () => {
    emu.control.faults.set({ dropConnection: { onRequest: 2 } });
    expect(await ping()).toBe(200);
    await expect(api.get('search/Candidate', { query: 'isDeleted:0', fields: 'id,firstName,lastName', count: 100 })).rejects.toThrow();
    expect(emu.control.stats().droppedConnections).toBe(1);
    expect(await ping()).toBe(200);
  });

  it('expires every session and access token now, while refresh tokens still recover', async () => {
    const session = await obtainSession(emu.baseUrl, emu.control.credentials);
    const client = restClient(session);
    expect((await client.get('ping')).status).toBe(200);
    emu.control.faults.expireAllSessions();
    expect((await client.get('ping')).status).toBe(401);
    const login = await fetch(`${emu.baseUrl}/rest-services/login?version=*&access_token=${encodeURIComponent(session.accessToken)}`);
    expect(login.status).toBe(401);
    await login.body?.cancel();
    const c = emu.control.credentials;
    const refreshed = await fetch(`${emu.baseUrl}/oauth/token?grant_type=refresh_token&refresh_token=${encodeURIComponent(session.refreshToken)}&client_id=${c.clientId}&client_secret=${c.clientSecret}`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    await refreshed.body?.cancel();
    api = restClient(await obtainSession(emu.baseUrl, emu.control.credentials));
  });

  it('breaks a listing halfway with 500, and can return an empty list by mistake', async () => {
    emu.control.setListingBroken({ afterPages: 2 });
    const pageAt = (start: number) => api.get('search/Candidate', { query: 'isDeleted:0', fields: 'id', start, count: 50 });
    expect((await pageAt(0)).status).toBe(200);
    expect((await pageAt(50)).status).toBe(200);
    expect((await pageAt(100)).status).toBe(500);
    expect((await pageAt(0)).status).toBe(500);
    emu.control.setListingBroken(null);
    expect((await pageAt(100)).status).toBe(200);

    emu.control.setListingEmpty(true);
    const empty = await pageAt(0);
    expect(empty.body).toEqual({ total: 0, start: 0, count: 0, data: [] });
    expect((await api.get('entity/Candidate/48001', { fields: 'id' })).status).toBe(200);
  });
});

describe('Bullhorn emulator HTTP control', () => {
  it('mirrors the fault switches on POST /_control/faults, itself never faulted, and reports /_control/stats', async () => {
    const post = (body: unknown) => fetch(`${emu.baseUrl}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const set = await post({ rateLimitStorm: { requests: 2 }, errorRate: 0 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ stormRequestsLeft: 2 });
    const stats = await fetch(`${emu.baseUrl}/_control/stats`);
    expect(stats.status).toBe(200);
    const body = (await stats.json()) as { entities: Record<string, { total: number }>; faults: { stormRequestsLeft: number } };
    expect(body.entities['Placement']?.total).toBe(emu.control.count('Placement', { includeDeleted: true }));
    expect(body.faults.stormRequestsLeft).toBe(2);
    expect([await ping(), await ping(), await ping()]).toEqual([429, 429, 200]);

    const bad = await post({ errorRate: 2 });
    expect(bad.status).toBe(400);
    await bad.body?.cancel();
    const cleared = await post({ clear: true, expireSessions: true });
    expect(await cleared.json()).toMatchObject({ stormRequestsLeft: 0, errorRate: 0 });
    expect(await ping()).toBe(401);
    api = restClient(await obtainSession(emu.baseUrl, emu.control.credentials));

    const listing = await fetch(`${emu.baseUrl}/_control/listing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ empty: true }) });
    expect(await listing.json()).toMatchObject({ empty: true });
    expect((await api.get('query/Placement', { where: 'id > 0', fields: 'id' })).body).toMatchObject({ total: 0 });
  });
});
