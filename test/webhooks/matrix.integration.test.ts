import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countRows } from '../support/temp-store.ts';
import {
  errorOf, eventBody, GUSTO_TOKEN, gustoHeaders, startHarness, STD_SECRET, stdHeaders, TOLERANCE_SECONDS, type Harness, type Reply,
} from './support.ts';

/*
 * The signature matrix at the HTTP level, for Gusto (bare hex HMAC, no signed timestamp) and
 * Standard Webhooks (signed id and timestamp): each forgery is refused with a 4xx and a reason,
 * and leaves no inbox row and no enqueue; a valid delivery is acknowledged with one of each.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

let rowsBefore = 0;
let enqueuedBefore = 0;
beforeEach(() => {
  rowsBefore = h.inboxRows();
  enqueuedBefore = h.enqueued.length;
});

let serial = 0;
const nextBody = (extra: Record<string, unknown> = {}): Buffer => eventBody(++serial, extra, 0x13);

/** Refusals by the verifier (as opposed to the parser): the route counts these for /metrics. */
let signatureRefusals = 0;

function expectRefused(reply: Reply, status: 400 | 401, stage: 'signature' | 'body' = 'signature'): void {
  if (stage === 'signature') signatureRefusals++;
  expect(reply.status).toBe(status);
  const error = errorOf(reply);
  expect(error, reply.text).not.toBeNull();
  expect(error?.message.length).toBeGreaterThan(0);
  expect(h.inboxRows()).toBe(rowsBefore);
  expect(h.enqueued.length).toBe(enqueuedBefore);
}

function expectAccepted(reply: Reply, raw: Buffer): void {
  expect(reply.status, reply.text).toBe(202);
  const inboxId = (reply.json as { inboxId?: unknown }).inboxId;
  expect(typeof inboxId).toBe('string');
  expect(h.inboxRows()).toBe(rowsBefore + 1);
  expect(h.enqueued.slice(enqueuedBefore)).toEqual([{ system: expect.any(String) as string, inboxId }]);
  // The inbox keeps the exact bytes that were verified.
  const payload = h.store.db.prepare('SELECT payload FROM inbox WHERE id = ?').pluck().get(inboxId) as string;
  expect(payload).toBe(raw.toString('utf8'));
}

function flipByte(body: Buffer, at: number): Buffer {
  const out = Buffer.from(body);
  out[at] = (out[at] ?? 0) ^ 0x01;
  return out;
}

/** Same data, different bytes: pretty-printed. A verifier that re-serialises would accept it. */
function reserialised(body: Buffer): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')) as unknown, null, 2));
}

describe('gusto scheme over HTTP', () => {
  const send = (body: Buffer, headers: Record<string, string>) => h.post('gusto', body, headers);

  it('valid → 202, one inbox row holding the exact bytes, one enqueue', async () => {
    const body = nextBody();
    expectAccepted(await send(body, gustoHeaders(body)), body);
  });

  it('one byte of the body changed → 401', async () => {
    const body = nextBody();
    expectRefused(await send(flipByte(body, 20), gustoHeaders(body)), 401);
  });

  it('the same JSON re-serialised (different bytes) → 401', async () => {
    const body = nextBody();
    const pretty = reserialised(body);
    expect(pretty.equals(body)).toBe(false);
    expectRefused(await send(pretty, gustoHeaders(body)), 401);
  });

  it('signed with another token → 401', async () => {
    const body = nextBody();
    expectRefused(await send(body, gustoHeaders(body, `${GUSTO_TOKEN}-other`)), 401);
  });

  it('no signature header → 401', async () => {
    const body = nextBody();
    expectRefused(await send(body, { 'content-type': 'application/json' }), 401);
  });

  it('truncated signature → 401', async () => {
    const body = nextBody();
    const headers = gustoHeaders(body);
    expectRefused(await send(body, { ...headers, 'X-Gusto-Signature': headers['X-Gusto-Signature']!.slice(0, -2) }), 401);
  });

  it('over-long signature → 401', async () => {
    const body = nextBody();
    const headers = gustoHeaders(body);
    expectRefused(await send(body, { ...headers, 'X-Gusto-Signature': `${headers['X-Gusto-Signature']!}00` }), 401);
  });

  it('two signatures in one header, one of them valid → 400 (the scheme signs one value)', async () => {
    const body = nextBody();
    const good = gustoHeaders(body)['X-Gusto-Signature']!;
    expectRefused(await send(body, { 'content-type': 'application/json', 'X-Gusto-Signature': `${'0'.repeat(64)}, ${good}` }), 400);
  });

  it('malformed JSON with a valid signature → 400, nothing stored', async () => {
    const body = Buffer.from('{"uuid": "0e1f0013-trunc');
    const reply = await send(body, gustoHeaders(body));
    expectRefused(reply, 400, 'body');
    expect(errorOf(reply)?.code).toBe('invalid_request');
  });

  it('valid JSON of the wrong shape with a valid signature → 400', async () => {
    const body = Buffer.from(JSON.stringify({ verification_token: 'not-an-event' }));
    expectRefused(await send(body, gustoHeaders(body)), 400, 'body');
  });

  it('an unknown system → 404, verifier never consulted', async () => {
    const body = nextBody();
    const before = h.calls.verify;
    const reply = await h.post('lever', body, gustoHeaders(body));
    expect(reply.status).toBe(404);
    expect(h.calls.verify).toBe(before);
    expect(h.inboxRows()).toBe(rowsBefore);
  });
});

describe('standard webhooks scheme over HTTP', () => {
  let n = 0;
  const msgId = () => `msg_h13_${++n}`;
  const send = (body: Buffer, headers: Record<string, string>) => h.post('std', body, headers);

  it('valid → 202, one inbox row keyed by webhook-id, one enqueue', async () => {
    const body = nextBody();
    const id = msgId();
    expectAccepted(await send(body, stdHeaders(body, id, h.clock.seconds())), body);
    expect(countRows(h.store, 'inbox', `system = 'std' AND event_id = '${id}'`)).toBe(1);
  });

  it('one byte of the body changed → 401', async () => {
    const body = nextBody();
    expectRefused(await send(flipByte(body, 30), stdHeaders(body, msgId(), h.clock.seconds())), 401);
  });

  it('the same JSON re-serialised → 401', async () => {
    const body = nextBody();
    expectRefused(await send(reserialised(body), stdHeaders(body, msgId(), h.clock.seconds())), 401);
  });

  it('signed with another secret → 401', async () => {
    const body = nextBody();
    const other = `whsec_${Buffer.from('some-other-endpoint-key-0001').toString('base64')}`;
    expect(other).not.toBe(STD_SECRET);
    expectRefused(await send(body, stdHeaders(body, msgId(), h.clock.seconds(), other)), 401);
  });

  it('the signed id changed in transit → 401', async () => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    expectRefused(await send(body, { ...headers, 'webhook-id': `${headers['webhook-id']!}x` }), 401);
  });

  it.each([
    ['webhook-signature', 401],
    ['webhook-id', 400],
    ['webhook-timestamp', 400],
  ] as const)('missing %s → %i', async (name, status) => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    delete headers[name];
    expectRefused(await send(body, headers), status);
  });

  it('truncated signature → 401', async () => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    expectRefused(await send(body, { ...headers, 'webhook-signature': headers['webhook-signature']!.slice(0, -4) }), 401);
  });

  it('over-long signature → 401', async () => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    const sig = headers['webhook-signature']!;
    expectRefused(await send(body, { ...headers, 'webhook-signature': `${sig.slice(0, -1)}AAAA=` }), 401);
  });

  it('several signatures, one valid → 202 (rotation: any one v1 entry may match)', async () => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    const bogus = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    expectAccepted(await send(body, { ...headers, 'webhook-signature': `${bogus} ${headers['webhook-signature']!} v2,abc` }), body);
  });

  it('several signatures, none valid → 401', async () => {
    const body = nextBody();
    const headers = stdHeaders(body, msgId(), h.clock.seconds());
    const bogus = [1, 2, 3].map((b) => `v1,${Buffer.alloc(32, b).toString('base64')}`).join(' ');
    expectRefused(await send(body, { ...headers, 'webhook-signature': bogus }), 401);
  });

  it.each([
    ['past', -1],
    ['future', 1],
  ] as const)('timestamp at tolerance + 1 s in the %s → 401', async (_when, sign) => {
    const body = nextBody();
    const ts = h.clock.seconds() + sign * (TOLERANCE_SECONDS + 1);
    expectRefused(await send(body, stdHeaders(body, msgId(), ts)), 401);
  });

  it.each([
    ['past', -1],
    ['future', 1],
  ] as const)('timestamp exactly at tolerance in the %s → 202', async (_when, sign) => {
    const body = nextBody();
    const ts = h.clock.seconds() + sign * TOLERANCE_SECONDS;
    expectAccepted(await send(body, stdHeaders(body, msgId(), ts)), body);
  });

  it('malformed JSON with a valid signature → 400, nothing stored', async () => {
    const body = Buffer.from('{"uuid": [1, 2,');
    expectRefused(await send(body, stdHeaders(body, msgId(), h.clock.seconds())), 400, 'body');
  });
});

describe('the whole matrix', () => {
  it('never answered 500 and counted every refused signature', () => {
    const responses = [...h.counters.httpResponses.values()];
    expect(responses.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(25);
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([202, 400, 401, 404]));
    const failures = [...h.counters.webhookVerifyFailures.values()].reduce((a, b) => a + b, 0);
    expect(signatureRefusals).toBeGreaterThanOrEqual(19);
    expect(failures).toBe(signatureRefusals);
    expect(h.log.lines).toEqual([]);
  });
});
