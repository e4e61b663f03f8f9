import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpoolMailer } from '../../src/access/mail/mailer.ts';
import { nowIso } from '../../src/lib/time.ts';
import { createSubscription, DeliverySender, fanOutAll, newWebhookSecret, refuseWebhookUrl, SubscriptionError } from '../../src/notify/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { appendEvents, sampleEvent, sleep, startSubscriber, type Subscriber } from './support.ts';

let temp: TempStore | null = null;
const subscribers: Subscriber[] = [];

afterEach(async () => {
  for (const s of subscribers.splice(0)) await s.close();
  temp?.dispose();
  temp = null;
});

/** `timeoutMs`: short only where a hanging subscriber is the point; elsewhere a loaded machine's first POST must fit. */
async function setup(modes: ReadonlyArray<Subscriber['mode']>, backoff = { base: 40, max: 200 }, timeoutMs = 3_000) {
  temp = openTempStore();
  const store = temp.store;
  const subs: Array<{ sub: Subscriber; id: string }> = [];
  for (const mode of modes) {
    const secret = newWebhookSecret();
    const sub = await startSubscriber(secret, mode);
    subscribers.push(sub);
    const { row } = await store.unitOfWork((tx) => createSubscription(tx, { url: sub.url, eventTypes: ['invoice.issued'], clientId: null, description: mode, secret }, 'user:test', nowIso()));
    subs.push({ sub, id: row.id });
  }
  const sender = new DeliverySender({
    store, mailer: new SpoolMailer(join(temp.dir, 'mail'), 'test@example.test'), publicUrl: null,
    webhookTimeoutMs: timeoutMs, backoffBaseMs: backoff.base, backoffMaxMs: backoff.max, maxAttempts: { email: 3, webhook: 3 },
  });
  return { store, subs, sender };
}

describe('outbound webhooks', () => {
  it('signs per Standard Webhooks (verified by the standardwebhooks package) and sends only template-safe facts', async () => {
    const { store, subs, sender } = await setup(['ok']);
    await appendEvents(store, [sampleEvent(1), sampleEvent(2)]);
    expect((await fanOutAll(store)).deliveries).toBe(2);
    expect(await sender.drain()).toMatchObject({ sent: 2, failed: 0 });
    const sub = subs[0]?.sub;
    expect(sub?.rejected).toEqual([]);
    expect(sub?.received.map((r) => r.body.data['number'])).toEqual(['INV-1001', 'INV-1002']);
    expect(sub?.received[0]?.body.type).toBe('invoice.issued');
    // Pay rates and notes a producer slipped into the facts never leave.
    expect(JSON.stringify(sub?.received)).not.toMatch(/4321|INTERNAL-NOTE/);
    const rows = await store.repos.notifications.deliveries({ channel: 'webhook' });
    expect(rows.every((r) => r.status === 'sent' && r.messageId === `msg_${r.id}`)).toBe(true);
    expect(new Set(sub?.received.map((r) => r.id))).toEqual(new Set(rows.map((r) => r.messageId)));
  });

  it('a subscriber answering 500 is retried with backoff under the same webhook-id, then dead-lettered and replayable; a hanging one holds nobody up', async () => {
    // Backoff longer than the hang timeout, so one drain tries each delivery once.
    const { store, subs, sender } = await setup(['ok', 'error', 'hang'], { base: 400, max: 800 }, 300);
    const [ok, failing, hanging] = subs;
    await appendEvents(store, [sampleEvent(1)]);
    await fanOutAll(store);

    let drained = false;
    const firstDrain = sender.drain().then((r) => {
      drained = true;
      return r;
    });
    // While a subscriber hangs mid-delivery, a producer's unit of work commits: no send holds the store.
    while (hanging?.sub.seenIds.length === 0) await sleep(5);
    await appendEvents(store, [sampleEvent(2, { type: 'sync.issue' })]);
    expect(drained).toBe(false);
    const first = await firstDrain;
    expect(first).toMatchObject({ sent: 1, failed: 2 });
    expect(ok?.sub.received).toHaveLength(1);
    const failRow = (await store.repos.notifications.deliveries({ subscriptionId: failing?.id ?? '' }))[0];
    expect(failRow).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 500' });
    const hangRow = (await store.repos.notifications.deliveries({ subscriptionId: hanging?.id ?? '' }))[0];
    expect(hangRow?.status).toBe('failed');
    expect(hangRow?.lastError).toMatch(/TimeoutError|aborted|timeout/i);
    // The next try waits out the backoff (base 400 ms, jittered to at least half of it).
    expect(Date.parse(failRow?.nextAt ?? '') - Date.parse(failRow?.createdAt ?? '')).toBeGreaterThanOrEqual(200);

    for (let i = 0; i < 40; i++) {
      const rows = await store.repos.notifications.deliveries({ status: 'failed' });
      if (rows.length === 0) break;
      await sleep(150);
      await sender.drain();
    }
    const dead = await store.repos.notifications.deliveries({ status: 'dead' });
    expect(dead.map((d) => d.subscriptionId).sort()).toEqual([failing?.id, hanging?.id].sort());
    expect(dead.every((d) => d.attempts === 3)).toBe(true);
    // Every retry carried the same webhook-id, so a subscriber can dedupe.
    expect(new Set(failing?.sub.seenIds).size).toBe(1);
    expect(failing?.sub.seenIds).toHaveLength(3);
    expect(ok?.sub.received).toHaveLength(1);

    // Replay from the dead letter once the subscriber is back.
    if (failing) failing.sub.mode = 'ok';
    const deadRow = dead.find((d) => d.subscriptionId === failing?.id);
    expect(await store.unitOfWork((tx) => tx.notifications.requeue(deadRow?.id ?? '', nowIso()))).toBe(true);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(failing?.sub.received.map((r) => r.id)).toEqual([`msg_${deadRow?.id ?? ''}`]);
  });

  it('backoff doubles per try with jitter and stays under its cap', async () => {
    const { sender } = await setup([]);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const ms = sender.backoffMs(attempt);
      const ceiling = Math.min(200, 40 * 2 ** (attempt - 1));
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    }
  });

  it('takes only https, or http to loopback, and never a private address', async () => {
    expect(refuseWebhookUrl('https://portal.example.com/hooks')).toBeNull();
    expect(refuseWebhookUrl('http://127.0.0.1:8080/hooks')).toBeNull();
    expect(refuseWebhookUrl('http://localhost/hooks')).toBeNull();
    expect(refuseWebhookUrl('http://portal.example.com/hooks')).toMatch(/loopback/);
    expect(refuseWebhookUrl('https://10.1.2.3/hooks')).toMatch(/private/);
    expect(refuseWebhookUrl('https://169.254.169.254/latest')).toMatch(/private/);
    expect(refuseWebhookUrl('https://[fd00::1]/x')).toMatch(/private/);
    // IPv4 carried inside IPv6 (URL parsing rewrites ::ffff:a.b.c.d to hex), NAT64, 6to4, Teredo.
    for (const u of ['https://[::ffff:169.254.169.254]/latest', 'https://[::ffff:10.0.0.5]/', 'https://[64:ff9b::a9fe:a9fe]/', 'https://[2002:a9fe:a9fe::1]/', 'https://[2001:0:1::1]/', 'https://[::a9fe:a9fe]/', 'https://[::]/']) {
      expect(refuseWebhookUrl(u), u).toMatch(/private/);
    }
    // A mapped loopback is loopback, like 127.0.0.1; a public IPv6 literal is fine.
    expect(refuseWebhookUrl('http://[::ffff:7f00:1]:9443/hook')).toBeNull();
    expect(refuseWebhookUrl('https://[2606:4700::1111]/hooks')).toBeNull();
    expect(refuseWebhookUrl('https://user:pw@portal.example.com/')).toMatch(/credentials/);
    expect(refuseWebhookUrl('file:///etc/passwd')).toMatch(/https/);
    const { store } = await setup([]);
    await expect(store.unitOfWork((tx) => createSubscription(tx, { url: 'http://192.168.1.5/x', eventTypes: ['*'], clientId: null, description: null }, 'user:t', nowIso()))).rejects.toThrow(SubscriptionError);
    await expect(store.unitOfWork((tx) => createSubscription(tx, { url: 'https://portal.example.com/x', eventTypes: ['time.nope'], clientId: null, description: null }, 'user:t', nowIso()))).rejects.toThrow(/unknown time.nope/);
  });

  it('keeps the secret sealed at rest', async () => {
    const { store, subs } = await setup(['ok']);
    const raw = store.db.prepare('SELECT secret_sealed FROM webhook_subscriptions').pluck().get() as string;
    expect(raw).toMatch(/^enc:v1:/);
    expect(await store.repos.notifications.subscriptionSecret(subs[0]?.id ?? '')).toMatch(/^whsec_/);
  });
});
