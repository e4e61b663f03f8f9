import { errField, type QueueLogger } from './logger.ts';

export interface Closeable {
  /** For the log line. */
  readonly name: string;
  close(): Promise<void>;
}

export interface ShutdownOptions {
  /**
   * After this long the process exits with code 1 even if something has not closed.
   * @defaultValue 45_000 (longer than the drivers' 30 s grace for running jobs)
   */
  readonly timeoutMs?: number;
  /** @defaultValue ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** @defaultValue process.exit */
  readonly exit?: (code: number) => void;
}

/**
 * Graceful shutdown for `crosswalk worker` and `crosswalk scheduler`: on the first SIGTERM or
 * SIGINT, closes `closeables` in order (scheduler and relay first so nothing new is queued, then
 * the driver, which lets running jobs finish, then the store) and exits 0; a second signal, or the
 * timeout, exits 1 at once. Returns a function that removes the handlers (tests, and a caller that
 * shuts down another way).
 */
export function installShutdown(closeables: readonly Closeable[], logger: QueueLogger, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 45_000;
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: letting running jobs finish');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting');
      exit(1);
    }, timeoutMs);
    timer.unref();
    void closeAll(closeables, logger).then((ok) => {
      clearTimeout(timer);
      logger.info('shutdown complete');
      exit(ok ? 0 : 1);
    });
  };

  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}

/** Closes each in order; one that throws is logged and the rest still close. */
async function closeAll(closeables: readonly Closeable[], logger: QueueLogger): Promise<boolean> {
  let ok = true;
  for (const c of closeables) {
    try {
      await c.close();
      logger.debug({ closed: c.name }, 'closed');
    } catch (err) {
      ok = false;
      logger.error({ err: errField(err), closing: c.name }, 'close failed');
    }
  }
  return ok;
}
