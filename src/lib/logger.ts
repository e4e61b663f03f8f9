import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line: credentials, and the personal data a vendor payload or
 * a record may carry. Listed at the first three nesting levels, because pino's redaction matches
 * exact paths. Vendor bodies are not logged at all; this is the second fence.
 */
const SENSITIVE_KEYS = [
  'password', 'secret', 'clientSecret', 'client_secret', 'token', 'accessToken', 'access_token', 'refreshToken',
  'refresh_token', 'BhRestToken', 'authorization', 'Authorization', 'cookie', 'verification_token', 'apiToken',
  'ssn', 'SSN', 'dateOfBirth', 'date_of_birth', 'birthDate', 'email', 'emailUri', 'phone', 'mobile', 'firstName',
  'lastName', 'first_name', 'last_name', 'givenName', 'familyName1', 'address', 'body', 'payload', 'credentials',
];

function redactPaths(headers: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`);
  paths.push('req.headers.authorization', 'req.headers.cookie');
  // The headers the connectors declare secret (their manifests: webhook signature headers and
  // `redactHeaders`), as logged request headers: lower-case, as Node hands them over.
  for (const header of new Set(headers.map((h) => h.toLowerCase()))) {
    const key = JSON.stringify(header);
    paths.push(`headers[${key}]`, `req.headers[${key}]`, `*.headers[${key}]`);
  }
  return paths;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: NodeJS.WritableStream;
  /** Header names whose values never reach a log line: `sensitiveHeaders()` of connectors/index.ts. */
  redactHeaders?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      name: options.name ?? 'crosswalk',
      redact: { paths: redactPaths(options.redactHeaders ?? []), censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      base: { pid: process.pid },
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that drops everything: tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
