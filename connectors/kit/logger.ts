/**
 * The logging surface a connector gets: pino's `(obj, msg)` shape, so the hub passes a pino child
 * logger as is. Objects hold ids, paths, statuses and counts, never credentials, tokens or bodies.
 */
export interface ConnectorLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** For tests and one-shot tools that do not want output. */
export const silentLogger: ConnectorLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
