/**
 * Retry timing: exponential backoff with full jitter, and the vendor's own "come back later" headers.
 */

export interface RetryPolicy {
  /**
   * Retries after the first attempt; a request is sent at most `maxRetries + 1` times
   * (quality bar 7: no single request retried more than 5 times).
   * @defaultValue 5
   */
  readonly maxRetries: number;
  /** @defaultValue 500 */
  readonly baseDelayMs: number;
  /** Cap on one backoff delay. @defaultValue 30_000 */
  readonly maxDelayMs: number;
  /**
   * Longest Retry-After the client waits out in process; a longer one becomes a `RateLimitedError`
   * so the job gives its worker back and the queue delays it instead.
   * @defaultValue 60_000
   */
  readonly maxRetryAfterMs: number;
  /**
   * Added to a vendor's Retry-After: it is whole seconds, and a request landing exactly on the
   * boundary can still be counted in the old window.
   * @defaultValue 100
   */
  readonly retryAfterPadMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  retryAfterPadMs: 100,
};

/**
 * Delay before retry number `retry` (0 for the first retry): uniform in [0, min(max, base·2^retry)).
 * Full jitter rather than equal jitter: after a vendor outage many workers retry at once, and full
 * jitter spreads them the most for the same expected wait.
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Null when absent or unreadable, so the caller falls back to backoff instead of trusting garbage.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only an HTTP date counts: Date.parse also reads bare numbers and odd strings as dates.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * A rate-limit reset header (`X-RateLimit-Reset`) as milliseconds from `nowMs`. Vendors disagree on
 * its unit, so the magnitude decides: epoch milliseconds, epoch seconds, or seconds from now; an
 * HTTP date is read as one.
 */
export function parseRateLimitReset(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= 1e12) return Math.max(0, Math.round(n - nowMs));
    if (n >= 1e9) return Math.max(0, Math.round(n * 1000 - nowMs));
    return Math.round(n * 1000);
  }
  return parseRetryAfter(text, nowMs);
}

/** A sleep that ends early (rejecting with the signal's reason) when the caller gives up. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
