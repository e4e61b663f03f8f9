import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startGustoEmulator, type RunningGustoEmulator } from '../../fixtures/gusto/index.ts';
import { api, list, obj } from '../../fixtures/gusto/testing/client.ts';
import { startReceiver, type WebhookReceiver } from '../../fixtures/gusto/testing/receiver.ts';

/*
 * Webhook subscriptions, the verification handshake and signed deliveries, with retries, drops and
 * duplicates, against a real receiver on a free port. The HMAC is recomputed here independently.
 */

const dataset = sampleDataset();
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 2_000 };

function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface Subscribed {
  readonly receiver: WebhookReceiver;
  readonly uuid: string;
  readonly token: string;
}

async function subscribe(emu: RunningGustoEmulator, types: string[]): Promise<Subscribed> {
  const receiver = await startReceiver();
  const apiToken = emu.control.credentials.apiToken;
  const created = await api(emu.baseUrl, '/v1/webhook_subscriptions', { method: 'POST', apiToken, body: { url: receiver.url, subscription_types: types } });
  expect(created.status).toBe(201);
  const uuid = String(obj(created.body)['uuid']);
  await receiver.waitFor((r) => r.length >= 1);
  const token = String(obj(receiver.requests[0]?.json)['verification_token']);
  const verified = await api(emu.baseUrl, `/v1/webhook_subscriptions/${uuid}/verify`, { method: 'PUT', apiToken, body: { verification_token: token } });
  expect(obj(verified.body)['status']).toBe('verified');
  return { receiver, uuid, token };
}

describe('gusto emulator: webhook subscriptions and deliveries', () => {
  let emu: RunningGustoEmulator;
  let apiToken: string;
  const receivers: WebhookReceiver[] = [];
  const employees = (): string[] => [...emu.control.keyMaps().employees.values()];
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, webhookRetry: FAST_RETRY });
    apiToken = emu.control.credentials.apiToken;
  });
  afterEach(async () => {
    emu.control.faults.clear();
    await emu.control.webhooksIdle();
    for (const sub of emu.control.subscriptions()) await api(emu.baseUrl, `/v1/webhook_subscriptions/${sub.uuid}`, { method: 'DELETE', apiToken });
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => emu.close());

  const track = async (types: string[]): Promise<Subscribed> => {
    const sub = await subscribe(emu, types);
    receivers.push(sub.receiver);
    return sub;
  };

  it('manages subscriptions with the organization API token only, validating the body', async () => {
    const bearer = emu.control.issueTokens().access_token;
    expect((await api(emu.baseUrl, '/v1/webhook_subscriptions', { bearer })).status).toBe(401);
    const badTypes = await api(emu.baseUrl, '/v1/webhook_subscriptions', { method: 'POST', apiToken, body: { url: 'https://hub.example/webhooks', subscription_types: ['Employee', 'Spaceship'] } });
    expect(badTypes.status).toBe(422);
    const badUrl = await api(emu.baseUrl, '/v1/webhook_subscriptions', { method: 'POST', apiToken, body: { url: 'ftp://nope', subscription_types: ['Employee'] } });
    expect(list(obj(badUrl.body)['errors']).map((e) => e['error_key'])).toEqual(['url']);
  });

  it('hands over a verification token and delivers nothing until it is verified', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = obj((await api(emu.baseUrl, '/v1/webhook_subscriptions', { method: 'POST', apiToken, body: { url: receiver.url, subscription_types: ['Employee'] } })).body);
    expect(created).toMatchObject({ url: receiver.url, status: 'pending', subscription_types: ['Employee'] });
    await receiver.waitFor((r) => r.length === 1);
    const handshake = receiver.requests[0];
    const token = String(obj(handshake?.json)['verification_token']);
    expect(Object.keys(obj(handshake?.json))).toEqual(['verification_token']);
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    emu.control.editEmployee(employees()[0] ?? '', { preferred_first_name: 'Before' });
    await emu.control.webhooksIdle();
    expect(receiver.requests).toHaveLength(1);

    const resent = await api(emu.baseUrl, `/v1/webhook_subscriptions/${String(created['uuid'])}/request_verification_token`, { apiToken });
    expect(resent.status).toBe(200);
    await receiver.waitFor((r) => r.length === 2);
    expect(obj(receiver.requests[1]?.json)['verification_token']).toBe(token);

    const wrong = await api(emu.baseUrl, `/v1/webhook_subscriptions/${String(created['uuid'])}/verify`, { method: 'PUT', apiToken, body: { verification_token: 'guess' } });
    expect(wrong.status).toBe(422);
    const ok = await api(emu.baseUrl, `/v1/webhook_subscriptions/${String(created['uuid'])}/verify`, { method: 'PUT', apiToken, body: { verification_token: token } });
    expect(obj(ok.body)['status']).toBe('verified');

    emu.control.editEmployee(employees()[0] ?? '', { preferred_first_name: 'After' });
    await receiver.waitFor((r) => r.length === 3);
    expect(obj(receiver.requests[2]?.json)['event_type']).toBe('employee.updated');
  });

  it('signs each delivery: X-Gusto-Signature is the hex HMAC-SHA256 of the raw body keyed with the token', async () => {
    const { receiver, token } = await track(['Employee']);
    const uuid = employees()[1] ?? '';
    emu.control.editEmployee(uuid, { preferred_first_name: 'Signed' });
    await receiver.waitFor((r) => r.length === 2);
    const delivery = receiver.requests[1];
    expect(delivery?.headers['content-type']).toContain('application/json');
    const signature = String(delivery?.headers['x-gusto-signature']);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).toBe(hmacHex(token, delivery?.raw ?? Buffer.alloc(0)));
    expect(signature).not.toBe(hmacHex('another-token', delivery?.raw ?? Buffer.alloc(0)));
    const event = obj(delivery?.json);
    expect(event).toEqual({ ...emu.control.events().at(-1) });
    expect(event).toMatchObject({ event_type: 'employee.updated', resource_type: 'Company', resource_uuid: emu.control.companyUuid, entity_type: 'Employee', entity_uuid: uuid });
  });

  it('delivers only the subscribed entity types', async () => {
    const payrollOnly = await track(['Payroll']);
    const employeeOnly = await track(['Employee']);
    emu.control.editEmployee(employees()[2] ?? '', { preferred_first_name: 'Typed' });
    emu.control.processPayroll();
    await emu.control.webhooksIdle();
    expect(payrollOnly.receiver.requests.slice(1).map((r) => obj(r.json)['event_type'])).toEqual(['payroll.processed']);
    expect(employeeOnly.receiver.requests.slice(1).map((r) => obj(r.json)['event_type'])).toEqual(['employee.updated']);
  });

  it('retries a failing receiver with growing delays and the same event (same uuid, same signature)', async () => {
    const { receiver, uuid } = await track(['Employee']);
    receiver.respond = (_req, index) => (index >= 1 && index <= 3 ? 500 : 200);
    emu.control.editEmployee(employees()[3] ?? '', { preferred_first_name: 'Retry' });
    await receiver.waitFor((r) => r.length === 5);
    await emu.control.webhooksIdle();
    const attempts = receiver.requests.slice(1);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => obj(a.json)['uuid'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-gusto-signature'])).size).toBe(1);
    const records = emu.control.webhookDeliveries().filter((d) => d.subscriptionUuid === uuid && d.kind === 'event');
    expect(records.map((d) => [d.attempt, d.outcome, d.status])).toEqual([
      [0, 'failed', 500],
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'delivered', 200],
    ]);
    const gaps = attempts.slice(1).map((a, i) => a.atMs - (attempts[i]?.atMs ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(4); // 5 ms, 10 ms, 20 ms: timers never fire early
    expect(gaps[2]).toBeGreaterThanOrEqual(19);
  });

  it('drops the next N webhooks (never sent) while the events feed still has them', async () => {
    const { receiver } = await track(['Employee']);
    const before = emu.control.events().length;
    emu.control.dropWebhooks({ next: 2 });
    for (const [i, uuid] of employees().slice(4, 7).entries()) emu.control.editEmployee(uuid, { preferred_first_name: `Drop${i}` });
    await emu.control.webhooksIdle();
    const delivered = receiver.requests.slice(1).map((r) => obj(r.json)['uuid']);
    const fed = emu.control.events().slice(before).map((e) => e.uuid);
    expect(fed).toHaveLength(3);
    expect(delivered).toEqual([fed[2]]);
    expect(emu.control.webhookDeliveries().filter((d) => d.outcome === 'dropped' && fed.includes(d.eventUuid ?? ''))).toHaveLength(2);

    emu.control.dropWebhooks({ next: 0, rate: 1 });
    emu.control.editEmployee(employees()[7] ?? '', { preferred_first_name: 'AllDropped' });
    await emu.control.webhooksIdle();
    expect(receiver.requests).toHaveLength(2);
  });

  it('can deliver the same event twice (duplicates carry the same uuid)', async () => {
    const { receiver } = await track(['Employee']);
    emu.control.faults.set({ webhooks: { duplicateRate: 1 } });
    emu.control.editEmployee(employees()[8] ?? '', { preferred_first_name: 'Twice' });
    await receiver.waitFor((r) => r.length === 3);
    expect(obj(receiver.requests[1]?.json)['uuid']).toBe(obj(receiver.requests[2]?.json)['uuid']);
  });

  it('stops delivering to a deleted subscription', async () => {
    const { receiver, uuid } = await track(['Employee']);
    expect((await api(emu.baseUrl, `/v1/webhook_subscriptions/${uuid}`, { method: 'DELETE', apiToken })).status).toBe(204);
    emu.control.editEmployee(employees()[9] ?? '', { preferred_first_name: 'Gone' });
    await emu.control.webhooksIdle();
    expect(receiver.requests).toHaveLength(1);
    expect((await api(emu.baseUrl, `/v1/webhook_subscriptions/${uuid}`, { apiToken })).status).toBe(404);
  });
});

describe('gusto emulator: webhook retry limit', () => {
  it('gives up after maxRetries, also when the receiver is unreachable', async () => {
    const emu = await startGustoEmulator({ webhookRetry: { ...FAST_RETRY, maxRetries: 3 } });
    const { receiver, uuid } = await subscribe(emu, ['Employee', 'Company']);
    try {
      receiver.respond = () => 503;
      const created = await api(emu.baseUrl, `/v1/companies/${emu.control.companyUuid}/employees`, {
        method: 'POST',
        bearer: emu.control.issueTokens().access_token,
        body: { first_name: 'Ana', last_name: 'Lima' },
      });
      expect(created.status).toBe(201);
      await emu.control.webhooksIdle();
      expect(receiver.requests.slice(1)).toHaveLength(4);

      await receiver.close();
      emu.control.editEmployee(String(obj(created.body)['uuid']), { preferred_first_name: 'Offline' });
      await emu.control.webhooksIdle();
      const offline = emu.control.webhookDeliveries().filter((d) => d.subscriptionUuid === uuid && d.eventUuid === emu.control.events().at(-1)?.uuid);
      expect(offline.map((d) => [d.attempt, d.status])).toEqual([
        [0, null],
        [1, null],
        [2, null],
        [3, null],
      ]);
    } finally {
      await emu.close();
      await receiver.close().catch(() => undefined);
    }
  });
});
