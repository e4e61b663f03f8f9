import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** A multipart body the reader refuses: the status to answer with and why. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadedFile {
  /** Where the bytes were written. */
  readonly path: string;
  /** The file name the client sent (its last path segment), or null. */
  readonly name: string | null;
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the file's bytes, when `limits.sha256` asked for it. */
  readonly sha256: string | null;
}

export interface MultipartResult {
  readonly fields: Readonly<Record<string, string>>;
  readonly file: UploadedFile | null;
}

export interface MultipartLimits {
  /** Largest file part, in bytes. */
  readonly fileBytes: number;
  /** @defaultValue 4096 */
  readonly fieldBytes?: number;
  /** @defaultValue 16 */
  readonly parts?: number;
  /**
   * Hash the file part as it streams to disk (document uploads: the blob store's content address,
   * without reading the file a second time).
   * @defaultValue false
   */
  readonly sha256?: boolean;
}

const HEADER_LIMIT = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function boundaryOf(contentType: string | undefined): string {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'multipart/form-data') throw new MultipartError(415, 'send the file as multipart/form-data');
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new MultipartError(400, 'the multipart content type has no boundary');
  return boundary;
}

interface PartHeaders {
  name: string;
  filename: string | null;
}

function parseHeaders(text: string): PartHeaders {
  const disposition = text.split('\r\n').find((l) => /^content-disposition\s*:/i.test(l));
  if (!disposition) throw new MultipartError(400, 'a multipart part has no Content-Disposition');
  const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) throw new MultipartError(400, 'a multipart part has no name');
  const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
  return { name, filename };
}

/**
 * Reads a multipart/form-data body as it streams in: the one part named `file` goes to a file
 * in `dir` (never into memory), small text fields are collected. The file part's size is counted
 * as it arrives and the read stops at the limit with 413, so an upload can never fill memory or
 * the disk beyond its limit.
 */
export async function readMultipart(body: ReadableStream<Uint8Array> | null, contentType: string | undefined, dir: string, limits: MultipartLimits): Promise<MultipartResult> {
  const boundary = boundaryOf(contentType);
  if (body === null) throw new MultipartError(400, 'the request has no body');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fieldBytes = limits.fieldBytes ?? 4096;
  const maxParts = limits.parts ?? 16;
  const fields: Record<string, string> = {};
  let file: UploadedFile | null = null;

  type State = { kind: 'preamble' } | { kind: 'afterDelimiter' } | { kind: 'headers' } | { kind: 'body'; part: PartHeaders; sink: WriteStream | null; bytes: number; text: Buffer[] } | { kind: 'done' };
  let state: State = { kind: 'preamble' };
  // A CRLF in front lets the first delimiter (which has none) be found like the others.
  let buf: Buffer = Buffer.from(CRLF);
  let parts = 0;
  let sinkError: Error | null = null;
  const reader = body.getReader();
  const hash = limits.sha256 === true ? createHash('sha256') : null;

  const closePart = async (s: Extract<State, { kind: 'body' }>) => {
    if (s.sink) {
      const done = once(s.sink, 'finish');
      s.sink.end();
      await done;
      file = { path: s.sink.path as string, name: s.part.filename === null ? null : (s.part.filename.split(/[\\/]/).pop() ?? null), bytes: s.bytes, sha256: hash?.digest('hex') ?? null };
    } else {
      fields[s.part.name] = Buffer.concat(s.text).toString('utf8');
    }
  };
  const emit = async (s: Extract<State, { kind: 'body' }>, chunk: Buffer) => {
    if (chunk.length === 0) return;
    s.bytes += chunk.length;
    if (sinkError !== null) throw sinkError;
    if (s.sink) {
      if (s.bytes > limits.fileBytes) throw new MultipartError(413, `the file is larger than ${limits.fileBytes} bytes (limit maxFileBytes)`);
      hash?.update(chunk);
      if (!s.sink.write(chunk)) await once(s.sink, 'drain');
    } else {
      if (s.bytes > fieldBytes) throw new MultipartError(413, `field "${s.part.name}" is longer than ${fieldBytes} bytes`);
      s.text.push(chunk);
    }
  };

  try {
    let ended = false;
    let finished = false;
    while (!finished) {
      let progressed = true;
      while (progressed && state.kind !== 'done') {
        progressed = false;
        if (state.kind === 'preamble' || state.kind === 'body') {
          const at = buf.indexOf(delimiter);
          if (at < 0) {
            // Keep enough for a delimiter that straddles two chunks.
            const keep = Math.min(buf.length, delimiter.length - 1);
            if (state.kind === 'body') await emit(state, buf.subarray(0, buf.length - keep));
            buf = buf.subarray(buf.length - keep);
          } else {
            if (state.kind === 'body') {
              await emit(state, buf.subarray(0, at));
              await closePart(state);
            }
            buf = buf.subarray(at + delimiter.length);
            state = { kind: 'afterDelimiter' };
            progressed = true;
          }
        } else if (state.kind === 'afterDelimiter') {
          if (buf.length < 2) break;
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            state = { kind: 'done' };
            finished = true;
          } else {
            const eol = buf.indexOf(CRLF);
            if (eol < 0) break;
            buf = buf.subarray(eol + 2);
            state = { kind: 'headers' };
          }
          progressed = true;
        } else if (state.kind === 'headers') {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > HEADER_LIMIT) throw new MultipartError(400, 'multipart part headers are too long');
            // Headers end with a blank line; a part with no headers at all starts with it.
            if (buf.subarray(0, 2).equals(CRLF)) throw new MultipartError(400, 'a multipart part has no headers');
            break;
          }
          const part = parseHeaders(buf.subarray(0, end).toString('utf8'));
          buf = buf.subarray(end + HEADER_END.length);
          if (++parts > maxParts) throw new MultipartError(400, `more than ${maxParts} parts`);
          let sink: WriteStream | null = null;
          if (part.name === 'file') {
            if (file !== null) throw new MultipartError(400, 'send one file per upload');
            sink = createWriteStream(join(dir, 'upload.csv'));
            const opened = sink;
            opened.on('error', (err) => (sinkError ??= err));
          }
          state = { kind: 'body', part, sink, bytes: 0, text: [] };
          progressed = true;
        }
      }
      if (finished) break;
      if (ended) throw new MultipartError(400, 'the multipart body ends before its closing boundary');
      const { done, value } = await reader.read();
      if (done) ended = true;
      else buf = buf.length === 0 ? Buffer.from(value) : Buffer.concat([buf, value]);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (state.kind === 'body' && state.sink) {
      const closed = once(state.sink, 'close').catch(() => undefined);
      state.sink.destroy();
      await closed;
    }
    throw err;
  }
  await reader.cancel().catch(() => undefined);
  return { fields, file };
}
