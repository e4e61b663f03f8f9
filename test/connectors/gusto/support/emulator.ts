import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { createGustoEmulator, type GustoControl, type GustoEmulatorOptions } from '../../../../fixtures/gusto/index.ts';

/**
 * The Gusto emulator over real HTTP, behind a thin test shim: the emulator has no switch for "the
 * next N requests fail with a 5xx" (only a random rate), and races (an edit landing between our
 * read and our write) need a hook on the way in. Everything else is the emulator's own behaviour.
 */
export interface GustoUnderTest {
  readonly baseUrl: string;
  readonly control: GustoControl;
  /** What the connector needs: OAuth client, a fresh refresh token, the organization token. */
  readonly credentials: Record<string, string>;
  /** The next `count` API requests (/v1, /oauth) answer `status` without reaching the emulator. */
  serverErrorNext(count: number, status?: 500 | 502 | 503): void;
  /** Runs before each API request reaches the emulator, and before an armed failure is answered (null removes it). */
  onRequest(hook: ((method: string, path: string) => void | Promise<void>) | null): void;
  /** API requests seen by the shim, as `METHOD /path`. */
  readonly requests: string[];
  /** The same requests with their query strings: `METHOD /path?query`. */
  readonly urls: string[];
  close(): Promise<void>;
}

export async function startGusto(options: GustoEmulatorOptions = {}): Promise<GustoUnderTest> {
  const { app, control } = createGustoEmulator(options);
  let failNext = 0;
  let failStatus: 500 | 502 | 503 = 503;
  let hook: ((method: string, path: string) => void | Promise<void>) | null = null;
  const requests: string[] = [];
  const urls: string[] = [];
  const server = createAdaptorServer({
    fetch: async (request: Request, env: HttpBindings | Http2Bindings) => {
      const { pathname: path, search } = new URL(request.url);
      if (path.startsWith('/v1') || path.startsWith('/oauth')) {
        requests.push(`${request.method} ${path}`);
        urls.push(`${request.method} ${path}${search}`);
        // The hook first: it may arm a failure for this very request.
        await hook?.(request.method, path);
        if (failNext > 0) {
          failNext -= 1;
          return Response.json({ errors: [{ error_key: 'base', category: 'server_error', message: 'injected by the test' }] }, { status: failStatus });
        }
      }
      return app.fetch(request, env);
    },
  }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const tokens = control.issueTokens();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    control,
    credentials: {
      clientId: control.credentials.clientId,
      clientSecret: control.credentials.clientSecret,
      refreshToken: tokens.refresh_token,
      apiToken: control.credentials.apiToken,
    },
    serverErrorNext: (count, status = 503) => {
      failNext = count;
      failStatus = status;
    },
    onRequest: (next) => {
      hook = next;
    },
    requests,
    urls,
    close: async () => {
      control.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
