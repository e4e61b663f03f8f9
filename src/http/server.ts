import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import type { AppEnv } from './env.ts';

export interface ServerOptions {
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port (tests). @defaultValue 8600 */
  readonly port?: number;
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
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8600 }, (info: AddressInfo) => {
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
    server.once('error', reject);
  });
}
