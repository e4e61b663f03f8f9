import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gusto, setupWebhooks, type GustoInstance } from '../../../connectors/gusto/index.ts';
import { memoryState, signGusto, silentLogger, type ConnectorContext } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startReceiver } from '../../../fixtures/gusto/testing/receiver.ts';
import { startServer, type ServerHandle } from '../../../src/http/server.ts';
import { buildHttpApp } from '../../../src/serve.ts';
import { countRows } from '../../support/temp-store.ts';
import { startGusto } from './support/emulator.ts';
import { startHarness, testHttp, type GustoHarness } from './support/hub.ts';

/**
 * Gusto's webhooks end to end: the subscription handshake (`setupWebhooks`), signed deliveries
 * from the emulator to the hub's `POST /webhooks/gusto`, duplicates, and tampered bodies.
 */

const dataset = sampleDataset();
const FAST_RETRIES = { maxRetries: 6, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2_000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('setupWebhooks', () => {
  it('completes Gusto\'s handshake: the unsigned token POST is kept as pending, verified with Gusto, then signs deliveries', async () => {
    const emulator = await startGusto({ dataset, webhookRetry: FAST_RETRIES });
    const receiver = await startReceiver();
    try {
      const ctx: ConnectorContext = {
        systemId: 'gusto-setup', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger, http: testHttp(),
      };
      const instance = gusto.create(ctx) as GustoInstance;
      // What the hub's webhook route does with an unsigned delivery (see the connector README) —
      // except that the first one is swapped for a forged token, which Gusto then refuses.
      let forwarded = 0;
      const relay = setInterval(() => {
        for (const request of receiver.requests.slice(forwarded)) {
          forwarded += 1;
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
          const raw = forwarded === 1 ? Buffer.from('{"verification_token":"forged-token"}') : request.raw;
          void instance.acceptWebhookHandshake(raw, headers);
        }
      }, 5);
      const setup = await setupWebhooks(ctx, receiver.url, { timeoutMs: 5_000, pollMs: 10 }).finally(() => clearInterval(relay));
      // The forged token was refused at verify; the real one was asked for again.
      expect(emulator.control.webhookDeliveries().filter((d) => d.kind === 'verification')).toHaveLength(2);

      const [subscription] = emulator.control.subscriptions();
      expect(subscription).toMatchObject({ uuid: setup.subscriptionUuid, status: 'verified', url: receiver.url });
      expect(setup.verificationToken).toBe(subscription?.verification_token);
      expect(await ctx.state.get('webhook.verificationToken')).toBe(setup.verificationToken);
      expect(instance.verifyWebhook?.(receiver.requests[0]?.raw ?? Buffer.alloc(0), {})).toMatchObject({ ok: false, status: 401 });

      // A delivery signed with the learned token verifies (after the instance re-reads the state).
      const uuid = String(emulator.control.employees()[0]?.['uuid']);
      emulator.control.editEmployee(uuid, { preferred_first_name: 'Hook' });
      await emulator.control.webhooksIdle();
      const delivery = receiver.requests.at(-1);
      const headers = { 'x-gusto-signature': String(delivery?.headers['x-gusto-signature']) };
      await sleep(1_100);
      instance.verifyWebhook?.(Buffer.from('{}'), headers);
      await sleep(20);
      expect(instance.verifyWebhook?.(delivery?.raw ?? Buffer.alloc(0), headers)).toEqual({ ok: true });
      expect(instance.parseWebhook?.(delivery?.raw ?? Buffer.alloc(0), headers)).toMatchObject([{ entity: 'employees', externalId: uuid, kind: 'updated' }]);
      // The forged token never signs anything.
      const forged = Buffer.from(JSON.stringify({ ...(delivery?.json as object), uuid: 'forged-event' }));
      expect(instance.verifyWebhook?.(forged, signGusto(forged, 'forged-token'))).toMatchObject({ ok: false, status: 401 });

      // Running it again reuses the subscription.
      const again = await setupWebhooks(ctx, receiver.url, { timeoutMs: 5_000, pollMs: 10, receiveToken: async () => subscription?.verification_token ?? '' });
      expect(again.subscriptionUuid).toBe(setup.subscriptionUuid);
      expect(emulator.control.subscriptions()).toHaveLength(1);
    } finally {
      await receiver.close();
      await emulator.close();
    }
  });
});

describe('webhooks into the hub', () => {
  let h: GustoHarness;
  let server: ServerHandle;
  let url: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness(dataset, { webhookRetry: FAST_RETRIES });
    await h.seed();
    await h.sync();
    server = await startServer(buildHttpApp(h.hub), { host: '127.0.0.1', port: 0 });
    url = `${server.url}/webhooks/gusto`;
    const ctx: ConnectorContext = {
      systemId: 'gusto', baseUrl: h.gusto.baseUrl, credentials: h.gusto.credentials, state: h.state, logger: silentLogger, http: testHttp(),
    };
    // The real handshake: Gusto's unsigned token POST reaches the route while setup awaits it.
    const setup = await setupWebhooks(ctx, url, { timeoutMs: 5_000, pollMs: 10 });
    token = setup.verificationToken;
    await h.gusto.control.webhooksIdle();
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  const post = (body: Buffer, headers: Record<string, string>): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('the unsigned verification POST is not accepted as an event', async () => {
    const handshake = h.gusto.control.webhookDeliveries().filter((d) => d.kind === 'verification');
    expect(handshake.map((d) => d.status)).toEqual([200]);
    expect(countRows(h.store, 'inbox')).toBe(0);
  });

  it('a tampered delivery gets 401 and nothing is stored or queued', async () => {
    // Also makes the hub's connector re-read the token setupWebhooks stored.
    await sleep(1_100);
    const body = Buffer.from(JSON.stringify({ uuid: 'a6a3a7de-5d2e-4c59-8d0e-3a9c0c7f0b11', event_type: 'employee.updated', resource_type: 'Company', resource_uuid: h.gusto.control.companyUuid, entity_type: 'Employee', entity_uuid: 'x', timestamp: 1_764_000_000 }));
    const signature = signGusto(body, token);
    const tampered = Buffer.from(body.toString('utf8').replace('"x"', '"y"'));
    const response = await post(tampered, signature);
    expect(response.status).toBe(401);
    await sleep(50);
    expect((await post(body, { 'X-Gusto-Signature': '0'.repeat(64) })).status).toBe(401);
    expect(countRows(h.store, 'inbox')).toBe(0);
    expect((await h.hub.queue().stats())['gusto']?.waiting ?? 0).toBe(0);
  });

  it('a signed delivery lands in the inbox and is processed once though it arrives three times, two at once', async () => {
    const employee = h.gusto.control.employees().find((e) => typeof e['email'] === 'string') ?? {};
    const uuid = String(employee['uuid']);
    const link = await h.store.repos.links.get('gusto', 'candidate', uuid);
    h.gusto.control.faults.set({ webhooks: { duplicateRate: 1 } });
    h.gusto.control.editEmployee(uuid, { first_name: 'Webhooked' });
    h.gusto.control.faults.set({ webhooks: { duplicateRate: 0 } });
    await h.gusto.control.webhooksIdle();
    const event = h.gusto.control.events().at(-1);
    const deliveries = h.gusto.control.webhookDeliveries().filter((d) => d.eventUuid === event?.uuid);
    expect(deliveries.map((d) => [d.outcome, d.status]).sort()).toEqual([['delivered', 200], ['delivered', 202]]);
    // The third copy, byte for byte as Gusto sends it.
    const body = Buffer.from(JSON.stringify(event));
    const third = await post(body, signGusto(body, token));
    expect(third.status).toBe(200);
    expect(await third.json()).toMatchObject({ accepted: true, duplicate: true });

    await h.hub.queue().drain({ timeoutMs: 10_000 });
    const rows = await h.store.repos.inbox.list({ system: 'gusto', limit: 10 });
    expect(rows.map((r) => [r.eventId, r.entity, r.externalId, r.status])).toEqual([[event?.uuid, 'employees', uuid, 'done']]);
    const refused = await h.store.repos.ledger.query({ system: 'gusto', canonicalId: link?.canonicalId ?? '', outcome: 'rejected', limit: 10 });
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatch(/firstName is owned by bullhorn/);
  });
});
