import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../connectors/kit/index.ts';
import { SCHEMES } from './webhook-schemes.ts';

// Fuzzing (in CI size): generated headers and bodies never make a verifier throw,
// and nothing is accepted unless it is exactly what the sender signed.

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);
const RUNS = 2_500;
const NOW_SECONDS = 1_795_000_000;
const now = (): number => NOW_SECONDS * 1000;

function settle(verify: () => VerifyResult): VerifyResult | 'threw' {
  try {
    return verify();
  } catch {
    return 'threw';
  }
}

const headerText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.stringMatching(/^(sha256[ =]|v1,|t=\d{1,12},v1=)?[0-9a-fA-F]{0,70}$/),
  fc.stringMatching(/^(v1,[A-Za-z0-9+/]{0,46}={0,2} ?){1,3}$/),
  fc.constant(''),
);

describe.each(SCHEMES)('$scheme fuzz (seed logged)', (s) => {
  /** Hex digits are case-blind, and so is Greenhouse's `sha256` prefix; every other change matters. */
  const caseOnlyChangeKeepsMeaning = (value: string, next: string, at: number): boolean => {
    if (next.toLowerCase() !== value.toLowerCase()) return false;
    const digest = s.digest.exec(value);
    const inHexDigest = digest !== null && s.scheme !== 'standard-webhooks' && at >= digest.index && at < digest.index + digest[0].length;
    const inGreenhousePrefix = s.scheme === 'greenhouse-sha256' && at < 'sha256'.length;
    return inHexDigest || inGreenhousePrefix;
  };

  it(`random headers and bodies: never throws, never accepts (${RUNS} runs)`, () => {
    console.info(`webhook fuzz ${s.scheme}: seed ${SEED}`);
    const names = fc.constantFrom(s.signatureHeader, s.signatureHeader.toLowerCase(), 'webhook-id', 'webhook-timestamp', 'x-other', 'Signature');
    const headers = fc.dictionary(names, fc.oneof(headerText, fc.array(headerText, { maxLength: 3 }), fc.constant(undefined)), { maxKeys: 5 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), headers, (body, hdrs) => {
        const result = settle(() => s.verify(Buffer.from(body), hdrs, { secrets: [s.secret], now }));
        expect(result).not.toBe('threw');
        if (result === 'threw') return;
        expect(result.ok).toBe(false);
        if (!result.ok) expect([400, 401]).toContain(result.status);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`signed messages with random damage: accepted exactly when nothing changed (${RUNS} runs)`, () => {
    const damage = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('body' as const), index: fc.nat(), xor: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('header' as const), index: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({ kind: fc.constant('secret' as const) }),
    );
    const skew = s.timestamped ? fc.integer({ min: -400, max: 400 }) : fc.constant(0);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), damage, skew, (raw, hit, skewSeconds) => {
        const body = Buffer.from(raw);
        const signedWith = hit.kind === 'secret' ? s.otherSecret : s.secret;
        const headers: Record<string, string> = s.sign(body, signedWith, NOW_SECONDS + skewSeconds);
        let received = body;
        let changed = hit.kind === 'secret';
        if (hit.kind === 'body') {
          received = Buffer.from(body);
          const at = hit.index % received.length;
          received[at] = (received[at] ?? 0) ^ hit.xor;
          changed = hit.xor !== 0;
        }
        if (hit.kind === 'header') {
          const value = headers[s.signatureHeader] ?? '';
          const at = hit.index % value.length;
          const next = value.slice(0, at) + hit.char + value.slice(at + 1);
          headers[s.signatureHeader] = next;
          changed = next !== value && !caseOnlyChangeKeepsMeaning(value, next, at);
        }
        const fresh = Math.abs(skewSeconds) <= 300;
        const result = settle(() => s.verify(received, headers, { secrets: [s.secret], now }));
        expect(result).not.toBe('threw');
        if (result === 'threw') return;
        expect(result.ok).toBe(!changed && fresh);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
