import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.ts';
import { memoryState, silentLogger, type ConnectorContext, type ConnectorState } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';
import { testHttp } from './support/hub.ts';

/** OAuth with Gusto's rotating refresh tokens, and the version header, against the emulator. */

const dataset = sampleDataset();
let emulator: GustoUnderTest;

beforeEach(async () => {
  emulator = await startGusto({ dataset });
});
afterEach(async () => {
  await emulator.close();
});

function context(state: ConnectorState, credentials: Record<string, string> = emulator.credentials): ConnectorContext {
  return { systemId: 'gusto-auth', baseUrl: emulator.baseUrl, credentials, state, logger: silentLogger, http: testHttp() };
}

const firstPage = { entity: 'employees', since: null, cursor: null, pageSize: 5 } as const;

describe('gusto OAuth', () => {
  it('stores the rotated pair before the new access token is used', async () => {
    const inner = memoryState();
    const writes: Array<{ key: string; requestsSoFar: string[] }> = [];
    const state: ConnectorState = {
      get: (key) => inner.get(key),
      set: async (key, value) => {
        writes.push({ key, requestsSoFar: [...emulator.requests] });
        await inner.set(key, value);
      },
    };
    await gusto.create(context(state)).pullPage(firstPage);
    const tokenWrite = writes.find((w) => w.key === 'oauth.tokens');
    expect(tokenWrite?.requestsSoFar).toEqual(['POST /oauth/token']);
    const stored = JSON.parse(inner.snapshot()['oauth.tokens'] ?? '{}') as { refreshToken?: string; accessToken?: string };
    expect(stored.refreshToken).not.toBe(emulator.credentials['refreshToken']);
    // Every API call carried the version header.
    const v1 = emulator.requests.filter((r) => r.includes(' /v1/')).length;
    expect(emulator.control.apiVersionsSeen()).toEqual({ '2025-06-15': v1 });
  });

  it('concurrent first requests share one refresh', async () => {
    const instance = gusto.create(context(memoryState()));
    await Promise.all(Array.from({ length: 5 }, () => instance.pullPage(firstPage)));
    expect(emulator.requests.filter((r) => r === 'POST /oauth/token')).toHaveLength(1);
  });

  it('a second process on the same state uses the stored token, and after a 401 adopts the newer one instead of refreshing again', async () => {
    const state = memoryState();
    const a = gusto.create(context(state));
    const b = gusto.create(context(state));
    await a.pullPage(firstPage);
    await b.pullPage(firstPage);
    expect(emulator.requests.filter((r) => r === 'POST /oauth/token')).toHaveLength(1);
    // A's tokens expire; A refreshes (Gusto revokes the old pair once the new token is used); B then adopts A's pair.
    emulator.control.expireTokens();
    await a.pullPage(firstPage);
    await b.pullPage(firstPage);
    expect(emulator.requests.filter((r) => r === 'POST /oauth/token')).toHaveLength(2);
    expect(b.requestStats?.().authRefreshes).toBe(1);
  });

  it('a newly configured refresh token (authorised again) replaces the stored chain', async () => {
    const state = memoryState();
    await gusto.create(context(state)).pullPage(firstPage);
    const fresh = emulator.control.issueTokens().refresh_token;
    const requests = emulator.requests.length;
    await gusto.create(context(state, { ...emulator.credentials, refreshToken: fresh })).pullPage(firstPage);
    expect(emulator.requests.slice(requests)[0]).toBe('POST /oauth/token');
  });

  it('a refresh token Gusto refuses is a configuration error that names neither secret', async () => {
    const err: unknown = await gusto
      .create(context(memoryState(), { ...emulator.credentials, refreshToken: 'revoked-refresh-token' }))
      .pullPage(firstPage)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConnectorConfigError', reason: 'bad_credentials' });
    expect(String(err)).toMatch(/authorise the integration again/);
    expect(String(err)).not.toMatch(/revoked-refresh-token|gusto-emulator-secret/);
  });
});
