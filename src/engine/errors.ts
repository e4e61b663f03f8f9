/**
 * A mistake in configuration (a mapping that does not exist, a field no rule covers): not retried,
 * shown to ops. The queue turns it into an unrecoverable job failure.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, readonly details?: unknown) {
    super(message);
  }
}

/** A request the caller should not have made: a conflict already resolved, an illegal move. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    message: string,
    readonly code: 'not_found' | 'refused' | 'invalid',
  ) {
    super(message);
  }
}
