import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { newId } from '../lib/ids.ts';
import type { Store } from '../store/index.ts';
import { increment, type HttpCounters, type HttpLogger } from './deps.ts';
import type { AppEnv } from './env.ts';
import { envelope } from './errors.ts';
import { InboxBatcher } from './inbox-batcher.ts';
import { readLimitedBody } from './read-body.ts';

type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 401; readonly reason: string };

/** What the route needs from a connector, without importing one: verify, then read event ids. */
export interface WebhookReceiver {
  /**
   * The signature header's presence and form (and a signed timestamp's age), from the headers
   * alone: a refusal here is answered before the body is read. The scheme the manifest declares.
   */
  checkHeaders?(headers: Readonly<Record<string, string | undefined>>): Verdict;
  verify(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Verdict;
  /** A subscription handshake the vendor sends unsigned (Gusto's verification token): true when it was one. */
  handshake?(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Promise<boolean>;
  /**
   * Headers the connector reads again when the stored body is parsed at processing (its
   * manifest's `webhook.idHeader` and `timestampHeader`): kept in the inbox with the body.
   */
  readonly keepHeaders?: readonly string[];
  /** Event ids and what they are about; throws on a body that is not the vendor's shape. */
  parse(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): ReadonlyArray<{ readonly eventId: string; readonly entity: string; readonly externalId: string }>;
}

export interface WebhookDeps {
  readonly store: Store;
  readonly counters: HttpCounters;
  readonly log: HttpLogger;
  /** Bytes; bigger deliveries get 413 before the handler reads them. */
  readonly bodyLimit: number;
  /** The receiver of a configured webhook system, or null (unknown system, or one that polls). */
  receiver(system: string): WebhookReceiver | null;
  /** Queues processing of a committed inbox row; a failure here loses nothing (the relay re-enqueues). */
  enqueue(system: string, inboxId: string): Promise<void>;
  now(): string;
  /**
   * How long the route waits for `enqueue` before acknowledging anyway. A BullMQ add issued while
   * Redis is down after having been up waits out ioredis' reconnect retries (73 s measured), far
   * past the 2 s acknowledgement budget; the row is committed, so the relay queues it.
   * @defaultValue 1000
   */
  readonly enqueueTimeoutMs?: number;
}

/** Settles with `work`, or rejects after `ms`; a late rejection of `work` is absorbed, never unhandled. */
function within(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`enqueue did not finish within ${ms} ms`)), ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * The most an unsigned delivery may carry to be looked at as a subscription handshake (Gusto posts
 * `{"verification_token": "…"}` unsigned); anything bigger is refused unread like any unsigned body.
 */
export const HANDSHAKE_BODY_LIMIT = 16 * 1024;

/**
 * Checks the signature headers before the body is read: null when they pass or the receiver has no
 * header check (the body is read and verified next), else the refusal — or a handshake the receiver
 * took, read under a small limit.
 */
async function checkHeadersFirst(
  c: Context<AppEnv>,
  receiver: WebhookReceiver,
  deps: WebhookDeps,
): Promise<{ readonly handshake: true } | { readonly handshake: false; readonly status: 400 | 401; readonly reason: string } | null> {
  if (!receiver.checkHeaders) return null;
  const headers = c.req.header();
  let verdict: Verdict;
  try {
    verdict = receiver.checkHeaders(headers);
  } catch {
    verdict = { ok: false, status: 400, reason: 'signature could not be checked' };
  }
  if (verdict.ok) return null;
  if (verdict.status === 401 && receiver.handshake) {
    try {
      const read = await readLimitedBody(c, Math.min(HANDSHAKE_BODY_LIMIT, deps.bodyLimit));
      if (read.ok && (await receiver.handshake(read.body, headers))) return { handshake: true };
    } catch {
      // An unreadable body is no handshake: refused like any unsigned delivery.
    }
  }
  return { handshake: false, status: verdict.status, reason: verdict.reason };
}

/**
 * `POST /webhooks/:system`: check the signature headers' presence and form before the body is
 * read (an unsigned or malformed delivery is refused unread), then verify the signature over the exact raw bytes (before any parsing or
 * logging of the body), read the event id, commit the inbox row durably — deduplicated on (system,
 * event id) — then enqueue, and only then acknowledge. Bad input answers 4xx with a reason and
 * enqueues nothing; a store that cannot write answers 503 so the vendor retries; never 500.
 */
export function mountWebhooks(app: Hono<AppEnv>, deps: WebhookDeps): void {
  // The durable commit runs on the store's inbox writer thread (decision 0010); an in-memory store
  // has none and commits in groups on this thread instead (decision 0007).
  const batcher = new InboxBatcher(deps.store);
  const tooLarge = (c: Context<AppEnv>) => {
    return c.json(envelope('payload_too_large', `webhook bodies are limited to ${deps.bodyLimit} bytes`), 413);
  };
  app.post(
    '/webhooks/:system',
    async (c) => {
      const system = c.req.param('system');
      let receiver: WebhookReceiver | null;
      try {
        receiver = deps.receiver(system);
      } catch (err) {
        // A configured system whose connector cannot start (a missing credential): the vendor
        // should retry after ops fix it, and the reason must not leak.
        deps.log.error({ err, system }, 'webhook receiver unavailable');
        c.header('Retry-After', '60');
        return c.json(envelope('unavailable', `webhook system "${system}" is not ready`), 503);
      }
      if (!receiver) return c.json(envelope('not_found', `no webhook system "${system}"`), 404);

      const early = await checkHeadersFirst(c, receiver, deps);
      if (early) {
        if (early.handshake) return c.json({ accepted: false, handshake: true }, 200);
        increment(deps.counters.webhookVerifyFailures, system);
        // The body is never read: the connection closes behind the answer instead of draining it.
        c.header('Connection', 'close');
        return c.json(envelope(early.status === 401 ? 'unauthorized' : 'invalid_request', early.reason), early.status);
      }

      let read: Awaited<ReturnType<typeof readLimitedBody>>;
      try {
        read = await readLimitedBody(c, deps.bodyLimit);
      } catch {
        return c.json(envelope('invalid_request', 'the request body could not be read'), 400);
      }
      if (!read.ok) return tooLarge(c);
      const raw = read.body;
      const headers = c.req.header();

      let verdict: Verdict;
      try {
        verdict = receiver.verify(raw, headers);
      } catch {
        verdict = { ok: false, status: 400, reason: 'signature could not be checked' };
      }
      if (!verdict.ok && verdict.status === 401 && receiver.handshake) {
        // Gusto's subscription verification POST is unsigned by design: the connector decides
        // whether it is one (and keeps its token pending until Gusto confirms it); it is never an event.
        let handshake = false;
        try {
          handshake = await receiver.handshake(raw, headers);
        } catch {
          handshake = false;
        }
        if (handshake) return c.json({ accepted: false, handshake: true }, 200);
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
        const row = {
          id: newId(), system, eventId, kind: 'webhook' as const, entity: first?.entity ?? null, externalId: events.length === 1 ? (first?.externalId ?? null) : null,
          payload: raw.toString('utf8'), receivedAt: deps.now(), headers: keptHeaders(headers, receiver.keepHeaders),
        };
        // Inside the try: a closed store throws here, and that is a 503 like any failed write.
        const writer = deps.store.inboxWriter();
        inserted = await (writer ? writer.insert(row) : batcher.insert(row));
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
        await within(deps.enqueue(system, inserted.id), deps.enqueueTimeoutMs ?? 1_000);
      } catch (err) {
        // The row is committed: the relay will queue it. The delivery is acknowledged either way.
        deps.log.warn({ err, system, inboxId: inserted.id }, 'webhook enqueue failed; the relay will pick it up');
      }
      return c.json({ accepted: true, inboxId: inserted.id }, 202);
    },
  );
}

/** The headers a receiver keeps, under their lower-case names (null when it keeps none or none came). */
function keptHeaders(headers: Readonly<Record<string, string | undefined>>, names: readonly string[] | undefined): Record<string, string> | null {
  if (names === undefined || names.length === 0) return null;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name.toLowerCase()];
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return Object.keys(out).length === 0 ? null : out;
}
