/** Where the API writes what went wrong unexpectedly (pino's signature, so a pino logger fits as is). */
export interface HttpLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
