import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { JobName } from '../../jobs/catalog.ts';
import type { Handler, Handlers } from '../../jobs/context.ts';
import type { Hub } from '../../src/hub.ts';
import type { QueueLogger } from '../../src/queue/index.ts';

/**
 * The handlers under test never touch the hub; the runtime only has to pass it through (tests
 * check identity). A frozen empty object keeps these tests independent of how a Hub is built.
 */
export const FAKE_HUB = Object.freeze({}) as unknown as Hub;

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** A full handler map: the given handlers, and for every other job one that fails the test loudly. */
export function handlersWith(partial: { [K in JobName]?: Handler<K> }): Handlers {
  const unexpected = (name: string) => async (): Promise<void> => {
    throw new Error(`unexpected job ${name}`);
  };
  return {
    'webhook.process': partial['webhook.process'] ?? unexpected('webhook.process'),
    'events.poll': partial['events.poll'] ?? unexpected('events.poll'),
    'sync.pull': partial['sync.pull'] ?? unexpected('sync.pull'),
    'sync.push': partial['sync.push'] ?? unexpected('sync.push'),
    'reconcile.run': partial['reconcile.run'] ?? unexpected('reconcile.run'),
  };
}


export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A Redis key prefix of its own for one test file: nothing is shared with other tests on the server. */
export function uniquePrefix(name: string): string {
  return `cwtest-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes every key under the prefix (never FLUSHALL on the shared server). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the test's own on a free loopback port, without persistence: the one place a
 * test may FLUSHALL. `stop` kills it.
 */
export async function startPrivateRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  await waitFor('private redis-server', async () => {
    try {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      return false;
    }
  });
  probe.disconnect();
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string;
}

/** A logger that keeps every line, for tests that check what was logged. */
export function captureLogger(lines: LogLine[] = [], bindings: object = {}): QueueLogger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (a: object | string, b?: string): void => {
      if (typeof a === 'string') lines.push({ level, obj: { ...bindings }, msg: a });
      else lines.push({ level, obj: { ...bindings, ...a }, msg: b ?? '' });
    };
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
  };
}
