import { afterEach, describe, expect, it } from 'vitest';
import { countRows } from '../support/temp-store.ts';
import { eventBody, gustoHeaders, inPool, startHarness, stdHeaders, TOLERANCE_SECONDS, type Harness, type Reply } from './support.ts';

/*
 * Duplicate deliveries (a burst scaled down, and replays): the inbox's unique (system, event id) index is the
 * dedupe, so the same event delivered three times (two copies at once, one a little later) makes
 * one row and one enqueue, and a resend of a processed delivery changes nothing; for a scheme that
 * signs its timestamp, a resend past the tolerance is refused before the inbox is even asked.
 */

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
async function harness(): Promise<Harness> {
  const h = await startHarness();
  harnesses.push(h);
  return h;
}

const N = 500;

describe('duplicate delivery storm', () => {
  it(`every one of ${N} events sent 3 times, two copies concurrently → ${N} rows, ${N} enqueues, no 5xx`, async () => {
    const h = await harness();
    const bodies = Array.from({ length: N }, (_, i) => eventBody(i, {}, 0x5));
    const statuses: number[] = [];
    const send = async (i: number): Promise<Reply> => {
      const body = bodies[i]!;
      const reply = await h.post('gusto', body, gustoHeaders(body));
      statuses.push(reply.status);
      return reply;
    };
    // Per event: two copies fired together (well within 10 ms of each other), then a third once
    // both have answered, the way a vendor retries after a slow acknowledgement.
    const perEvent = await inPool(
      bodies.map((_, i) => async () => {
        const [a, b] = await Promise.all([send(i), send(i)]);
        const c = await send(i);
        return [a, b, c] as const;
      }),
      24,
    );

    expect(statuses.length).toBe(3 * N);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 202).length).toBe(N);
    expect(statuses.filter((s) => s === 200).length).toBe(2 * N);
    expect(h.inboxRows()).toBe(N);
    expect(h.enqueued.length).toBe(N);
    expect(new Set(h.enqueued.map((e) => e.inboxId)).size).toBe(N);
    // Every copy of an event names the same inbox row.
    for (const replies of perEvent) {
      const ids = new Set(replies.map((r) => (r.json as { inboxId?: string }).inboxId));
      expect(ids.size).toBe(1);
    }
    expect(h.counters.webhookAccepted.get('gusto')).toBe(N);
    expect(h.counters.webhookDuplicates.get('gusto')).toBe(2 * N);
    expect(h.log.lines).toEqual([]);
  });
});

describe('replay of a processed delivery', () => {
  it('gusto (no signed timestamp): resent 1 and 10 minutes later → 200 duplicate, no second row or enqueue', async () => {
    const h = await harness();
    const body = eventBody(1, {}, 0x11);
    const first = await h.post('gusto', body, gustoHeaders(body));
    expect(first.status).toBe(202);
    const inboxId = (first.json as { inboxId: string }).inboxId;
    await h.store.unitOfWork((tx) => tx.inbox.markProcessed(inboxId, 'done', null, new Date().toISOString()));

    for (const laterMinutes of [1, 10]) {
      h.clock.ms += laterMinutes * 60_000;
      const again = await h.post('gusto', body, gustoHeaders(body));
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ accepted: true, duplicate: true, inboxId });
    }
    expect(h.inboxRows()).toBe(1);
    expect(h.enqueued).toEqual([{ system: 'gusto', inboxId }]);
    // The processed row was left alone: a replay does not reopen work.
    expect(countRows(h.store, 'inbox', `id = '${inboxId}' AND status = 'done'`)).toBe(1);
  });

  it('standard webhooks: resent within tolerance → 200 duplicate; resent past tolerance → 401, nothing new', async () => {
    const h = await harness();
    const body = eventBody(2, {}, 0x11);
    const signed = stdHeaders(body, 'msg_replay_0001', h.clock.seconds());
    const first = await h.post('std', body, signed);
    expect(first.status).toBe(202);
    const inboxId = (first.json as { inboxId: string }).inboxId;
    await h.store.unitOfWork((tx) => tx.inbox.markProcessed(inboxId, 'done', null, new Date().toISOString()));

    h.clock.ms += 60_000;
    const oneMinute = await h.post('std', body, signed);
    expect(oneMinute.status).toBe(200);
    expect((oneMinute.json as { duplicate?: boolean }).duplicate).toBe(true);

    h.clock.ms += 9 * 60_000;
    expect(10 * 60).toBeGreaterThan(TOLERANCE_SECONDS);
    const tenMinutes = await h.post('std', body, signed);
    expect(tenMinutes.status).toBe(401);
    expect((tenMinutes.json as { error: { message: string } }).error.message).toMatch(/timestamp/);

    expect(h.inboxRows()).toBe(1);
    expect(h.enqueued).toEqual([{ system: 'std', inboxId }]);
    expect(h.counters.webhookDuplicates.get('std')).toBe(1);
  });
});
