import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRateLimitReset, parseRetryAfter, sleep } from '../../connectors/kit/index.ts';

const policy = { baseDelayMs: 500, maxDelayMs: 30_000 };

describe('backoffDelay (exponential, full jitter)', () => {
  it('stays in [0, min(max, base·2^retry)) for every retry and random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
        const delay = backoffDelay(retry, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }),
      { seed: 7, numRuns: 2_000 },
    );
  });

  it('doubles the ceiling each retry until the cap', () => {
    const top = (retry: number): number => backoffDelay(retry, policy, () => 0.999_999);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999]);
  });

  it('is jittered: different draws give different delays, a zero draw gives no wait', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0.75)).toBe(3000);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffDelay(0, policy, () => 7)).toBeLessThanOrEqual(500);
    expect(backoffDelay(0, policy, () => -1)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, and a past date as no wait', () => {
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('returns null for anything else, so the caller falls back to backoff', () => {
    for (const bad of [undefined, '', '-1', 'soon', '1e3', '2026-11-25', 'NaN']) expect(parseRetryAfter(bad, now)).toBeNull();
  });
});

describe('parseRateLimitReset', () => {
  const now = 1_795_000_000_000;
  it('tells epoch seconds, epoch milliseconds and delta seconds apart by magnitude', () => {
    expect(parseRateLimitReset('1795000030', now)).toBe(30_000);
    expect(parseRateLimitReset('1795000012345', now)).toBe(12_345);
    expect(parseRateLimitReset('42', now)).toBe(42_000);
    expect(parseRateLimitReset('1794999990', now)).toBe(0);
  });
  it('reads an HTTP date and rejects junk', () => {
    expect(parseRateLimitReset(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRateLimitReset('later', now)).toBeNull();
    expect(parseRateLimitReset(undefined, now)).toBeNull();
  });
});

describe('sleep', () => {
  it('ends early with the abort reason when the caller gives up', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    await expect(sleep(5, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
