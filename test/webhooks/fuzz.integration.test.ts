import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGusto, signStandardWebhook } from '../../connectors/kit/index.ts';
import { GUSTO_TOKEN, percentile, startHarness, STD_SECRET, type Harness } from './support.ts';

/*
 * Signature fuzzing over HTTP (CI size): random signature headers and random bodies, some of
 * them correctly signed so the parser sees garbage too. The route must answer every one with a
 * 2xx or 4xx, never a 5xx, and nothing may throw: no error logged by the app, no uncaught
 * exception, no unhandled rejection. Verification time is measured around the verifier in this
 * process and printed; it is not asserted (CONTRIBUTING: performance lives in bench/).
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261313);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2_000);

let h: Harness;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
beforeAll(async () => {
  h = await startHarness();
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await h.close();
});

/**
 * Header values a client can put on the wire: visible ASCII, space, tab and obs-text (0x80–0xFF).
 * CR, LF and NUL cannot be sent (fetch refuses them), and leading or trailing blanks are trimmed.
 */
const wireChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((code) => String.fromCharCode(code));
const wireText = (maxLength: number) => fc.array(wireChar, { maxLength }).map((chars) => chars.join(''));

const headerValue = fc.oneof(
  wireText(120),
  fc.stringMatching(/^[0-9a-fA-F]{0,70}$/),
  fc.stringMatching(/^(v1,[A-Za-z0-9+/]{0,46}={0,2} ?){1,4}$/),
  fc.stringMatching(/^(v\d|[a-z]{0,3}),[ -~]{0,60}$/),
  fc.integer({ min: -1, max: 99_999_999_999 }).map(String),
  wireText(9_000),
);

const HEADER_NAMES = ['x-gusto-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'x-other'] as const;

const body = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)),
  fc
    .record({ uuid: fc.string(), event_type: fc.string(), entity_type: fc.string(), entity_uuid: fc.string(), timestamp: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [] })
    .map((o) => Buffer.from(JSON.stringify(o))),
);

/** How the generated request is signed: not at all (random headers), or correctly over a random body. */
const signing = fc.constantFrom('random', 'random', 'gusto-signed', 'std-signed');

describe('webhook route fuzz (seed logged)', () => {
  it(`random headers and bodies over HTTP: never a 5xx, never an exception (${RUNS} runs)`, async () => {
    console.info(`webhook route fuzz: seed ${SEED}, ${RUNS} runs (FUZZ_SEED / FUZZ_RUNS to replay or scale)`);
    const statuses = new Map<number, number>();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('gusto', 'std'),
        signing,
        body,
        fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 5 }),
        fc.nat({ max: 1_000_000 }),
        async (system, how, raw, randomHeaders, id) => {
          let headers: Record<string, string> = randomHeaders;
          if (how === 'gusto-signed') headers = { ...randomHeaders, ...signGusto(raw, GUSTO_TOKEN) };
          if (how === 'std-signed') headers = { ...randomHeaders, ...signStandardWebhook(raw, STD_SECRET, { id: `msg_fuzz_${id}`, timestampSeconds: h.clock.seconds() }) };
          const reply = await h.post(system, raw, headers);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          expect(reply.status).toBeLessThan(500);
          if (reply.status === 202 || reply.status === 200) {
            // Only a correct signature for this system can get in, and then only a well-formed event.
            accepted++;
            expect(how).toBe(system === 'gusto' ? 'gusto-signed' : 'std-signed');
          } else {
            expect([400, 401]).toContain(reply.status);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    const ms = h.calls.verifyMs;
    console.info(
      `webhook route fuzz: statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${accepted} accepted; ` +
        `verify p50 ${percentile(ms, 50).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms, max ${Math.max(...ms).toFixed(3)} ms over ${ms.length} calls`,
    );
    expect(statuses.size).toBeGreaterThanOrEqual(2);
    expect(ms.length).toBe(RUNS);
    expect(h.log.lines).toEqual([]);
    expect(uncaught).toEqual([]);
    // Whatever was accepted is in the inbox, once.
    expect(h.inboxRows()).toBe(h.enqueued.length);
  });
});
