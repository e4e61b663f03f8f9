import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { SlidingWindowLimiter, type Clock, type RateLimit } from './rate-limiter.ts';

/** The limiter and breaker every request of one system shares within this process. */
export interface SystemGuards {
  readonly limiter: SlidingWindowLimiter;
  readonly breaker: CircuitBreaker;
}

/**
 * Per-system guards keyed by system id. The first client made for a system fixes its limit and
 * breaker settings; later clients of the same system share them, which is the point: two jobs of
 * one system running side by side must not each think they have the whole budget.
 *
 * Scope is one process. Across workers the queue's per-system rate limiter (one BullMQ queue per
 * system) bounds the job rate; this one bounds the request rate inside each job.
 */
export class GuardRegistry {
  private readonly systems = new Map<string, SystemGuards>();

  get(systemId: string, limit: RateLimit, breaker: CircuitBreakerOptions, clock: Clock): SystemGuards {
    let guards = this.systems.get(systemId);
    if (guards === undefined) {
      guards = { limiter: new SlidingWindowLimiter(limit, clock), breaker: new CircuitBreaker(breaker, () => clock.now()) };
      this.systems.set(systemId, guards);
    }
    return guards;
  }

  /** Forget a system (its configuration changed, or a test is done with it). */
  delete(systemId: string): void {
    this.systems.delete(systemId);
  }
}

/** The process-wide registry the hub's clients use unless a test passes its own. */
export const processGuards = new GuardRegistry();
