import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import type { ServerHandle } from '../../src/http/server.ts';
import { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { serveHub } from '../../src/serve.ts';
import { startPrivateRedis, uniquePrefix } from '../queue/support.ts';
import { EMULATOR_SECRETS } from '../runtime/support/secrets.ts';
import { tempDir } from '../support/temp-store.ts';

/**
 * `/metrics` and `/health` answer within 2 s whatever Redis does: refused connections, a listener
 * that never answers, and a Redis that went away after the hub had connected (ioredis then waits
 * out its reconnect retries, 73 s measured). The queue part is reported unavailable, the rest is
 * served. The shared Redis is never touched: closed ports, a silent socket and a private server.
 */

const BUDGET_MS = 2_000;

interface Running {
  readonly hub: Hub;
  readonly server: ServerHandle;
  close(): Promise<void>;
}

async function startHub(redisUrl: string): Promise<Running> {
  const temp = tempDir();
  const configFile = join(temp.dir, 'crosswalk.config.yaml');
  writeFileSync(configFile, stringify({
    database: join(temp.dir, 'crosswalk.sqlite'),
    mappings: join(import.meta.dirname, '../../mappings'),
    queue: { driver: 'bullmq', prefix: uniquePrefix('metrics-down') },
    http: { host: '127.0.0.1', port: 0 },
    // Vendors on loopback ports nothing serves: the scrape never calls them.
    systems: [
      { id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: 'http://127.0.0.1:9' },
      { id: 'gusto', connector: 'gusto', kind: 'payroll', baseUrl: 'http://127.0.0.1:9' },
    ],
    demoSecrets: EMULATOR_SECRETS,
  }));
  const hub = new Hub(loadConfig({ file: configFile, env: { REDIS_URL: redisUrl } }), { env: {}, logger: silentLogger() });
  const server = await serveHub(hub, { port: 0 });
  return {
    hub, server,
    async close() {
      await server.close();
      await hub.close();
      temp.dispose();
    },
  };
}

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Accepts connections and never says a word: a Redis that hangs. */
async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function timed(url: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, text, ms: Date.now() - started };
}

function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function expectQueueUnavailable(running: Running): Promise<void> {
  const metrics = await timed(`${running.server.url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(metrics.ms).toBeLessThan(BUDGET_MS);
  expect(gauge(metrics.text, 'crosswalk_queue_up')).toBe(0);
  expect(metrics.text).toContain('# crosswalk_queue_jobs unavailable');
  expect(metrics.text).not.toMatch(/^crosswalk_queue_jobs\{/m);
  // The rest of the scrape is there: the store's families and the reconcile report's.
  expect(metrics.text).toMatch(/^crosswalk_conflicts_open /m);
  expect(metrics.text).toContain('# TYPE crosswalk_reconcile_last_seen gauge');
  expect(gauge(metrics.text, 'crosswalk_metrics_hook_up')).toBe(1);

  const health = await timed(`${running.server.url}/health`);
  expect(health.ms).toBeLessThan(BUDGET_MS);
  expect(health.status).toBe(503);
  expect(JSON.parse(health.text)).toMatchObject({ ok: false, checks: { redis: { ok: false } } });
}

describe('/metrics and /health with Redis down', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('reports the queue unavailable when nothing listens on the Redis port', async () => {
    const running = await startHub(`redis://127.0.0.1:${await closedPort()}`);
    cleanups.push(() => running.close());
    await expectQueueUnavailable(running);
    await expectQueueUnavailable(running);
  });

  it('answers within 2 s when Redis accepts the connection and never replies', async () => {
    const silent = await silentListener();
    cleanups.push(() => silent.close());
    const running = await startHub(`redis://127.0.0.1:${silent.port}`);
    cleanups.push(() => running.close());
    await expectQueueUnavailable(running);
  });

  it('answers within 2 s when Redis goes away after the hub connected', async () => {
    const redis = await startPrivateRedis();
    // stop() waits for an exit it already saw when called twice: stop it once, here or in cleanup.
    let stopped: Promise<void> | null = null;
    const stop = (): Promise<void> => (stopped ??= redis.stop());
    cleanups.push(stop);
    const running = await startHub(redis.url);
    cleanups.push(() => running.close());
    const before = await timed(`${running.server.url}/metrics`);
    expect(gauge(before.text, 'crosswalk_queue_up')).toBe(1);
    expect(before.text).toContain('# TYPE crosswalk_queue_jobs gauge');

    await stop();
    await expectQueueUnavailable(running);
    await expectQueueUnavailable(running);
  });
});
