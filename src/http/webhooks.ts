import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { newId } from '../lib/ids.ts';
import type { Store } from '../store/index.ts';
import { increment, type HttpCounters, type HttpLogger } from './deps.ts';
import type { AppEnv } from './env.ts';
import { envelope } from './errors.ts';

/** What the route needs from a connector, without importing one: verify, then read event ids. */
export interface WebhookReceiver {
  verify(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>):
    | { readonly ok: true }
    | { readonly ok: false; readonly status: 400 | 401; readonly reason: string };
  /** Event ids and what they are about; throws on a body that is not the vendor's shape. */
  parse(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): ReadonlyArray<{ readonly eventId: string; readonly entity: string; readonly externalId: string }>;
}

export interface WebhookDeps {
  readonly store: Store;
  readonly counters: HttpCounters;
  readonly log: HttpLogger;
  /** Bytes; bigger deliveries get 413 before the handler reads them (requirement 7). */
  readonly bodyLimit: number;
  /** The receiver of a configured webhook system, or null (unknown system, or one that polls). */
  receiver(system: string): WebhookReceiver | null;
  /** Queues processing of a committed inbox row; a failure here loses nothing (the relay re-enqueues). */
  enqueue(system: string, inboxId: string): Promise<void>;
  now(): string;
}

/**
 * `POST /webhooks/:system`: verify the signature over the exact raw bytes (before any parsing or
 * logging of the body), read the event id, commit the inbox row durably — deduplicated on (system,
 * event id) — then enqueue, and only then acknowledge. Bad input answers 4xx with a reason and
 * enqueues nothing; a store that cannot write answers 503 so the vendor retries; never 500.
 */
export function mountWebhooks(app: Hono<AppEnv>, deps: WebhookDeps): void {
  app.post(
    '/webhooks/:system',
    bodyLimit({
      maxSize: deps.bodyLimit,
      onError: (c) => c.json(envelope('payload_too_large', `webhook bodies are limited to ${deps.bodyLimit} bytes`), 413),
    }),
    async (c) => {
      const system = c.req.param('system');
      const receiver = deps.receiver(system);
      if (!receiver) return c.json(envelope('not_found', `no webhook system "${system}"`), 404);

      const raw = Buffer.from(await c.req.arrayBuffer());
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });

      let verdict: ReturnType<WebhookReceiver['verify']>;
      try {
        verdict = receiver.verify(raw, headers);
      } catch {
        verdict = { ok: false, status: 400, reason: 'signature could not be checked' };
      }
      if (!verdict.ok) {
        increment(deps.counters.webhookVerifyFailures, system);
        return c.json(envelope(verdict.status === 401 ? 'unauthorized' : 'invalid_request', verdict.reason), verdict.status);
      }

      let events: ReturnType<WebhookReceiver['parse']>;
      try {
        events = receiver.parse(raw, headers);
      } catch (err) {
        return c.json(envelope('invalid_request', `not a ${system} webhook body: ${err instanceof Error ? err.message : 'unreadable'}`), 400);
      }
      if (events.length === 0) return c.json({ accepted: false, reason: 'no events in the delivery' }, 200);
      const first = events[0];
      // One delivery, one inbox row: a single event keeps its id; a batch is named by its ids.
      const eventId = events.length === 1 && first ? first.eventId : `batch:${createHash('sha256').update(events.map((e) => e.eventId).join('\n')).digest('hex')}`;

      let inserted: { inserted: boolean; id: string };
      try {
        inserted = await deps.store.unitOfWork(
          (tx) =>
            tx.inbox.insert({
              id: newId(), system, eventId, kind: 'webhook', entity: first?.entity ?? null, externalId: events.length === 1 ? (first?.externalId ?? null) : null,
              payload: raw.toString('utf8'), receivedAt: deps.now(),
            }),
          { durable: true },
        );
      } catch (err) {
        deps.log.error({ err, system }, 'webhook inbox write failed');
        c.header('Retry-After', '5');
        return c.json(envelope('unavailable', 'the delivery could not be stored; retry'), 503);
      }
      if (!inserted.inserted) {
        increment(deps.counters.webhookDuplicates, system);
        return c.json({ accepted: true, duplicate: true, inboxId: inserted.id }, 200);
      }
      increment(deps.counters.webhookAccepted, system);
      try {
        await deps.enqueue(system, inserted.id);
      } catch (err) {
        // The row is committed: the relay will queue it. The delivery is acknowledged either way.
        deps.log.warn({ err, system, inboxId: inserted.id }, 'webhook enqueue failed; the relay will pick it up');
      }
      return c.json({ accepted: true, inboxId: inserted.id }, 202);
    },
  );
}
