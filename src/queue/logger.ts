/**
 * The slice of pino the queue runtime logs through. pino's `Logger` satisfies it, and so does a
 * test double: the runtime never depends on pino itself.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface QueueLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
  child(bindings: Record<string, unknown>): QueueLogger;
}

const noop = (): void => undefined;

/** Drops everything: for tests and one-shot tools that pass no logger. */
export const silentQueueLogger: QueueLogger = {
  info: noop,
  warn: noop,
  error: noop,
  debug: noop,
  child: () => silentQueueLogger,
};

/** An error as a log field: name and message only, never the object (it may carry a request). */
export function errField(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: String(err) };
}
