import { serve } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import type { AppEnv } from './env.ts';

/** Socket limits of the HTTP server. */
export interface HttpServerLimits {
  /** Milliseconds from a connection's request start to its last header line. */
  readonly headersTimeoutMs: number;
  /** Milliseconds from a request's headers to the end of its body, unless `isUpload` says otherwise. */
  readonly requestTimeoutMs: number;
  /** The same for requests `isUpload` picks (CSV uploads of up to `http.uploadBodyLimit`). */
  readonly uploadTimeoutMs: number;
  /** Milliseconds an idle keep-alive connection is kept. */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; the next ones are closed on arrival. */
  readonly maxConnections: number;
}

/**
 * Node's own defaults let a client hold a socket for five minutes by trickling a body (requestTimeout
 * 300 s) and for a minute by trickling headers. A webhook (1 MiB) or an API body has a minute; a CSV
 * upload (200 MiB by default) ten minutes, about 3 Mbit/s.
 */
export const HTTP_SERVER_DEFAULTS: HttpServerLimits = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
  uploadTimeoutMs: 600_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_024,
};

export interface ServerOptions {
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port (tests). @defaultValue 8600 */
  readonly port?: number;
  /** Any limit left out (or undefined, as an unset config key is) is HTTP_SERVER_DEFAULTS'. */
  readonly limits?: { readonly [K in keyof HttpServerLimits]?: number | undefined };
  /** Requests that get `uploadTimeoutMs` instead of `requestTimeoutMs`, by method and path. */
  readonly isUpload?: (method: string, path: string) => boolean;
}

export interface ServerHandle {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes idle keep-alive connections and resolves when the server is down. */
  close(): Promise<void>;
}

/** Serves the app with @hono/node-server and resolves once it is listening. */
export async function startServer(app: Hono<AppEnv>, options: ServerOptions = {}): Promise<ServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const given = options.limits ?? {};
  const limits: HttpServerLimits = {
    headersTimeoutMs: given.headersTimeoutMs ?? HTTP_SERVER_DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: given.requestTimeoutMs ?? HTTP_SERVER_DEFAULTS.requestTimeoutMs,
    uploadTimeoutMs: given.uploadTimeoutMs ?? HTTP_SERVER_DEFAULTS.uploadTimeoutMs,
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? HTTP_SERVER_DEFAULTS.keepAliveTimeoutMs,
    maxConnections: given.maxConnections ?? HTTP_SERVER_DEFAULTS.maxConnections,
  };
  // Node's requestTimeout is one figure for every request: it is the longest of ours (a backstop),
  // and the per-request deadline below cuts every other request at its own.
  const longest = Math.max(limits.requestTimeoutMs, limits.uploadTimeoutMs);
  const serverOptions = {
    headersTimeout: Math.min(limits.headersTimeoutMs, longest),
    requestTimeout: longest,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node checks its headers and request deadlines (its default is every 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 3))),
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8600, serverOptions }, (info: AddressInfo) => {
      const hostPart = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${hostPart}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Keep-alive sockets would hold close() open until they time out.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    // serve() creates a node:http server: `serverOptions` above are http.createServer's, not http2's.
    const http = server as Server;
    http.maxConnections = limits.maxConnections;
    http.keepAliveTimeout = limits.keepAliveTimeoutMs;
    http.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const ms = options.isUpload?.(req.method ?? 'GET', path) ? limits.uploadTimeoutMs : limits.requestTimeoutMs;
      bodyDeadline(req, res, ms);
    });
    server.once('error', reject);
  });
}

/**
 * Cuts the connection of a request whose body has not fully arrived `ms` after its headers, the
 * way Node answers its own requestTimeout: a bare 408 when no response has started, then the
 * socket goes. A slow handler is not the client's fault: once the body is in, the deadline is off.
 */
function bodyDeadline(req: IncomingMessage, res: ServerResponse, ms: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => {
    if (req.complete) return;
    const socket = req.socket;
    const destroy = setTimeout(() => socket.destroy(), 1_000);
    destroy.unref();
    if (!res.headersSent && socket.writable) {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
    } else {
      socket.destroy();
    }
  }, ms);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  req.once('end', clear);
  req.once('close', clear);
  res.once('close', clear);
}
