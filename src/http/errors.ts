import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { CredentialError } from '../access/credentials/secret.ts';
import { ConfigError, RefusedError } from '../engine/index.ts';
import type { HttpLogger } from './logger.ts';
import type { AppEnv } from './env.ts';

/** Every error code the API answers with, and its status. One table, so docs and code agree. */
export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  body_not_allowed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  refused: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid: 422,
  config_error: 422,
  internal: 500,
  unavailable: 503,
  not_implemented: 501,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An expected failure with its status: answered as the envelope, never logged as an exception. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
  }

  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code];
  }
}

export const ErrorEnvelope = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ description: 'The one error envelope of every route.' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export function envelope(code: ErrorCode, message: string, details?: readonly ErrorDetail[]): ErrorEnvelope {
  return { error: { code, message, ...(details && details.length > 0 ? { details: [...details] } : {}) } };
}

/**
 * Zod issues as `{ path, message }`, prefixed with where the value came from (`query.limit`,
 * `body.ids[2]`). An unknown key becomes one detail per key, so a client sees which field to drop.
 */
export function issueDetails(where: string, error: z.ZodError): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const issue of error.issues) {
    const base = formatPath(where, issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath(where, [...issue.path, key]), message: `unknown ${where === 'query' ? 'parameter' : 'field'}` });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
  return out;
}

function formatPath(where: string, path: readonly PropertyKey[]): string {
  let out = where;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  return out;
}

export function validationError(where: string, error: z.ZodError): ApiError {
  const details = issueDetails(where, error);
  const first = details[0];
  return new ApiError('invalid_request', first ? `${first.path}: ${first.message}` : `invalid ${where}`, details);
}

const REFUSED_STATUS: Readonly<Record<RefusedError['code'], ErrorCode>> = { not_found: 'not_found', refused: 'refused', invalid: 'invalid' };

/**
 * Maps anything a route throws to the envelope. Expected errors keep their status and message;
 * anything else is a 500 with a generic message and the request id, and is logged with its stack.
 */
export function errorResponse(err: unknown, c: Context<AppEnv>, log: HttpLogger): Response {
  if (err instanceof ApiError) {
    // Every 401 says how to authenticate (RFC 9110 §11.6.1).
    if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="crosswalk"');
    return c.json(envelope(err.code, err.message, err.details), err.status);
  }
  if (err instanceof RefusedError) {
    const code = REFUSED_STATUS[err.code];
    return c.json(envelope(code, err.message), ERROR_CODES[code]);
  }
  if (err instanceof CredentialError) return c.json(envelope('invalid', err.message), ERROR_CODES.invalid);
  if (err instanceof ConfigError) return c.json(envelope('config_error', err.message), ERROR_CODES.config_error);
  if (err instanceof z.ZodError) {
    const e = validationError('input', err);
    return c.json(envelope(e.code, e.message, e.details), e.status);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // hono's own middleware (body limit) throws these; keep the status, use our envelope.
    const code: ErrorCode = err.status === 413 ? 'payload_too_large' : err.status === 401 ? 'unauthorized' : 'invalid_request';
    return c.json(envelope(code, err.message || 'request refused'), err.status === 413 || err.status === 401 ? err.status : 400);
  }
  const requestId = c.get('requestId');
  log.error({ err, requestId, method: c.req.method, path: c.req.path }, 'unhandled error in HTTP route');
  return c.json(envelope('internal', `internal error (request ${requestId}); the server log has the details`), 500);
}
