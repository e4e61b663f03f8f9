import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupWebhooks } from '../../../connectors/gusto/index.ts';
import { silentLogger, type ConnectorContext } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startServer, type ServerHandle } from '../../../src/http/server.ts';
import { buildHttpApp } from '../../../src/serve.ts';
import { countRows } from '../../support/temp-store.ts';
import { startHarness, testHttp, type GustoHarness } from './support/hub.ts';

/**
 * The unsigned Gusto verification body through the hub's `POST /webhooks/gusto` (docs/vendors.md §5.5:
 * Gusto POSTs `{"verification_token": "<uuid>"}` to the URL after a subscription is created or a
 * token is requested again). Taken only while `setupWebhooks` awaits it, only the first one; any
 * other unsigned body is a 401 like every unsigned delivery and writes nothing.
 */

const FAST_RETRIES = { maxRetries: 6, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2_000 };
const FORGED = '6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c';

let h: GustoHarness;
let server: ServerHandle;
let url: string;

beforeAll(async () => {
  h = await startHarness(sampleDataset(), { webhookRetry: FAST_RETRIES });
  server = await startServer(buildHttpApp(h.hub), { host: '127.0.0.1', port: 0 });
  url = `${server.url}/webhooks/gusto`;
});
afterAll(async () => {
  await server.close();
  await h.close();
});

const ctx = (): ConnectorContext => ({
  systemId: 'gusto', baseUrl: h.gusto.baseUrl, credentials: h.gusto.credentials, state: h.state, logger: silentLogger, http: testHttp(),
});

const handshake = (token: string): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verification_token: token }) });

describe('the Gusto verification handshake through the route', () => {
  it('is refused 401 while no subscription awaits verification, and writes nothing', async () => {
    const response = await handshake(FORGED);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await h.state.get('webhook.pendingVerificationToken')).toBeNull();
    expect(countRows(h.store, 'inbox')).toBe(0);
  });

  it('takes Gusto\'s token during setup and never lets a later unsigned body replace it', async () => {
    let late: number | null = null;
    const setup = await setupWebhooks(ctx(), url, {
      timeoutMs: 5_000,
      // Waits for what the route stored, as the default does, then sends a forged body after it.
      receiveToken: async (signal) => {
        for (;;) {
          const pending = await h.state.get('webhook.pendingVerificationToken');
          if (pending !== null && pending !== '') {
            late = (await handshake(FORGED)).status;
            return (await h.state.get('webhook.pendingVerificationToken')) ?? '';
          }
          if (signal.aborted) throw new Error('no token reached the route');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
    });
    expect(late).toBe(401);
    const [subscription] = h.gusto.control.subscriptions();
    expect(subscription).toMatchObject({ status: 'verified', url });
    expect(setup.verificationToken).toBe(subscription?.verification_token);
    // Gusto sent its token once, and the route took it (200, not an event).
    expect(h.gusto.control.webhookDeliveries().filter((d) => d.kind === 'verification').map((d) => d.status)).toEqual([200]);
    expect(await h.state.get('webhook.verificationToken')).toBe(setup.verificationToken);
    expect(await h.state.get('webhook.pendingVerificationToken')).toBe('');
    expect(countRows(h.store, 'inbox')).toBe(0);
  });

  it('is refused 401 once the subscription is verified: the verified token stays', async () => {
    const verified = await h.state.get('webhook.verificationToken');
    const response = await handshake(FORGED);
    expect(response.status).toBe(401);
    expect(await h.state.get('webhook.verificationToken')).toBe(verified);
    expect(await h.state.get('webhook.pendingVerificationToken')).toBe('');
    expect(await h.state.get('webhook.awaitingVerification')).toBe('');
    expect(countRows(h.store, 'inbox')).toBe(0);
  });
});
