import { describe, expect, it } from 'vitest';
import { createMagicLinkLimiters, createSignInLimiters, RateLimiter } from '../../src/access/credentials/rate-limit.ts';

const t = (minutes: number): number => Date.parse('2026-03-02T09:00:00.000Z') + minutes * 60_000;

describe('RateLimiter (sliding window)', () => {
  it('allows `limit` hits per window per key, then refuses until the oldest hit leaves the window', () => {
    const l = new RateLimiter({ limit: 3, windowMs: 15 * 60_000 });
    expect([l.take('a', t(0)), l.take('a', t(1)), l.take('a', t(2))]).toEqual([true, true, true]);
    expect(l.take('a', t(3))).toBe(false);
    expect(l.take('b', t(3))).toBe(true); // keys are independent
    expect(l.take('a', t(14.9))).toBe(false);
    expect(l.take('a', t(15.01))).toBe(true); // the hit at 0 left the window
    expect(l.take('a', t(15.5))).toBe(false); // hits at 1, 2, 15.01 remain
  });

  it('refused attempts are not recorded, so a blocked key is not blocked longer', () => {
    const l = new RateLimiter({ limit: 1, windowMs: 60_000 });
    expect(l.take('k', 0)).toBe(true);
    for (let i = 1; i < 60; i++) expect(l.take('k', i * 1000)).toBe(false);
    expect(l.take('k', 60_001)).toBe(true);
  });

  it('check does not consume; reset forgets; ISO times work too', () => {
    const l = new RateLimiter({ limit: 2, windowMs: 60_000 });
    expect(l.check('k', '2026-03-02T09:00:00.000Z')).toBe(true);
    l.take('k', '2026-03-02T09:00:00.000Z');
    l.take('k', '2026-03-02T09:00:01.000Z');
    expect(l.check('k', '2026-03-02T09:00:02.000Z')).toBe(false);
    l.reset('k');
    expect(l.check('k', '2026-03-02T09:00:02.000Z')).toBe(true);
  });

  it('keeps memory bounded: least recently used keys are evicted past maxKeys, stale keys swept', () => {
    const l = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 5000; i++) l.take(`ip-${i}`, i);
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.check('ip-4999', 5000)).toBe(false); // the most recent survive
    const sweep = new RateLimiter({ limit: 5, windowMs: 1000, maxKeys: 1_000_000 });
    for (let i = 0; i < 3000; i++) sweep.take(`k-${i}`, i * 10);
    expect(sweep.size).toBeLessThan(3000);
  });

  it('ships the documented limits: magic links 5/address and 20/IP, sign-in failures 10/email and 10/IP per 15 minutes', () => {
    const m = createMagicLinkLimiters();
    const s = createSignInLimiters();
    expect([m.perAddress.limit, m.perIp.limit, s.perEmail.limit, s.perIp.limit]).toEqual([5, 20, 10, 10]);
    for (const l of [m.perAddress, m.perIp, s.perEmail, s.perIp]) expect(l.windowMs).toBe(15 * 60_000);
  });
});
