import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, GuardRegistry, RateLimitedError, silentLogger } from '../../connectors/kit/index.ts';
import { clientFor } from './http-helpers.ts';
import { json, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('429 handling', () => {
  it('honours Retry-After in seconds', async () => {
    server = await startTestServer();
    server.handle((_hit, res, i) => (i === 0 ? json(res, 429, {}, { 'Retry-After': '3' }) : json(res, 200, {})));
    const { client, clock } = clientFor(server.baseUrl);
    const start = clock.now();
    await client.get('/v1/x');
    // 3 s plus the pad for a whole-second header.
    expect(clock.now() - start).toBe(3_100);
    expect(client.stats()).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it('honours Retry-After as an HTTP date', async () => {
    let serverNow = (): number => 0;
    server = await startTestServer(() => serverNow());
    server.handle((hit, res, i) => (i === 0 ? json(res, 429, {}, { 'Retry-After': new Date(hit.at + 5_000).toUTCString() }) : json(res, 200, {})));
    const { client, clock } = clientFor(server.baseUrl);
    serverNow = clock.now;
    const start = clock.now();
    await client.get('/v1/x');
    const waited = clock.now() - start;
    // HTTP dates have whole seconds: between 4 and 5 s, plus the pad.
    expect(waited).toBeGreaterThan(4_000);
    expect(waited).toBeLessThanOrEqual(5_100);
  });

  it("honours the manifest's reset header when there is no Retry-After, and the later of the two when both come", async () => {
    server = await startTestServer();
    const { client, clock } = clientFor(server.baseUrl);
    const epochSeconds = (offsetMs: number): string => String(Math.floor((clock.now() + offsetMs) / 1000));
    server.handle((_hit, res, i) => {
      if (i === 0) json(res, 429, {}, { 'X-RateLimit-Reset': epochSeconds(10_000) });
      else if (i === 1) json(res, 429, {}, { 'X-RateLimit-Reset': epochSeconds(20_000), 'Retry-After': '2' });
      else json(res, 200, {});
    });
    const start = clock.now();
    await client.get('/v1/x');
    const waits = clock.sleeps.filter((ms) => ms > 1_000);
    expect(waits[0]).toBeGreaterThan(9_000);
    expect(waits[0]).toBeLessThanOrEqual(10_100);
    expect(waits[1]).toBeGreaterThan(9_000);
    expect(clock.now() - start).toBeGreaterThan(19_000);
  });

  it('pauses the whole system: a second job waits out the pause and no second 429 follows', async () => {
    let serverNow = (): number => 0;
    server = await startTestServer(() => serverNow());
    let pausedUntil = 0;
    let rateLimited = 0;
    server.handle((hit, res, i) => {
      // The vendor: the first request trips the limit for 2 s; anything inside that window is refused again.
      if (i === 0 || hit.at < pausedUntil) {
        rateLimited += 1;
        pausedUntil = Math.max(pausedUntil, hit.at + 2_000);
        json(res, 429, {}, { 'Retry-After': '2' });
        return;
      }
      json(res, 200, { i });
    });
    const jobA = clientFor(server.baseUrl);
    serverNow = jobA.clock.now;
    const jobB = jobA.sibling();
    // Job A trips the limit; job B starts once A has seen the 429.
    const a = jobA.client.get('/v1/a');
    await waitFor(() => jobA.logger.entries.some((e) => e.msg.startsWith('rate limited')));
    const b = jobB.get('/v1/b');
    await Promise.all([a, b]);
    expect(rateLimited).toBe(1);
    const tripAt = server.hits[0]?.at ?? 0;
    for (const hit of server.hits.slice(1)) expect(hit.at).toBeGreaterThanOrEqual(tripAt + 2_000);
    expect(jobB.stats().rateLimited).toBe(0);
  });

  it('hands a long Retry-After to the queue as RateLimitedError, and holds the rest of the system too', async () => {
    server = await startTestServer();
    server.handle((_hit, res) => json(res, 429, {}, { 'Retry-After': '600' }));
    const { client, sibling } = clientFor(server.baseUrl);
    const failure = await client.get('/v1/x').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(failure).toMatchObject({ retryAfterMs: 600_100, status: 429, kind: 'rate_limited' });
    const other = await sibling().get('/v1/y').catch((err: unknown) => err);
    expect(other).toBeInstanceOf(RateLimitedError);
    expect((other as RateLimitedError).retryAfterMs).toBeGreaterThan(599_000);
    expect(server.hits).toHaveLength(1);
  });

  it('gives up with RateLimitedError when 429s outlast the retry budget', async () => {
    server = await startTestServer();
    server.handle((_hit, res) => json(res, 429, {}, { 'Retry-After': '1' }));
    const { client } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 2 } });
    await expect(client.get('/v1/x')).rejects.toBeInstanceOf(RateLimitedError);
    expect(server.hits).toHaveLength(3);
    expect(client.stats()).toMatchObject({ rateLimited: 3, retries: 2 });
  });
});

describe('client-side rate limiter over real HTTP', () => {
  it('never sends more than the limit in any window, shared by two clients, and uses the budget', async () => {
    server = await startTestServer();
    server.handle((_hit, res) => json(res, 200, {}));
    const guards = new GuardRegistry();
    const make = (): ReturnType<typeof createHttpClient> =>
      createHttpClient({ systemId: 'shared', baseUrl: server?.baseUrl ?? '', rateLimit: { requests: 8, windowMs: 250 }, logger: silentLogger, options: { guards } });
    const [one, two] = [make(), make()];
    const started = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).get(`/r/${i}`)));
    const elapsed = Date.now() - started;
    const arrivals = server.hits.map((h) => h.at);
    const worst = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 250).length));
    expect(worst).toBeLessThanOrEqual(8);
    // 40 requests at 8 per 250 ms need four more windows after the first burst: about 1 s, not much more.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(2_500);
    expect(one.stats().allowed).toEqual({ requests: 8, windowMs: 250 });
    expect(one.stats().requests + two.stats().requests).toBe(40);
    expect(one.stats().throttledMs + two.stats().throttledMs).toBeGreaterThan(0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not met');
}
