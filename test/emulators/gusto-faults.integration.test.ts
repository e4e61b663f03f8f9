import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { createGustoEmulator, startGustoEmulator, type RunningGustoEmulator } from '../../fixtures/gusto/index.ts';
import { api, list, obj } from '../../fixtures/gusto/testing/client.ts';

/* Rate limiting and every fault switch, programmatic and over HTTP (`/_control/faults`). */

const dataset = sampleDataset();

/** A raw GET that reports what arrived before the connection died. */
function rawGet(url: string, bearer: string): Promise<{ status: number | undefined; declared: number; received: number; aborted: boolean }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { Authorization: `Bearer ${bearer}` } }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      const done = (aborted: boolean) => () => resolve({ status: res.statusCode, declared: Number(res.headers['content-length']), received, aborted });
      res.on('error', done(true));
      res.on('end', done(false));
    });
    req.on('error', () => resolve({ status: undefined, declared: 0, received: 0, aborted: true }));
    req.end();
  });
}

const START = Date.parse('2026-11-23T15:00:00Z');

describe('gusto emulator: rate limit', () => {
  let t = START;
  let emu: RunningGustoEmulator;
  beforeAll(async () => {
    emu = await startGustoEmulator({ rateLimit: 5, now: () => t });
  });
  afterAll(async () => emu.close());

  it('sends X-RateLimit-* on every response and 429 with Retry-After past the limit', async () => {
    const grant = emu.control.issueTokens();
    const resetAt = String(Math.ceil((t + 60_000) / 1000));
    for (let i = 1; i <= 5; i++) {
      const res = await api(emu.baseUrl, '/v1/token_info', { bearer: grant.access_token });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('5');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(5 - i));
      expect(res.headers.get('x-ratelimit-reset')).toBe(resetAt);
      expect(res.headers.get('retry-after')).toBeNull();
      t += 1_000;
    }
    const limited = await api(emu.baseUrl, '/v1/token_info', { bearer: grant.access_token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('55');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(obj(limited.body)['errors']).toEqual([expect.objectContaining({ category: 'rate_limit_exceeded' })]);

    // Another grant has its own window; a refreshed token stays in its grant's window.
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: emu.control.issueTokens().access_token })).status).toBe(200);
    const refreshed = obj(
      (
        await api(emu.baseUrl, '/oauth/token', {
          method: 'POST',
          body: { client_id: emu.control.credentials.clientId, client_secret: emu.control.credentials.clientSecret, grant_type: 'refresh_token', refresh_token: grant.refresh_token },
        })
      ).body,
    );
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: String(refreshed['access_token']) })).status).toBe(429);

    t += 55_000;
    const reopened = await api(emu.baseUrl, '/v1/token_info', { bearer: String(refreshed['access_token']) });
    expect(reopened.status).toBe(200);
    expect(reopened.headers.get('x-ratelimit-remaining')).toBe('4');
  });
});

describe('gusto emulator: fault switches', () => {
  let t = START;
  let emu: RunningGustoEmulator;
  let bearer: string;
  let refreshToken: string;
  let employeesPath: string;
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, rateLimit: 100_000, now: () => t });
    const tokens = emu.control.issueTokens();
    bearer = tokens.access_token;
    refreshToken = tokens.refresh_token;
    employeesPath = `/v1/companies/${emu.control.companyUuid}/employees`;
  });
  afterEach(() => {
    emu.control.faults.clear();
    emu.control.setListingBroken(null);
    emu.control.setListingEmpty(false);
  });
  afterAll(async () => emu.close());

  it('adds latency', async () => {
    emu.control.faults.set({ latencyMs: 400, jitterMs: 20 });
    const started = performance.now();
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
    emu.control.faults.clear();
    const fast = performance.now();
    await api(emu.baseUrl, '/v1/token_info', { bearer });
    expect(performance.now() - fast).toBeLessThan(395);
  });

  it('answers a share of requests with 5xx (seeded), in Gusto error shape', async () => {
    emu.control.faults.set({ errorRate: 1, errorStatus: 500 });
    const failed = await api(emu.baseUrl, '/v1/token_info', { bearer });
    expect(failed.status).toBe(500);
    expect(obj(failed.body)['errors']).toEqual([expect.objectContaining({ category: 'server_error' })]);
    emu.control.faults.set({ errorRate: 0.5, errorStatus: 503 });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await api(emu.baseUrl, '/v1/token_info', { bearer })).status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });

  it('runs a 429 storm for the next N requests, then for a duration', async () => {
    emu.control.faults.set({ rateLimitStorm: { requests: 3, retryAfterSeconds: 2 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await api(emu.baseUrl, '/v1/token_info', { bearer });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('2');
    }
    expect(statuses).toEqual([429, 429, 429, 200]);

    emu.control.faults.set({ rateLimitStorm: { durationMs: 10_000 } });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(429);
    expect((await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: {} })).status).toBe(429);
    t += 10_001;
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);
  });

  it('cuts the connection mid-response on the Nth request, after the write landed', async () => {
    const employee = emu.control.employees()[0] ?? {};
    const body = {
      entity_uuid: employee['uuid'],
      entity_type: 'Employee',
      job_uuid: list(employee['jobs'])[0]?.['uuid'],
      time_zone: 'America/Denver',
      shift_started_at: '2026-11-20T15:00:00Z',
      metadata: { portal_time_entry_id: 'TE-CUT-1' },
      entries: [{ hours_worked: 6, pay_classification: 'Regular' }],
    };
    const sheets = `/v1/companies/${emu.control.companyUuid}/time_tracking/time_sheets`;
    emu.control.faults.set({ dropConnectionOnRequest: 2 });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);
    await expect(api(emu.baseUrl, sheets, { method: 'POST', bearer, body })).rejects.toThrow();
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);

    emu.control.faults.set({ dropConnectionOnRequest: 1 });
    const cut = await rawGet(`${emu.baseUrl}/v1/token_info`, bearer);
    expect(cut).toMatchObject({ status: 200, aborted: true });
    expect(cut.received).toBe(Math.floor(cut.declared / 2));
    expect(cut.received).toBeGreaterThan(0);

    // The create landed although its response was lost: the connector finds it through metadata.
    const found = list((await api(emu.baseUrl, `${sheets}?entity_uuids=${String(employee['uuid'])}&after=2026-11-20&before=2026-11-20`, { bearer })).body);
    expect(found.map((s) => obj(s['metadata'])['portal_time_entry_id'])).toEqual(['TE-CUT-1']);
  });

  it('expires every access token now; refresh tokens keep working', async () => {
    emu.control.expireTokens();
    const expired = await api(emu.baseUrl, '/v1/token_info', { bearer });
    expect(expired.status).toBe(401);
    const refreshed = await api(emu.baseUrl, '/oauth/token', {
      method: 'POST',
      body: { client_id: emu.control.credentials.clientId, client_secret: emu.control.credentials.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    expect(refreshed.status).toBe(200);
    bearer = String(obj(refreshed.body)['access_token']);
    refreshToken = String(obj(refreshed.body)['refresh_token']);
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);
  });

  it('breaks a listing after N pages (500) and can return an empty listing by mistake', async () => {
    emu.control.setListingBroken({ afterPages: 1 });
    expect((await api(emu.baseUrl, `${employeesPath}?page=1&per=10`, { bearer })).status).toBe(200);
    const broken = await api(emu.baseUrl, `${employeesPath}?page=2&per=10`, { bearer });
    expect(broken.status).toBe(500);
    emu.control.setListingBroken(null);
    emu.control.setListingEmpty(true);
    const empty = await api(emu.baseUrl, employeesPath, { bearer });
    expect(list(empty.body)).toHaveLength(0);
    expect(empty.headers.get('x-total-count')).toBe('0');
    emu.control.setListingEmpty(false);
    expect(list((await api(emu.baseUrl, employeesPath, { bearer })).body).length).toBeGreaterThan(0);
  });

  it('hard-deletes an employee without an event', async () => {
    const uuid = [...emu.control.keyMaps().employees.values()][10] ?? '';
    const total = emu.control.count('employees');
    const events = emu.control.events().length;
    expect(emu.control.hardDelete(uuid)).toBe(true);
    expect((await api(emu.baseUrl, `/v1/employees/${uuid}`, { bearer })).status).toBe(404);
    expect((await api(emu.baseUrl, `${employeesPath}?per=1`, { bearer })).headers.get('x-total-count')).toBe(String(total - 1));
    expect(emu.control.events()).toHaveLength(events);
    expect(emu.control.employeeUuidFor(emu.control.candidateKeyFor(uuid) ?? '')).toBe(uuid);
  });

  it('mirrors the switches on POST /_control/faults and reports on /_control/stats', async () => {
    emu.control.resetRequestCount();
    const set = await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { errorRate: 1, errorStatus: 502 } });
    expect(obj(set.body)).toMatchObject({ errorRate: 1, errorStatus: 502 });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(502);
    await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { clear: true } });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(200);

    await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { rateLimitStorm: { requests: 1 } } });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(429);
    await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { latencyMs: 1, dropConnectionOnRequest: 1 } });
    await expect(api(emu.baseUrl, '/v1/token_info', { bearer })).rejects.toThrow();
    await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { webhooks: { dropNext: 3 } } });
    expect(emu.control.faults.current().webhooks.dropNext).toBe(3);

    await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { expireTokens: true } });
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer })).status).toBe(401);
    expect((await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { errorRate: 3 } })).status).toBe(422);
    expect((await api(emu.baseUrl, '/_control/faults', { method: 'POST', body: { bogus: true } })).status).toBe(422);

    const stats = obj((await api(emu.baseUrl, '/_control/stats')).body);
    expect(stats['requests']).toBe(5);
    expect(emu.control.requestCount()).toBe(5);
    const process = await api(emu.baseUrl, '/_control/payrolls/process', { method: 'POST', body: {} });
    expect(obj(process.body)['processed']).toBe(true);
  });
});

describe('gusto emulator without a socket (app.request)', () => {
  it('serves requests and cuts a dropped response body halfway', async () => {
    const { app, control } = createGustoEmulator();
    const headers = { Authorization: `Bearer ${control.issueTokens().access_token}` };
    expect((await app.request('/v1/token_info', { headers })).status).toBe(200);
    control.faults.set({ dropConnectionOnRequest: 1 });
    const cut = await app.request('/v1/token_info', { headers });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    expect((await app.request('/v1/token_info', { headers })).status).toBe(200);
    control.close();
  });
});
