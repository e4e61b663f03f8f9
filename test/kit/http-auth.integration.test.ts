import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorConfigError, type AuthHooks } from '../../connectors/kit/index.ts';
import { clientFor } from './http-helpers.ts';
import { json, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

/** A vendor that accepts one bearer token at a time, and a connector that refreshes it. */
function tokenAuth(initial: string, refreshed: string): { hooks: AuthHooks; refreshes: () => number } {
  let token = initial;
  let refreshes = 0;
  return {
    refreshes: () => refreshes,
    hooks: {
      beforeRequest: (req) => {
        req.headers['authorization'] = `Bearer ${token}`;
      },
      onAuthError: async () => {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        token = refreshed;
      },
    },
  };
}

function acceptOnly(token: string): Parameters<TestServer['handle']>[0] {
  return (hit, res) => (hit.headers.authorization === `Bearer ${token}` ? json(res, 200, { ok: true }) : json(res, 401, { message: 'expired token' }));
}

describe('auth hooks', () => {
  it('adds credentials to every attempt and re-authenticates once on a 401', async () => {
    server.handle(acceptOnly('fresh'));
    const auth = tokenAuth('stale', 'fresh');
    const { client } = clientFor(server.baseUrl, { auth: auth.hooks });
    await expect(client.get('/v1/me')).resolves.toMatchObject({ status: 200 });
    expect(auth.refreshes()).toBe(1);
    expect(server.hits.map((h) => h.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(client.stats().authRefreshes).toBe(1);
  });

  it('refreshes once for a wave of concurrent 401s (a single-use refresh token is spent once)', async () => {
    server.handle(acceptOnly('fresh'));
    const auth = tokenAuth('stale', 'fresh');
    const { client } = clientFor(server.baseUrl, { auth: auth.hooks });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => client.get(`/v1/things/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(auth.refreshes()).toBe(1);
  });

  it('gives a ConnectorConfigError when the credentials are still refused after re-login', async () => {
    server.handle(acceptOnly('never'));
    const auth = tokenAuth('stale', 'also-bad');
    const { client } = clientFor(server.baseUrl, { auth: auth.hooks });
    const failure = await client.get('/v1/me').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectorConfigError);
    expect(failure).toMatchObject({ reason: 'bad_credentials', status: 401, vendorMessage: 'expired token', retryable: false });
    expect(auth.refreshes()).toBe(1);
    expect(server.hits).toHaveLength(2);
  });

  it('lets a refusal from the login itself through as is', async () => {
    server.handle((hit, res) => (hit.url.startsWith('/oauth/token') ? json(res, 400, { error: 'invalid_grant', error_description: 'refresh token already used' }) : json(res, 401, {})));
    const { client } = clientFor(server.baseUrl, {
      auth: {
        beforeRequest: (req) => {
          req.headers['authorization'] = 'Bearer old';
        },
        onAuthError: async () => {
          await client.request({ method: 'POST', path: '/oauth/token', auth: false, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r-1' }) });
        },
      },
    });
    const failure = await client.get('/v1/me').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectorConfigError);
    expect(failure).toMatchObject({ reason: 'rejected', status: 400, path: '/oauth/token', vendorMessage: 'refresh token already used' });
    expect(server.hits[1]?.body).toBe('grant_type=refresh_token&refresh_token=r-1');
    expect(server.hits[1]?.headers['content-type']).toContain('application/x-www-form-urlencoded');
  });

  it('does not call the auth hooks for auth: false requests; their 401 is a config error', async () => {
    server.handle((_hit, res) => json(res, 401, {}));
    const auth = tokenAuth('a', 'b');
    const { client } = clientFor(server.baseUrl, { auth: auth.hooks });
    await expect(client.request({ method: 'POST', path: '/login', auth: false })).rejects.toMatchObject({ reason: 'bad_credentials' });
    expect(auth.refreshes()).toBe(0);
    expect(server.hits[0]?.headers.authorization).toBeUndefined();
  });

  it('lets the hook move the request to a session URL and add a query token (Bullhorn style)', async () => {
    server.handle((hit, res) => (hit.url.includes('BhRestToken=s-2') ? json(res, 200, { data: [] }) : json(res, 401, { errorMessage: "Bad 'BhRestToken' or timed-out." })));
    let session = { restUrl: `${server.baseUrl}/rest-services/c0rp1/`, token: 's-1' };
    const { client } = clientFor('https://rest.vendor.example/rest-services/', {
      auth: {
        beforeRequest: (req) => {
          req.baseUrl = session.restUrl;
          req.query['BhRestToken'] = session.token;
        },
        onAuthError: async () => {
          session = { ...session, token: 's-2' };
        },
        authErrorStatuses: [401, 412],
      },
    });
    await client.get('search/Candidate', { query: 'isDeleted:0', start: 0, count: 500 });
    expect(server.hits.map((h) => h.url)).toEqual([
      '/rest-services/c0rp1/search/Candidate?query=isDeleted%3A0&start=0&count=500&BhRestToken=s-1',
      '/rest-services/c0rp1/search/Candidate?query=isDeleted%3A0&start=0&count=500&BhRestToken=s-2',
    ]);
  });

  it('treats the configured statuses as auth failures (Bullhorn answers 412 without a session)', async () => {
    server.handle((hit, res) => (hit.headers.authorization === 'Bearer fresh' ? json(res, 200, {}) : json(res, 412, {})));
    const auth = tokenAuth('none', 'fresh');
    const { client } = clientFor(server.baseUrl, { auth: { ...auth.hooks, authErrorStatuses: [401, 412] } });
    await expect(client.get('/ping')).resolves.toMatchObject({ status: 200 });
    expect(auth.refreshes()).toBe(1);
  });
});
