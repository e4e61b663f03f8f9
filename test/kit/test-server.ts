import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectorLogger } from '../../connectors/kit/index.ts';

export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Arrival time on the clock the test gave the server. */
  readonly at: number;
}

export type Handler = (hit: Hit, res: ServerResponse, index: number) => void;

export interface TestServer {
  readonly baseUrl: string;
  readonly hits: Hit[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** A node:http server on a free loopback port whose answers each test scripts. */
export async function startTestServer(now: () => number = Date.now): Promise<TestServer> {
  const hits: Hit[] = [];
  let handler: Handler = (_hit, res) => json(res, 200, { ok: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hit: Hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: now() };
      hits.push(hit);
      handler(hit, res, hits.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Cuts the connection without an answer (ECONNRESET at the client). */
export function reset(res: ServerResponse): void {
  res.socket?.destroy();
}

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

export function recordingLogger(): ConnectorLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj, msg }),
  };
}
