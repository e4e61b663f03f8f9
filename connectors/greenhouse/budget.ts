import { parseRateLimitReset, sleep } from '../kit/index.ts';

/** §2.3: Harvest counts requests per 10-second window. */
export const WINDOW_MS = 10_000;

/**
 * Harvest's budget (§2.3): every response says how many requests are left in the current
 * 10-second window (`X-RateLimit-Remaining` of `X-RateLimit-Limit`). When none are left the next
 * request waits for the window to end instead of spending a 429; the kit's sliding window (from
 * the manifest's example figure) and its 429 handling stay behind it.
 *
 * When the window ends: `X-RateLimit-Reset` where the answer carries one (the doc shows it with a
 * 429). Otherwise it is inferred from the answers themselves: the answer that opened the window
 * (the first one, or one whose `Remaining` went up) arrived after the vendor started counting
 * the window, so the window ends at most 10 s after that answer. Waiting 10 s from the answer that
 * spent the budget instead — what this did before — idled each window for as long as its 50
 * pages had taken: a full pull at ×100 used 0.74 of the limit.
 *
 * The inference assumes the hub is the key's only user, as Harvest keys are issued per
 * integration. Another user of the key who spends a fresh window faster than our answers show a
 * rise could make one request early: the vendor answers 429 and the kit waits its Retry-After.
 * An answer 10 s or more after the opener is in a later window whose start is unseen: it opens the
 * window itself, which is never early.
 */
export class Budget {
  private pausedUntil = 0;
  /** When the answer that opened the current window arrived (null: none seen yet). */
  private openedAt: number | null = null;
  private lastRemaining = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  observe(headers: Readonly<Record<string, string>>): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    if (!Number.isFinite(remaining)) return;
    const now = this.now();
    if (this.openedAt === null || remaining > this.lastRemaining || now - this.openedAt >= WINDOW_MS) this.openedAt = now;
    this.lastRemaining = remaining;
    if (remaining > 0) return;
    const waitMs = parseRateLimitReset(headers['x-ratelimit-reset'], now) ?? this.openedAt + WINDOW_MS - now;
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(waitMs, WINDOW_MS));
  }

  /** How long the next request must still wait (0: none). */
  waitMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  async wait(): Promise<void> {
    const ms = this.waitMs();
    if (ms > 0) await sleep(ms);
  }
}
