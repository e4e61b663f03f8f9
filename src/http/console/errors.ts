import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ConfigError, RefusedError } from '../../engine/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from './deps.ts';
import { h } from './html.ts';
import { CONTENT_SECURITY_POLICY, page } from './layout.ts';

/** An expected refusal with its status: shown as a readable page, never logged as an exception. */
export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Zod issues as `where.path: message` lines; an unknown key is named so the user sees what to drop. */
export function invalidInput(where: 'query' | 'form' | 'path', error: z.ZodError): ConsoleError {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) lines.push(`${path}.${key}: not accepted here`);
    else lines.push(`${path}: ${issue.message}`);
  }
  return new ConsoleError(400, 'Bad request', 'The request was not accepted; nothing was changed.', lines);
}

const REFUSED_STATUS: Readonly<Record<RefusedError['code'], ContentfulStatusCode>> = { not_found: 404, refused: 409, invalid: 422 };

/** A refusal from the engine as the status the console answers with. */
export function refusedStatus(err: RefusedError): ContentfulStatusCode {
  return REFUSED_STATUS[err.code];
}

export function errorPage(c: Context<ConsoleEnv>, status: ContentfulStatusCode, title: string, message: string, details: readonly string[] = []): Response {
  // Unset when the request was refused before sign-in completed.
  const user = c.get('consoleUser') as string | undefined;
  const body = h`<div class="banner refused" role="alert"><strong>${message}</strong>${
    details.length > 0 ? h`<ul>${details.map((d) => h`<li>${d}</li>`)}</ul>` : null
  }</div><p><a href="/console">Back to the overview</a></p>`;
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return c.html(page({ title, section: 'none', ...(user === undefined ? {} : { user }), body }).value, status);
}

/**
 * Everything a console route throws, as a page. Expected errors keep their status and reason; bad
 * input is a 4xx, never a 500. Anything else is a 500 naming the request id, logged with its stack.
 */
export function consoleErrorHandler(deps: ResolvedConsoleDeps) {
  return (err: unknown, c: Context<ConsoleEnv>): Response => {
    if (err instanceof ConsoleError) return errorPage(c, err.status, err.title, err.message, err.details);
    if (err instanceof RefusedError) return errorPage(c, refusedStatus(err), 'Refused', err.message);
    if (err instanceof ConfigError) return errorPage(c, 422, 'Configuration error', err.message);
    if (err instanceof z.ZodError) {
      const e = invalidInput('form', err);
      return errorPage(c, e.status, e.title, e.message, e.details);
    }
    const requestId = c.get('requestId');
    deps.log.error({ err, requestId, method: c.req.method, path: c.req.path }, 'unhandled error in console route');
    return errorPage(c, 500, 'Internal error', `Something went wrong (request ${requestId}); the server log has the details.`);
  };
}
