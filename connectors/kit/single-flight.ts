/**
 * Wraps an async function so concurrent callers share one run: the first call starts it, callers
 * arriving while it runs get the same promise, and the next call after it settles starts afresh.
 * For logins and token refreshes, where two concurrent refreshes would spend a single-use refresh
 * token twice (Bullhorn) or revoke each other's tokens (Gusto).
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    if (running === null) {
      running = (async () => {
        try {
          return await fn();
        } finally {
          running = null;
        }
      })();
    }
    return running;
  };
}
