/**
 * The errors a connector raises, classified for the queue: `config` failures are not retried and are
 * shown to ops, `rate_limited` goes to the queue's rate-limit path, `transient` retries with backoff,
 * `version_conflict` asks the push job to re-read and try again, `not_found` lets a read report a
 * record that is gone.
 *
 * None of them carries a request or response object: those hold the Authorization header, tokens in
 * query strings and vendor bodies, and an error is the thing most likely to end up in a log line.
 */

export type ConnectorErrorKind = 'config' | 'transient' | 'rate_limited' | 'version_conflict' | 'not_found' | 'webhook_payload';

/** Where a failed call went: enough for ops to find it, nothing a log must not hold. */
export interface CallSite {
  readonly systemId: string;
  readonly method: string;
  /** URL path only: query strings can carry session tokens (Bullhorn's `BhRestToken`). */
  readonly path: string;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** The vendor's own error text, extracted from its body and truncated. */
  readonly vendorMessage?: string;
  /** A network error code (`ECONNRESET`, `ETIMEDOUT`), never the underlying error object. */
  readonly code?: string;
}

export abstract class ConnectorError extends Error {
  abstract readonly kind: ConnectorErrorKind;
  /** Whether the queue should try again later. */
  abstract readonly retryable: boolean;
  readonly systemId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly vendorMessage: string | undefined;
  readonly code: string | undefined;

  constructor(message: string, site: CallSite) {
    super(describe(message, site));
    this.systemId = site.systemId;
    this.method = site.method;
    this.path = site.path;
    this.status = site.status;
    this.vendorMessage = site.vendorMessage;
    this.code = site.code;
  }

  /** What pino (or JSON.stringify) prints: the call site, never a body or a header. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name, kind: this.kind, message: this.message, systemId: this.systemId, method: this.method,
      path: this.path, status: this.status, vendorMessage: this.vendorMessage, code: this.code,
    };
  }
}

export type ConfigReason = 'bad_credentials' | 'forbidden' | 'rejected' | 'missing_credentials' | 'misconfigured';

/** Bad credentials after a re-login, a 403, a write the vendor refused (400/404/422): not retried. */
export class ConnectorConfigError extends ConnectorError {
  override readonly name = 'ConnectorConfigError';
  readonly kind = 'config';
  readonly retryable = false;
  constructor(message: string, site: CallSite, readonly reason: ConfigReason) {
    super(message, site);
  }

  /** A configuration problem found before any request (missing credentials, bad settings). */
  static forSystem(systemId: string, message: string, reason: ConfigReason): ConnectorConfigError {
    return new ConnectorConfigError(message, { systemId, method: NO_CALL, path: NO_CALL, status: null }, reason);
  }
}

/** Network trouble, timeouts and 5xx once retries ran out; the queue retries the job with backoff. */
export class TransientError extends ConnectorError {
  override readonly name: string = 'TransientError';
  readonly kind = 'transient';
  readonly retryable = true;
  constructor(
    message: string,
    site: CallSite,
    /**
     * True when a non-idempotent write may have reached the vendor (timeout, reset, 5xx after the
     * body was sent): the push job must look for it by its idempotency key before writing again.
     */
    readonly mayHaveApplied = false,
    /** A hint for the queue's next attempt, when the vendor or the circuit breaker gave one. */
    readonly retryAfterMs?: number,
  ) {
    super(message, site);
  }
}

/** The system's circuit breaker is open: fail fast instead of adding load to a failing vendor. */
export class CircuitOpenError extends TransientError {
  override readonly name = 'CircuitOpenError';
  constructor(site: CallSite, retryAfterMs: number) {
    super('circuit open after repeated failures', site, false, retryAfterMs);
  }
}

/** 429 that outlasted the in-process wait: the queue should pause this system for `retryAfterMs`. */
export class RateLimitedError extends ConnectorError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate_limited';
  readonly retryable = true;
  constructor(message: string, site: CallSite, readonly retryAfterMs: number) {
    super(message, site);
  }
}

/** 409 from an optimistic-locking vendor (Gusto `version`): re-read, re-merge, push again. */
export class VersionConflictError extends ConnectorError {
  override readonly name = 'VersionConflictError';
  readonly kind = 'version_conflict';
  readonly retryable = false;
}

/** 404/410 on a read: the record is gone. `fetchByIds` leaves such ids out instead of throwing. */
export class NotFoundError extends ConnectorError {
  override readonly name = 'NotFoundError';
  readonly kind = 'not_found';
  readonly retryable = false;
}

/** A verified webhook whose body is not what the vendor documents: the inbox parks it for ops. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
  readonly kind = 'webhook_payload';
  readonly retryable = false;
  constructor(message: string, readonly systemId?: string) {
    super(message);
  }
}

/** The classification of anything thrown, for code that only holds `unknown` (queue handlers). */
export function connectorErrorKind(err: unknown): ConnectorErrorKind | null {
  if (err instanceof ConnectorError || err instanceof WebhookPayloadError) return err.kind;
  return null;
}

/** Method and path of an error raised before any HTTP call. */
const NO_CALL = '-';

function describe(message: string, site: CallSite): string {
  if (site.method === NO_CALL) return `${site.systemId}: ${message}`;
  const status = site.status === null ? (site.code ?? 'no response') : String(site.status);
  const vendor = site.vendorMessage === undefined ? '' : `: ${site.vendorMessage}`;
  return `${site.systemId} ${site.method} ${site.path} → ${status}: ${message}${vendor}`;
}
