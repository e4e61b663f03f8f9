import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitServerMessage } from './limit-server.ts';
import { DEFAULT_LIMIT, eventBody, gustoHeaders, inPool, startHarness, type Harness } from './support.ts';

/*
 * The body limit: a body one byte over the limit is refused with 413 before the handler runs
 * (the verifier is never called), whether it announces its length or arrives chunked, and a run of
 * such requests does not grow the process. Requests are written on a raw socket: the test controls
 * the framing exactly and reads only the status line, as a vendor's client would see it.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ bodyLimit: DEFAULT_LIMIT });
});
afterAll(async () => h.close());

const OVER = Buffer.alloc(DEFAULT_LIMIT + 1, 0x20);

type Framing = 'length' | 'chunked' | 'both';

/** Status code of the server's answer to a POST framed as asked; resolves as soon as the status line is in. */
function rawPost(framing: Framing, body: Buffer, extraHeaders: Record<string, string> = {}, url = h.url): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let head = '';
    let settled = false;
    const finish = (status: number | Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (status instanceof Error) reject(status);
      else resolve(status);
    };
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (match) finish(Number(match[1]));
    });
    // The server may stop reading (and reset) once it has answered; the status line is what counts.
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`connection closed without a status line: ${JSON.stringify(head.slice(0, 80))}`)));
    const headers: Record<string, string> = { Host: hostname, 'Content-Type': 'application/json', ...extraHeaders };
    if (framing !== 'chunked') headers['Content-Length'] = String(body.length);
    if (framing !== 'length') headers['Transfer-Encoding'] = 'chunked';
    socket.write(`POST /webhooks/gusto HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    if (framing === 'length') {
      socket.write(body);
      return;
    }
    for (let at = 0; at < body.length; at += 65_536) {
      const piece = body.subarray(at, at + 65_536);
      socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      socket.write('\r\n');
    }
    socket.write('0\r\n\r\n');
  });
}

describe('webhook body limit', () => {
  it('limit + 1 bytes with Content-Length → 413, handler never ran', async () => {
    const before = h.calls.verify;
    expect(await rawPost('length', OVER, gustoHeaders(OVER))).toBe(413);
    expect(h.calls.verify).toBe(before);
    expect(h.calls.parse).toBe(0);
    expect(h.inboxRows()).toBe(0);
  });

  it('limit + 1 bytes chunked, no length → 413, handler never ran', async () => {
    const before = h.calls.verify;
    expect(await rawPost('chunked', OVER, gustoHeaders(OVER))).toBe(413);
    expect(h.calls.verify).toBe(before);
    expect(h.inboxRows()).toBe(0);
  });

  it('Content-Length and Transfer-Encoding together → Node itself answers 400 (request smuggling guard), handler never ran', async () => {
    // llhttp refuses the combination (RFC 9112 §6.1) before hono sees the request, so 413 is
    // never reached: 400 from Node is the answer, and it is still "refused before the handler".
    const before = h.calls.verify;
    expect(await rawPost('both', OVER, gustoHeaders(OVER))).toBe(400);
    expect(h.calls.verify).toBe(before);
    expect(h.inboxRows()).toBe(0);
  });

  it.each(['length', 'chunked'] as const)('a valid delivery of exactly the limit (%s) is accepted', async (framing) => {
    const base = eventBody(framing === 'length' ? 1 : 2, { note: '' }, 0x12);
    const padded = Buffer.concat([base.subarray(0, base.length - 1), Buffer.alloc(DEFAULT_LIMIT - base.length, 0x20), Buffer.from('}')]);
    expect(padded.length).toBe(DEFAULT_LIMIT);
    const rows = h.inboxRows();
    expect(await rawPost(framing, padded, gustoHeaders(padded))).toBe(202);
    expect(h.inboxRows()).toBe(rows + 1);
  });

});

/** The route in a child process: its RSS is the server's alone, not the load generator's. */
async function startLimitServer(): Promise<{ url: string; stats(): Promise<Extract<LimitServerMessage, { type: 'stats' }>>; reset(): void; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./limit-server.ts', import.meta.url)), [String(DEFAULT_LIMIT)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends LimitServerMessage['type']>(type: T) =>
    new Promise<Extract<LimitServerMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (m: LimitServerMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m as Extract<LimitServerMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`limit server exited with ${code}`)));
    });
  const ready = await next('ready');
  return {
    url: ready.url,
    stats: () => {
      const reply = next('stats');
      child.send('stats');
      return reply;
    },
    reset: () => child.send('reset'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 750));

describe('webhook body limit under load (server in its own process)', () => {
  it('1,000 over-limit requests (both framings) → all 413, server RSS growth under 50 MB', async () => {
    const server = await startLimitServer();
    try {
      const burst = (n: number) =>
        inPool(Array.from({ length: n }, (_, i) => () => rawPost(i % 2 === 0 ? 'length' : 'chunked', OVER, {}, server.url)), 8);
      // Warm-up: the first few hundred megabytes through a fresh process size V8's heap and Node's
      // buffer pools once; after that RSS is a flat sawtooth as garbage buffers are collected. The
      // bar is about growth with the request count, so the baseline is the warm-up's peak.
      server.reset();
      await burst(200);
      // @hono/node-server drains an unread body for up to 500 ms after answering: let that settle
      // so "retained" counts what stays, not sockets still closing.
      await settle();
      const warm = await server.stats();
      server.reset();
      const statuses = await burst(1_000);
      await settle();
      const after = await server.stats();
      const growthMb = after.peakRssMb - warm.peakRssMb;
      const retainedGrowthMb = (after.retainedMb ?? Number.NaN) - (warm.retainedMb ?? Number.NaN);
      console.info(
        `body limit: 1,000 × ${OVER.length} B refused; server RSS peak ${warm.peakRssMb.toFixed(0)} MB after warm-up, ` +
          `${after.peakRssMb.toFixed(0)} MB during the run (growth ${growthMb.toFixed(1)} MB); ` +
          `heap + external after a full GC ${warm.retainedMb?.toFixed(1)} → ${after.retainedMb?.toFixed(1)} MB`,
      );
      expect(statuses.filter((s) => s !== 413)).toEqual([]);
      expect(after.verifyCalls).toBe(0);
      expect(after.inboxRows).toBe(0);
      expect(growthMb).toBeLessThan(50);
      // Nothing per request survives a collection: a leak of 8 KB a request would show here.
      expect(retainedGrowthMb).toBeLessThan(8);
    } finally {
      await server.stop();
    }
  });
});
