import { sleep } from './backoff.ts';

/** A vendor's documented limit: at most `requests` in any `windowMs` (a rolling window). */
export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

/** Time as the limiter sees it; tests swap in a manual clock. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

/** A claimed slot; release it when the response has arrived (or the request failed). */
export interface Permit {
  release(): void;
}

/**
 * A sliding-window log limiter for one vendor system, shared by every request of that system in the
 * process. Exact rather than approximate: a rolling-window vendor (Gusto: 200 per rolling 60 s)
 * counts every request of the last window, so a token bucket's burst after idle time can earn a 429.
 *
 * A slot is held from the moment the request leaves until `windowMs` after its response arrived.
 * The vendor counts a request when it arrives, which is somewhere in between, so ending the slot at
 * the response (not at the send) means no window on the vendor's clock ever sees more than
 * `requests` of ours, whatever the latency.
 *
 * Waiters are served in arrival order, so a page job queued first is sent first.
 */
export class SlidingWindowLimiter {
  private readonly ends: number[] = [];
  private head = 0;
  private inFlight = 0;
  private pausedUntil = 0;
  private tail: Promise<void> = Promise.resolve();
  private releaseWaiters: Array<() => void> = [];

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(limit.requests) || limit.requests < 1) throw new RangeError('rate limit requests must be a positive integer');
    if (!(limit.windowMs > 0)) throw new RangeError('rate limit windowMs must be positive');
  }

  /** Waits for a slot (and for any pause to end), then claims it. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    const turn = this.tail.then(() => this.claim(signal));
    // The chain must go on when one waiter gives up (abort), or every later waiter would hang.
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    await turn;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.ends.push(this.clock.now());
        const waiters = this.releaseWaiters;
        this.releaseWaiters = [];
        for (const wake of waiters) wake();
      },
    };
  }

  /** Stop every request of this system until `epochMs` (a 429's Retry-After applies to all of them). */
  pauseUntil(epochMs: number): void {
    if (epochMs > this.pausedUntil) this.pausedUntil = epochMs;
  }

  /** How long the system is still paused; 0 when it is not. */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /** Slots counted against the window right now (in flight plus recently completed). */
  used(): number {
    this.prune(this.clock.now());
    return this.inFlight + (this.ends.length - this.head);
  }

  private async claim(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      if (this.pausedUntil > now) {
        await this.clock.sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.prune(now);
      const completed = this.ends.length - this.head;
      if (this.inFlight + completed < this.limit.requests) {
        this.inFlight += 1;
        return;
      }
      const oldest = this.ends[this.head];
      await this.waitForRoom(oldest === undefined ? null : oldest + this.limit.windowMs - now, signal);
    }
  }

  /** Until the oldest completed slot leaves the window, or a release happens, whichever is first. */
  private async waitForRoom(expiresInMs: number | null, signal: AbortSignal | undefined): Promise<void> {
    const stop = new AbortController();
    const released = new Promise<void>((resolve) => {
      this.releaseWaiters.push(resolve);
    });
    const waits: Array<Promise<void>> = [released];
    const combined = signal === undefined ? stop.signal : AbortSignal.any([stop.signal, signal]);
    if (expiresInMs !== null) {
      // Swallow only our own cancellation; a caller's abort is re-checked at the top of the loop.
      waits.push(this.clock.sleep(Math.max(1, expiresInMs), combined).catch(() => undefined));
    }
    let onAbort: (() => void) | undefined;
    if (signal !== undefined) {
      waits.push(new Promise<void>((resolve) => {
        onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
      }));
    }
    try {
      await Promise.race(waits);
    } finally {
      stop.abort();
      if (signal !== undefined && onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  private prune(now: number): void {
    const horizon = now - this.limit.windowMs;
    while (this.head < this.ends.length && (this.ends[this.head] ?? Infinity) <= horizon) this.head += 1;
    // Compact now and then so the log stays about `requests` long.
    if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head);
      this.head = 0;
    }
  }
}
