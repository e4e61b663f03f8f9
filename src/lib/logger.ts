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

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`);
  // Every signature header a webhook scheme of the connector kit reads (connectors/kit/webhooks/schemes.ts).
  paths.push(
    'req.headers.authorization', 'req.headers.cookie', 'headers["x-gusto-signature"]', 'headers.signature',
    'headers["stripe-signature"]', 'headers["webhook-signature"]', 'headers["x-hub-signature-256"]',
  );
  return paths;
}

export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      name: options.name ?? 'crosswalk',
      redact: { paths: redactPaths(), censor: '[redacted]' },
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
