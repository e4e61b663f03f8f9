import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { CrosswalkConfig } from '../../src/config/schema.ts';
import { isCsvUpload } from '../../src/csv/http.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { startServer, type ServerHandle, type ServerOptions } from '../../src/http/server.ts';

/**
 * The HTTP server's socket limits, with short figures: a body trickled slower than the request
 * timeout is cut off with a 408, headers likewise, an idle keep-alive connection goes, connections
 * past the cap are refused, and a CSV upload gets its own, longer deadline.
 */

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function app(): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  // A body cut off mid-read rejects the handler's read: expected here, not worth a stack trace.
  a.onError((_err, c) => c.text('body not read', 500));
  a.get('/ping', (c) => c.text('pong'));
  a.post('/echo', async (c) => c.text(`got ${(await c.req.text()).length}`));
  a.post('/api/v1/imports', async (c) => c.text(`got ${(await c.req.text()).length}`));
  a.post('/slow-handler', async (c) => {
    const body = await c.req.text();
    await sleep(800);
    return c.text(`got ${body.length}`);
  });
  return a;
}

/** A raw client socket that records what it receives and when it was closed. */
interface Raw {
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<number>;
}

async function open(server: ServerHandle): Promise<Raw> {
  const socket = connect(server.port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text, closed };
}

/** Writes `total` body bytes one at a time every `everyMs` until the socket closes; resolves with the bytes written. */
async function trickle(raw: Raw, total: number, everyMs: number): Promise<number> {
  let sent = 0;
  while (sent < total && !raw.socket.destroyed && raw.socket.writable) {
    raw.socket.write('x');
    sent += 1;
    await sleep(everyMs);
  }
  return sent;
}

const headers = (path: string, length: number): string =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`;

describe('HTTP server limits', () => {
  const servers: ServerHandle[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) await s.close();
  });
  const start = async (options: Omit<ServerOptions, 'host' | 'port'>): Promise<ServerHandle> => {
    const server = await startServer(app(), { host: '127.0.0.1', port: 0, ...options });
    servers.push(server);
    return server;
  };
  const client = async (server: ServerHandle): Promise<Raw> => {
    const raw = await open(server);
    sockets.push(raw.socket);
    return raw;
  };

  it('cuts off a client that sends headers and then trickles the body slower than the request timeout', async () => {
    const server = await start({ limits: { requestTimeoutMs: 500, headersTimeoutMs: 300 } });
    const raw = await client(server);
    const t0 = Date.now();
    raw.socket.write(headers('/echo', 1_000));
    const sent = await trickle(raw, 1_000, 50);
    const closedAt = await raw.closed;
    expect(sent).toBeLessThan(1_000);
    expect(closedAt - t0).toBeGreaterThanOrEqual(450);
    expect(closedAt - t0).toBeLessThan(2_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('serves a body that arrives within the timeout, and does not count a slow handler against the client', async () => {
    const server = await start({ limits: { requestTimeoutMs: 500 } });
    const fast = await fetch(`${server.url}/echo`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(await fast.text()).toBe('got 10000');
    const slow = await fetch(`${server.url}/slow-handler`, { method: 'POST', body: 'abc' });
    expect(slow.status).toBe(200);
    expect(await slow.text()).toBe('got 3');
  });

  it('gives a CSV upload its own, longer deadline', async () => {
    const server = await start({ limits: { requestTimeoutMs: 300, uploadTimeoutMs: 5_000 }, isUpload: isCsvUpload });
    const raw = await client(server);
    raw.socket.write(headers('/api/v1/imports', 20));
    const t0 = Date.now();
    expect(await trickle(raw, 20, 50)).toBe(20);
    expect(Date.now() - t0).toBeGreaterThan(900);
    await sleep(100);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*got 20$/);

    // The upload's deadline still holds.
    const short = await start({ limits: { requestTimeoutMs: 300, uploadTimeoutMs: 600 }, isUpload: isCsvUpload });
    const slow = await client(short);
    slow.socket.write(headers('/api/v1/imports', 1_000));
    expect(await trickle(slow, 1_000, 50)).toBeLessThan(1_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a client that trickles its headers', async () => {
    const server = await start({ limits: { headersTimeoutMs: 400, requestTimeoutMs: 1_000 } });
    const raw = await client(server);
    const t0 = Date.now();
    raw.socket.write('GET /ping HTTP/1.1\r\nHost: localhost\r\n');
    let lines = 0;
    while (!raw.socket.destroyed && raw.socket.writable && lines < 100) {
      raw.socket.write(`X-Slow-${lines}: 1\r\n`);
      lines += 1;
      await sleep(50);
    }
    const closedAt = await raw.closed;
    expect(lines).toBeLessThan(100);
    expect(closedAt - t0).toBeLessThan(2_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const server = await start({ limits: { keepAliveTimeoutMs: 300 } });
    const raw = await client(server);
    raw.socket.write('GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await sleep(100);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*pong$/);
    const t0 = Date.now();
    const closedAt = await raw.closed;
    expect(closedAt - t0).toBeLessThan(2_500); // Node adds up to a second to the keep-alive timer; its default would be 5 s
  });

  it('refuses connections past the cap', async () => {
    const server = await start({ limits: { maxConnections: 2 } });
    const first = await client(server);
    const second = await client(server);
    const third = await client(server);
    await third.closed;
    expect(third.received()).toBe('');
    for (const raw of [first, second]) {
      raw.socket.write('GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n');
    }
    await sleep(100);
    expect(first.received()).toMatch(/pong$/);
    expect(second.received()).toMatch(/pong$/);
  });

  it('reads the limits from the config file’s http section', () => {
    const config = CrosswalkConfig.parse({
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, uploadTimeoutMs: 900_000, keepAliveTimeoutMs: 4_000, maxConnections: 256 },
    });
    expect(config.http).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, uploadTimeoutMs: 900_000, keepAliveTimeoutMs: 4_000, maxConnections: 256 });
    expect(CrosswalkConfig.safeParse({ http: { requestTimeoutMs: 0 } }).success).toBe(false);
    expect(isCsvUpload('POST', '/api/v1/imports')).toBe(true);
    expect(isCsvUpload('GET', '/api/v1/imports')).toBe(false);
    expect(isCsvUpload('POST', '/webhooks/gusto')).toBe(false);
  });
});
