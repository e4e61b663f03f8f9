/**
 * How a thrown error steers the queue. Duck-typed on `name` and a few fields, so the runtime needs
 * no import from connectors/ or the engine, and errors that crossed a module or realm boundary
 * (a sandboxed processor, a second copy of a package) still classify the same way.
 */

/** Recorded with the failed job so ops can tell "fix the configuration" from "it will come back". */
export type FailureKind = 'config_error' | 'system_error';

export type JobErrorClass =
  /** Retrying cannot help: bad credentials, an invalid mapping, an invalid payload. */
  | { readonly kind: 'unrecoverable'; readonly failure: 'config_error' }
  /** The vendor said "slow down": pause the whole system's queue; the attempt is not used up. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  /** Anything else: retry with backoff, no sooner than `minDelayMs` when the error gave a hint. */
  | { readonly kind: 'retry'; readonly failure: 'system_error'; readonly minDelayMs: number };

/** Error names that mean "the configuration is wrong" wherever they come from. */
const CONFIG_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ConfigError', // src/engine/errors.ts
  'ConnectorConfigError', // connectors/kit/errors.ts: bad credentials, 403, a refused write
  'ConfigFileError', // src/config/load.ts
  'UnrecoverableError', // BullMQ's own, should a handler throw it directly
]);

/** Connector errors whose `retryable` is false and whose cause a retry cannot remove. */
const NEVER_RETRY_NAMES: ReadonlySet<string> = new Set(['WebhookPayloadError', 'NotFoundError']);

export function classifyJobError(err: unknown): JobErrorClass {
  if (typeof err !== 'object' || err === null) return { kind: 'retry', failure: 'system_error', minDelayMs: 0 };
  const e = err as { name?: unknown; unrecoverable?: unknown; retryAfterMs?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if (CONFIG_ERROR_NAMES.has(name) || e.unrecoverable === true) return { kind: 'unrecoverable', failure: 'config_error' };
  // A malformed webhook body or a record the vendor says does not exist will not change on retry.
  // A version conflict will: the push job re-reads the record before it throws.
  if (NEVER_RETRY_NAMES.has(name)) return { kind: 'unrecoverable', failure: 'config_error' };
  const retryAfterMs = typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) && e.retryAfterMs >= 0 ? e.retryAfterMs : null;
  if (name === 'RateLimitedError' && retryAfterMs !== null) return { kind: 'rate_limited', retryAfterMs };
  // A transient error may carry a hint (an open circuit breaker says when it half-opens): retrying
  // before then only burns an attempt against a breaker that will refuse it.
  return { kind: 'retry', failure: 'system_error', minDelayMs: retryAfterMs ?? 0 };
}
