export interface CircuitBreakerOptions {
  /**
   * Consecutive failed attempts (network, timeout, 5xx, 408) that open the circuit. Quality bar 7
   * asks it to open within 10.
   * @defaultValue 10
   */
  readonly failureThreshold: number;
  /** How long it stays open before one probe request is let through. @defaultValue 30_000 */
  readonly coolDownMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = { failureThreshold: 10, coolDownMs: 30_000 };

export type CircuitState = 'closed' | 'open' | 'half-open';

export type Admission = { readonly allowed: true; readonly probe: boolean } | { readonly allowed: false; readonly retryInMs: number };

/**
 * A small circuit breaker for one vendor system. When a vendor is down, every retrying job would
 * otherwise keep hammering it (and burn its rate-limit budget); open, requests fail fast with a
 * transient error and the queue backs off. After the cool-down one probe decides: success closes,
 * failure opens for another cool-down.
 *
 * Any HTTP answer that is not a 5xx/408 counts as success here: a 4xx or a 429 proves the vendor
 * is up, even if this request was wrong or too early.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = 'closed';
  private probeInFlight = false;

  constructor(
    readonly options: CircuitBreakerOptions = DEFAULT_CIRCUIT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** Whether a request may go now; in half-open only one probe is in flight at a time. */
  admit(): Admission {
    if (this.current === 'closed') return { allowed: true, probe: false };
    const elapsed = this.now() - this.openedAt;
    if (this.current === 'open') {
      if (elapsed < this.options.coolDownMs) return { allowed: false, retryInMs: this.options.coolDownMs - elapsed };
      this.current = 'half-open';
    }
    if (this.probeInFlight) return { allowed: false, retryInMs: Math.max(1, this.options.coolDownMs - elapsed) };
    this.probeInFlight = true;
    return { allowed: true, probe: true };
  }

  onSuccess(): void {
    // A slow answer to a request sent before the circuit opened proves little; only a probe closes it.
    if (this.current === 'open') return;
    this.failures = 0;
    this.probeInFlight = false;
    this.current = 'closed';
  }

  onFailure(): void {
    if (this.current === 'open') return;
    this.probeInFlight = false;
    if (this.current === 'half-open') {
      this.open();
      return;
    }
    this.failures += 1;
    if (this.current === 'closed' && this.failures >= this.options.failureThreshold) this.open();
  }

  /** The request never reached a verdict (caller abort): let another probe go. */
  onAbandon(probe: boolean): void {
    if (probe) this.probeInFlight = false;
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.failures = 0;
  }
}
