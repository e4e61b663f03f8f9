import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../connectors/kit/index.ts';
import { ManualClock, settle } from './manual-clock.ts';

/** Runs `count` requests of `latencyMs` each through the limiter at once; returns when each was let go. */
async function burst(limiter: SlidingWindowLimiter, clock: ManualClock, count: number, latencyMs: number, runForMs: number): Promise<number[]> {
  const grants: number[] = [];
  const all = Array.from({ length: count }, async () => {
    const permit = await limiter.acquire();
    grants.push(clock.now());
    await clock.sleep(latencyMs);
    permit.release();
  });
  await clock.advance(runForMs);
  await Promise.all(all);
  return grants;
}

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  return Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));
}

describe('SlidingWindowLimiter', () => {
  it('never lets more than `requests` go in any window, and uses the whole budget', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 5, windowMs: 1_000 }, clock);
    const grants = await burst(limiter, clock, 23, 50, 10_000);
    expect(grants).toHaveLength(23);
    expect(maxInAnyWindow(grants, 1_000)).toBe(5);
    // Slot i+5 opens one window after slot i's response: 0 → 1050 → 2100 … (not later: no waste).
    expect(grants.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 1_050]);
    expect(grants[10]).toBe(2_100);
    expect(grants[22]).toBe(4_200);
  });

  it('counts a slot until a window after its response, so slow responses cannot bunch up at the vendor', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 2, windowMs: 1_000 }, clock);
    const grants = await burst(limiter, clock, 4, 700, 10_000);
    // Released at 700, so the next two may only start at 1700.
    expect(grants).toEqual([0, 0, 1_700, 1_700]);
  });

  it('serves waiters in arrival order', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 1, windowMs: 100 }, clock);
    const order: number[] = [];
    const all = [0, 1, 2, 3, 4].map(async (n) => {
      const permit = await limiter.acquire();
      order.push(n);
      permit.release();
    });
    await clock.advance(1_000);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds every request while paused, even with free slots', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 10, windowMs: 1_000 }, clock);
    limiter.pauseUntil(2_000);
    expect(limiter.pausedForMs()).toBe(2_000);
    let grantedAt: number | null = null;
    const pending = limiter.acquire().then((permit) => {
      grantedAt = clock.now();
      permit.release();
    });
    await clock.advance(1_999);
    expect(grantedAt).toBeNull();
    await clock.advance(1);
    await pending;
    expect(grantedAt).toBe(2_000);
    expect(limiter.pausedForMs()).toBe(0);
  });

  it('a later pause extends an earlier one, an earlier one never shortens it', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 1, windowMs: 10 }, clock);
    limiter.pauseUntil(5_000);
    limiter.pauseUntil(1_000);
    expect(limiter.pausedForMs()).toBe(5_000);
  });

  it('waits for a release when every slot is in flight', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 2, windowMs: 1_000 }, clock);
    const first = await limiter.acquire();
    await limiter.acquire();
    let granted = false;
    const third = limiter.acquire().then((permit) => {
      granted = true;
      return permit;
    });
    await clock.advance(5_000);
    expect(granted).toBe(false);
    expect(limiter.used()).toBe(2);
    first.release();
    await clock.advance(999);
    expect(granted).toBe(false);
    await clock.advance(1);
    (await third).release();
    expect(granted).toBe(true);
  });

  it('a waiter that gives up does not block the ones behind it', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ requests: 1, windowMs: 1_000 }, clock);
    (await limiter.acquire()).release();
    const controller = new AbortController();
    const quitter = limiter.acquire(controller.signal);
    const patient = limiter.acquire();
    controller.abort(new Error('job cancelled'));
    await expect(quitter).rejects.toThrow('job cancelled');
    await clock.advance(1_000);
    const permit = await patient;
    expect(clock.now()).toBe(1_000);
    permit.release();
    // Releasing twice frees one slot once; the first slot (ended at 0) has left the window.
    permit.release();
    await settle();
    expect(limiter.used()).toBe(1);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new SlidingWindowLimiter({ requests: 0, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ requests: 1.5, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ requests: 5, windowMs: 0 })).toThrow(RangeError);
  });
});
