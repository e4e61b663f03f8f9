import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, TransientError } from '../../connectors/kit/index.ts';
import { clientFor } from './http-helpers.ts';
import { json, reset, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe('retries with backoff', () => {
  it('retries 5xx with exponential, jittered delays, then returns the answer', async () => {
    server.handle((_hit, res, i) => (i < 2 ? json(res, 503, { message: 'busy' }) : json(res, 200, { id: 7 })));
    const { client, clock, logger } = clientFor(server.baseUrl);
    const response = await client.get('/v1/things/7');
    expect(response).toMatchObject({ status: 200, data: { id: 7 } });
    expect(server.hits).toHaveLength(3);
    // random 0.5 × 100·2^n
    expect(clock.sleeps).toEqual([50, 100]);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2, rateLimited: 0 });
    expect(logger.entries.filter((e) => e.msg === 'vendor request failed; retrying').map((e) => e.obj['status'])).toEqual([503, 503]);
  });

  it("waits a 503's Retry-After instead of the backoff, and hands a long one to the queue", async () => {
    server.handle((_hit, res, i) => (i === 0 ? json(res, 503, {}, { 'Retry-After': '2' }) : i === 1 ? json(res, 200, {}) : json(res, 503, {}, { 'Retry-After': '3600' })));
    const { client, clock } = clientFor(server.baseUrl);
    await client.get('/v1/x');
    expect(clock.sleeps).toEqual([2_000]);
    const failure = await client.get('/v1/x').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ retryAfterMs: 3_600_000, status: 503 });
    expect(server.hits).toHaveLength(3);
  });

  it('sends a request at most maxRetries + 1 times, then fails with a TransientError', async () => {
    server.handle((_hit, res) => json(res, 500, { errors: [{ message: 'internal' }] }));
    const { client, clock } = clientFor(server.baseUrl, {}, { random: () => 0.999, retry: { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000 } });
    const failure = await client.get('/v1/things').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ status: 500, path: '/v1/things', vendorMessage: 'internal', mayHaveApplied: false });
    expect(server.hits).toHaveLength(6);
    expect(clock.sleeps).toEqual([99, 199, 399, 799, 999]);
  });

  it('retries a connection reset and a 408', async () => {
    server.handle((_hit, res, i) => (i === 0 ? reset(res) : i === 1 ? json(res, 408, {}) : json(res, 200, [])));
    const { client } = clientFor(server.baseUrl);
    await expect(client.get('/v1/list')).resolves.toMatchObject({ status: 200 });
    expect(server.hits).toHaveLength(3);
  });

  it('bounds each attempt with a total deadline and retries a timeout', async () => {
    server.handle((_hit, res, i) => {
      if (i > 0) json(res, 200, { late: false });
      // The first request never gets an answer.
    });
    const { client } = clientFor(server.baseUrl, {}, { timeoutMs: 150 });
    const started = Date.now();
    await expect(client.get('/slow')).resolves.toMatchObject({ data: { late: false } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.hits).toHaveLength(2);
  });

  it('reports an exhausted timeout as ETIMEDOUT', async () => {
    server.handle(() => undefined);
    const { client } = clientFor(server.baseUrl, {}, { timeoutMs: 100, retry: { maxRetries: 1, baseDelayMs: 1 } });
    const failure = await client.get('/hang').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ code: 'ETIMEDOUT', status: null });
    expect(server.hits).toHaveLength(2);
  });

  it('does not retry a plain POST after a 5xx or a reset: the write may have landed', async () => {
    server.handle((_hit, res, i) => (i === 0 ? json(res, 502, {}) : reset(res)));
    const { client } = clientFor(server.baseUrl);
    const first = await client.request({ method: 'POST', path: '/v1/time_sheets', body: { hours: 8 } }).catch((err: unknown) => err);
    expect(first).toMatchObject({ status: 502, mayHaveApplied: true });
    const second = await client.request({ method: 'POST', path: '/v1/time_sheets', body: { hours: 8 } }).catch((err: unknown) => err);
    expect(second).toMatchObject({ status: null, mayHaveApplied: true });
    expect(server.hits).toHaveLength(2);
  });

  it('retries a POST marked idempotent (it carries a vendor-honoured idempotency key)', async () => {
    server.handle((_hit, res, i) => (i === 0 ? json(res, 502, {}) : json(res, 201, { uuid: 'ts-1' })));
    const { client } = clientFor(server.baseUrl);
    const response = await client.request({ method: 'POST', path: '/v1/payments', body: {}, idempotent: true, headers: { 'Idempotency-Key': 'row-1' } });
    expect(response.status).toBe(201);
    expect(server.hits.map((h) => h.headers['idempotency-key'])).toEqual(['row-1', 'row-1']);
  });

  it('retries even a POST when the connection was refused (nothing was sent)', async () => {
    const closed = await startTestServer();
    const url = closed.baseUrl;
    await closed.close();
    const { client, clock } = clientFor(url, {}, { retry: { maxRetries: 2, baseDelayMs: 10 } });
    const failure = await client.request({ method: 'POST', path: '/v1/x', body: {} }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED', mayHaveApplied: false });
    expect(clock.sleeps).toHaveLength(2);
    expect(client.stats().requests).toBe(3);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    server.handle(() => undefined);
    const { client } = clientFor(server.baseUrl);
    const controller = new AbortController();
    const pending = client.get('/hang', undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('worker shutting down')), 50);
    await expect(pending).rejects.toThrow('worker shutting down');
    expect(server.hits).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, fails fast, probes after the cool-down and closes', async () => {
    let healthy = false;
    server.handle((_hit, res) => (healthy ? json(res, 200, { ok: true }) : json(res, 503, {})));
    const { client, clock } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 3, coolDownMs: 10_000 } });
    for (let i = 0; i < 3; i += 1) await expect(client.get('/v1/x')).rejects.toBeInstanceOf(TransientError);
    const open = await client.get('/v1/x').catch((err: unknown) => err);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(open).toMatchObject({ retryAfterMs: 10_000, kind: 'transient' });
    expect(server.hits).toHaveLength(3);

    clock.advance(10_000);
    healthy = true;
    await expect(client.get('/v1/x')).resolves.toMatchObject({ status: 200 });
    await expect(client.get('/v1/x')).resolves.toMatchObject({ status: 200 });
    expect(server.hits).toHaveLength(5);
  });

  it('a failed probe opens it again; it is shared by every client of the system', async () => {
    server.handle((_hit, res) => json(res, 500, {}));
    const { client, clock, sibling } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 2, coolDownMs: 5_000 } });
    const other = sibling();
    await expect(client.get('/a')).rejects.toBeInstanceOf(TransientError);
    await expect(other.get('/b')).rejects.toBeInstanceOf(TransientError);
    await expect(other.get('/b')).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(5_000);
    await expect(client.get('/probe')).rejects.toBeInstanceOf(TransientError);
    await expect(client.get('/a')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.hits.map((h) => h.url)).toEqual(['/a', '/b', '/probe']);
  });

  it('half-open, a login made by the auth hook is the probe (it is not refused by the request waiting on it)', async () => {
    let healthy = false;
    server.handle((hit, res) => (hit.url === '/login' ? json(res, 200, { token: 't' }) : healthy ? json(res, 200, {}) : json(res, 503, {})));
    let token: string | null = null;
    const login = async (): Promise<string> => {
      const response = await client.request({ method: 'POST', path: '/login', auth: false, idempotent: true });
      return (response.data as { token: string }).token;
    };
    const { client, clock } = clientFor(server.baseUrl, {
      auth: {
        beforeRequest: async (req) => {
          token ??= await login();
          req.headers['authorization'] = `Bearer ${token}`;
        },
      },
    }, { retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 3, coolDownMs: 1_000 } });
    for (let i = 0; i < 3; i += 1) await expect(client.get('/a')).rejects.toBeInstanceOf(TransientError);
    await expect(client.get('/a')).rejects.toBeInstanceOf(CircuitOpenError);
    token = null;
    healthy = true;
    clock.advance(1_000);
    await expect(client.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(server.hits.map((h) => h.url)).toEqual(['/login', '/a', '/a', '/a', '/login', '/a']);
  });

  it('retries inside one request stop as soon as the circuit opens', async () => {
    server.handle((_hit, res) => json(res, 500, {}));
    const { client } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 5, baseDelayMs: 1 }, circuitBreaker: { failureThreshold: 3, coolDownMs: 5_000 } });
    await expect(client.get('/a')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.hits).toHaveLength(3);
  });
});
