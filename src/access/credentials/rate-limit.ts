import { toMs } from './secret.ts';

/**
 * An in-memory sliding-window limiter: at most `limit` hits per key within any `windowMs`. Each key
 * keeps the times of its recent hits (never more than `limit` of them); keys are kept in
 * least-recently-used order and the oldest go once `maxKeys` is reached, so a flood of distinct
 * addresses or IPs cannot grow memory without bound. Per process: several API processes each keep
 * their own count (the limit is then per process — acceptable for throttling guessing, not a quota).
 */
export interface RateLimiterOptions {
  /** Hits allowed per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /**
   * Keys remembered at most; the least recently used go first.
   * @defaultValue 10000
   */
  maxKeys?: number;
}

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly hits = new Map<string, number[]>();
  private sinceSweep = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) throw new RangeError('a rate limiter needs limit ≥ 1 and a positive window');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Records a hit and answers true when the key is under its limit; false (nothing recorded) when over. */
  take(key: string, now: string | number): boolean {
    const at = toMs(now);
    const recent = this.recent(key, at);
    if (recent.length >= this.limit) {
      this.remember(key, recent);
      return false;
    }
    recent.push(at);
    this.remember(key, recent);
    return true;
  }

  /** True when a `take` now would succeed; records nothing (check before a password, `take` on failure). */
  check(key: string, now: string | number): boolean {
    return this.recent(key, toMs(now)).length < this.limit;
  }

  /** Forgets a key (after a successful sign-in, its failures no longer count). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Keys currently remembered (for tests and metrics). */
  get size(): number {
    return this.hits.size;
  }

  private recent(key: string, at: number): number[] {
    const list = this.hits.get(key);
    if (list === undefined) return [];
    const from = at - this.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) <= from) drop++;
    return drop === 0 ? list : list.slice(drop);
  }

  private remember(key: string, list: number[]): void {
    // Delete then set: the key moves to the end of the Map's insertion order (most recently used).
    this.hits.delete(key);
    if (list.length > 0) this.hits.set(key, list);
    if (++this.sinceSweep >= 1000) this.sweep(list.at(-1) ?? 0);
    while (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next();
      if (oldest.done === true) break;
      this.hits.delete(oldest.value);
    }
  }

  /** Drops keys whose newest hit has left the window: they would allow a hit anyway. */
  private sweep(at: number): void {
    this.sinceSweep = 0;
    const from = at - this.windowMs;
    for (const [key, list] of this.hits) if ((list.at(-1) ?? 0) <= from) this.hits.delete(key);
  }
}

const FIFTEEN_MINUTES = 15 * 60_000;

/** Magic-link requests: 5 per address and 20 per IP in 15 minutes. */
export interface MagicLinkLimiters {
  readonly perAddress: RateLimiter;
  readonly perIp: RateLimiter;
}

export function createMagicLinkLimiters(): MagicLinkLimiters {
  return {
    perAddress: new RateLimiter({ limit: 5, windowMs: FIFTEEN_MINUTES }),
    perIp: new RateLimiter({ limit: 20, windowMs: FIFTEEN_MINUTES }),
  };
}

/**
 * Failed password sign-ins: 10 per e-mail and 10 per IP in 15 minutes. Use `check` on both before
 * verifying a password, `take` on both after a failure, and `reset` the e-mail after a success.
 */
export interface SignInLimiters {
  readonly perEmail: RateLimiter;
  readonly perIp: RateLimiter;
}

export function createSignInLimiters(): SignInLimiters {
  return {
    perEmail: new RateLimiter({ limit: 10, windowMs: FIFTEEN_MINUTES }),
    perIp: new RateLimiter({ limit: 10, windowMs: FIFTEEN_MINUTES }),
  };
}
