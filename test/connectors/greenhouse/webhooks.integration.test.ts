import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greenhouse } from '../../../connectors/greenhouse/index.ts';
import { memoryState, signGreenhouse, silentLogger } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { createGreenhouseEmulator } from '../../../fixtures/greenhouse/index.ts';
import { StaticPolicy } from '../../../src/engine/index.ts';
import { createApp } from '../../../src/http/app.ts';
import { startServer, type ServerHandle } from '../../../src/http/server.ts';
import { mountWebhooks } from '../../../src/http/webhooks.ts';
import { SqliteStore } from '../../../src/store/index.ts';
import { countRows, tempDir } from '../../support/temp-store.ts';

/**
 * Greenhouse recruiting webhooks through the hub's real webhook route, verified and parsed by the
 * connector: the signature matrix (as for Gusto), duplicates by `Greenhouse-Event-ID`, and the
 * delivery id kept in the inbox.
 */
const SECRET = 'gh-route-secret';
const OLD_SECRET = 'gh-route-old-secret';
const temp = tempDir();
let store: SqliteStore;
let server: ServerHandle;
let instance: ReturnType<typeof greenhouse.create>;
const enqueued: string[] = [];
const { control } = createGreenhouseEmulator({ dataset: sampleDataset() });
const app0 = control.records('applications')[0];

beforeAll(async () => {
  store = SqliteStore.open(`${temp.dir}/gh.db`);
  instance = greenhouse.create({
    systemId: 'greenhouse', baseUrl: 'https://harvest.greenhouse.io', credentials: { apiKey: 'k', webhookSecret: SECRET, previousWebhookSecret: OLD_SECRET },
    state: memoryState(), logger: silentLogger,
  });
  const app = createApp({
    store, policy: new StaticPolicy({ inbound: {} }), adminToken: 'gh-admin', systems: [],
    mount: (a) =>
      mountWebhooks(a, {
        store, bodyLimit: 1_048_576, now: () => new Date().toISOString(),
        counters: { webhookVerifyFailures: new Map(), webhookAccepted: new Map(), webhookDuplicates: new Map(), httpResponses: new Map() },
        log: { error: () => undefined, warn: () => undefined },
        receiver: (system) =>
          system === 'greenhouse'
            ? {
                verify: (raw, headers) => instance.verifyWebhook?.(raw, headers) ?? { ok: false, status: 401, reason: 'none' },
                parse: (raw, headers) => instance.parseWebhook?.(raw, headers) ?? [],
                // As serve.ts builds it: the manifest's id header is kept with the body.
                keepHeaders: [greenhouse.manifest.webhook?.idHeader ?? ''],
              }
            : null,
        enqueue: async (_system, inboxId) => {
          enqueued.push(inboxId);
        },
      }),
  });
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  store.close();
  temp.dispose();
});

const post = async (body: Buffer, headers: Record<string, string>) => {
  const res = await fetch(`${server.url}/webhooks/greenhouse`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const hire = () => control.delivery('hire_candidate', { application: { id: app0?.id, status: 'hired', candidate: { id: app0?.['candidate_id'], first_name: 'A & B <x>' } } }, SECRET);

describe('Greenhouse webhooks at the hub', () => {
  it('a signed delivery is stored once with its Greenhouse-Event-ID; the same delivery again is a duplicate', async () => {
    const d = hire();
    const first = await post(d.body, d.headers);
    expect(first.status).toBe(202);
    const row = store.db.prepare('SELECT event_id, payload FROM inbox WHERE id = ?').get(first.json['inboxId']) as { event_id: string; payload: string };
    expect(row.event_id).toMatch(new RegExp(`^batch:|^${d.headers['Greenhouse-Event-ID'] ?? ''}`));
    expect(row.payload).toBe(d.body.toString('utf8'));
    expect(row.payload).toContain('\\u003cx\\u003e');
    // The event id header is kept with the body: parsed again at processing, the events are the same.
    const stored = await store.repos.inbox.get(String(first.json['inboxId']));
    expect(stored?.headers).toEqual({ 'greenhouse-event-id': d.headers['Greenhouse-Event-ID'] });
    const atProcessing = instance.parseWebhook?.(Buffer.from(stored?.payload ?? '', 'utf8'), stored?.headers ?? {});
    expect(atProcessing?.map((e) => e.eventId)).toEqual(instance.parseWebhook?.(d.body, d.headers).map((e) => e.eventId));
    const again = await post(d.body, d.headers);
    expect(again).toMatchObject({ status: 200, json: { duplicate: true } });
    expect(countRows(store, 'inbox')).toBe(1);
  });

  it('the previous secret of a rotation is accepted', async () => {
    const d = control.delivery('update_candidate', { candidate: { id: app0?.['candidate_id'] } }, OLD_SECRET);
    expect((await post(d.body, d.headers)).status).toBe(202);
  });

  it.each([
    ['no Signature header', (b: Buffer, h: Record<string, string>) => ({ body: b, headers: { ...h, Signature: '' } }), 401],
    ['a 1-byte change of the body', (b: Buffer, h: Record<string, string>) => ({ body: Buffer.concat([b.subarray(0, -1), Buffer.from(' ')]), headers: h }), 401],
    ['another secret', (b: Buffer, h: Record<string, string>) => ({ body: b, headers: { ...h, ...signGreenhouse(b, 'not-the-secret') } }), 401],
    ['a truncated signature', (b: Buffer, h: Record<string, string>) => ({ body: b, headers: { ...h, Signature: (h['Signature'] ?? '').slice(0, -2) } }), 401],
    ['sha256=<hex> (GitHub form)', (b: Buffer, h: Record<string, string>) => ({ body: b, headers: { ...h, Signature: (h['Signature'] ?? '').replace('sha256 ', 'sha256=') } }), 400],
    ['sha1 <hex>', (b: Buffer, h: Record<string, string>) => ({ body: b, headers: { ...h, Signature: (h['Signature'] ?? '').replace('sha256 ', 'sha1 ') } }), 400],
  ])('%s is refused and stores nothing', async (_label, forge, status) => {
    const before = countRows(store, 'inbox');
    const d = hire();
    const { body, headers } = forge(d.body, d.headers);
    if (headers.Signature === '') delete (headers as Record<string, string | undefined>)['Signature'];
    expect((await post(body, headers)).status).toBe(status);
    expect(countRows(store, 'inbox')).toBe(before);
  });

  it('a ping, or an action the mappings do not read, is answered 200 and not stored', async () => {
    const before = countRows(store, 'inbox');
    for (const action of ['ping', 'offer_created', 'interview_deleted']) {
      const d = control.delivery(action, {}, SECRET);
      expect((await post(d.body, d.headers)).status).toBe(200);
    }
    expect(countRows(store, 'inbox')).toBe(before);
  });

  it('a signed body that is not a Greenhouse delivery, or lacks the record id, is refused with 400', async () => {
    const notJson = Buffer.from('not json');
    expect((await post(notJson, { ...signGreenhouse(notJson, SECRET), 'Greenhouse-Event-ID': 'x1' })).status).toBe(400);
    const noId = control.delivery('hire_candidate', { application: { status: 'hired' } }, SECRET);
    expect((await post(noId.body, noId.headers)).status).toBe(400);
  });
});
