import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sensitiveHeaders } from '../../connectors/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { eventBody, gustoHeaders, memoryLog, startHarness, stdHeaders, type Harness, type HarnessOptions, type MemoryLog } from './support.ts';

/*
 * No personal numbers in logs, scoped to the webhook route: canary SSN-like, account-number-like and
 * email values (and a bearer token) travel in signed deliveries, refused deliveries and bodies the
 * parser rejects, while the route is made to log on every path it has (inbox write failed, enqueue
 * failed). Everything the hub's pino logger writes is captured and searched for the canaries.
 */

const CANARY = {
  // 987-65-4320…4329 is a range reserved for examples: it cannot belong to anyone.
  ssn: '987-65-4325',
  account: '40029177305612',
  routing: '000000583',
  email: 'canary.h13.payroll@example.invalid',
  token: 'cw_canary_bearer_9b1f6e2d7c',
} as const;
const NEEDLES = [...Object.values(CANARY), CANARY.ssn.replaceAll('-', '')];

const canaryFields = {
  ssn: CANARY.ssn,
  employee: { email: CANARY.email, bank_account: { account_number: CANARY.account, routing_number: CANARY.routing } },
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(log: MemoryLog, options: HarnessOptions = {}): Promise<Harness> {
  const logger = createLogger({ name: 'http', level: 'debug', destination: log.stream, redactHeaders: sensitiveHeaders() });
  const h = await startHarness({ ...options, log: logger.child({ component: 'webhooks' }) });
  cleanups.push(() => h.close());
  return h;
}

function expectNoCanary(log: MemoryLog): void {
  const text = log.text();
  for (const needle of NEEDLES) expect(text, `log contains canary ${needle}`).not.toContain(needle);
}

describe('PII canaries through the webhook route', () => {
  it('accepted, refused and unparseable deliveries carrying canaries: the logger never writes them', async () => {
    const log = memoryLog();
    const h = await harness(log, { enqueue: () => Promise.reject(new Error('queue unavailable')) });
    const withBearer = (headers: Record<string, string>) => ({ ...headers, authorization: `Bearer ${CANARY.token}` });

    // Signed and accepted; the enqueue fails, so the route logs a warning about this very delivery.
    const good = eventBody(1, canaryFields, 0x22);
    expect((await h.post('gusto', good, withBearer(gustoHeaders(good)))).status).toBe(202);
    const goodStd = eventBody(2, canaryFields, 0x22);
    expect((await h.post('std', goodStd, withBearer(stdHeaders(goodStd, 'msg_canary_1', h.clock.seconds())))).status).toBe(202);

    // Refused by the verifier: tampered after signing, and signed with the wrong token.
    const tampered = eventBody(3, canaryFields, 0x22);
    const forged = Buffer.from(tampered.toString('utf8').replace(CANARY.account, CANARY.account.split('').reverse().join('')));
    expect((await h.post('gusto', forged, withBearer(gustoHeaders(tampered)))).status).toBe(401);
    expect((await h.post('gusto', tampered, gustoHeaders(tampered, 'not-the-token'))).status).toBe(401);

    // Signed but not an event: the parser rejects it.
    const notJson = Buffer.from(`{"ssn": "${CANARY.ssn}", "email": "${CANARY.email}", oops`);
    expect((await h.post('gusto', notJson, gustoHeaders(notJson))).status).toBe(400);
    const wrongShape = Buffer.from(JSON.stringify({ ...canaryFields, uuid: 7 }));
    expect((await h.post('gusto', wrongShape, gustoHeaders(wrongShape))).status).toBe(400);

    // The test must be able to fail: the route did log about the canary-carrying deliveries.
    const lines = log.lines();
    expect(lines.filter((l) => l['msg'] === 'webhook enqueue failed; the relay will pick it up')).toHaveLength(2);
    expectNoCanary(log);
  });

  it('the inbox write fails for a canary-carrying delivery: the error is logged, the canaries are not', async () => {
    const log = memoryLog();
    const h = await harness(log, { busyTimeoutMs: 100 });
    const other = new Database(h.path);
    cleanups.push(() => {
      if (other.open) other.close();
    });
    other.exec('BEGIN EXCLUSIVE');
    const body = eventBody(4, canaryFields, 0x22);
    expect((await h.post('gusto', body, gustoHeaders(body))).status).toBe(503);
    other.exec('ROLLBACK');

    const lines = log.lines();
    expect(lines.filter((l) => l['msg'] === 'webhook inbox write failed')).toHaveLength(1);
    expect(lines[0]?.['level']).toBe(50);
    expectNoCanary(log);
  });
});
