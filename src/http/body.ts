import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { readStreamCapped } from './read-body.ts';
import { ApiError } from './errors.ts';

/** Whether a request carries a body, judged by its headers (a GET's body never reaches the Request). */
export function hasBody(req: Request): boolean {
  if (req.headers.has('transfer-encoding')) return true;
  const length = req.headers.get('content-length');
  return length !== null && length.trim() !== '0';
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type !== undefined && type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Reads a JSON body of at most `limit` bytes. The declared length is checked before reading and the
 * streamed bytes are counted while reading, so a chunked body with no length stops at the limit
 * instead of filling memory. Returns undefined when no body was sent.
 */
export async function readJsonBody(c: Context<AppEnv>, limit: number): Promise<unknown> {
  const req = c.req.raw;
  if (!hasBody(req)) return undefined;
  const declared = req.headers.get('content-length');
  if (declared !== null && !req.headers.has('transfer-encoding') && Number(declared) > limit) throw tooLarge(limit);
  if (!isJson(req.headers.get('content-type') ?? undefined)) {
    throw new ApiError('unsupported_media_type', 'send the body as application/json');
  }
  const bytes = await readCapped(req, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError('invalid_json', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
}

async function readCapped(req: Request, limit: number): Promise<Uint8Array> {
  // The DOM typing of Request.body is loose in @types/node; a fetch body stream yields bytes.
  const body = await readStreamCapped(req.body as ReadableStream<Uint8Array> | null, limit);
  if (body === null) throw tooLarge(limit);
  return body;
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `the body is larger than ${limit} bytes`);
}
