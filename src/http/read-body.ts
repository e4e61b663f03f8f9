import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export type BodyRead = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly tooLarge: true };

/**
 * Reads a request body with a byte limit, refusing as soon as the limit is passed — whether the
 * sender declared a Content-Length or streams chunks with none. On Node it
 * reads the socket stream directly, which spares building a WHATWG Request per delivery; elsewhere
 * (tests through `app.request`) it reads the Request body stream the same way.
 */
export async function readLimitedBody(c: Context, limit: number): Promise<BodyRead> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return { ok: false, tooLarge: true };
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.on === 'function' && !incoming.readableDidRead) return readIncoming(incoming, limit);
  const body = await readStreamCapped(c.req.raw.body, limit);
  return body === null ? { ok: false, tooLarge: true } : { ok: true, body };
}

/** Reads a fetch body stream up to `limit` bytes; null (and the stream cancelled) past it. */
export async function readStreamCapped(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer | null> {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    const value: Uint8Array = next.value;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        discardRest(incoming, limit);
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(new Error('client closed the connection before the body ended'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/**
 * The rest of an oversize body is read and dropped, never buffered, so the sender gets its 413
 * instead of a reset mid-write; a sender that keeps going past 16 times the limit is cut off.
 */
function discardRest(incoming: IncomingMessage, limit: number): void {
  let dropped = 0;
  incoming.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 16 * limit) incoming.socket.destroy();
  });
  incoming.on('error', () => undefined);
  incoming.resume();
}
