import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MultipartError, readMultipart } from '../../src/csv/multipart.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosswalk-multipart-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BOUNDARY = '----crosswalk7MA4YWxkTrZu0gW';
const TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

function body(parts: Array<{ name: string; filename?: string; data: string | Buffer }>, closing = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : 'Content-Type: text/csv\r\n'}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  if (closing) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** The body as a stream cut into pieces of `size` bytes: boundaries land anywhere. */
function stream(data: Buffer, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(new Uint8Array(data.subarray(at, at + size)));
      at += size;
    },
  });
}

describe('multipart upload reader', () => {
  const csv = Buffer.from(`a,b\r\n1,"x\r\n--${BOUNDARY.slice(0, 10)}"\r\n`);
  const data = body([{ name: 'kind', data: 'time_entries' }, { name: 'file', filename: 'C:\\Users\\billing\\hours.csv', data: csv }, { name: 'dryRun', data: 'true' }]);

  it.each([1, 2, 3, 7, 64, 100_000])('reads fields and spools the file whatever the chunk size (%i bytes)', async (size) => {
    const result = await readMultipart(stream(data, size), TYPE, dir, { fileBytes: 1000 });
    expect(result.fields).toEqual({ kind: 'time_entries', dryRun: 'true' });
    expect(result.file).toMatchObject({ name: 'hours.csv', bytes: csv.length });
    expect(readFileSync(result.file?.path as string).equals(csv)).toBe(true);
  });

  it('stops at the file limit with 413', async () => {
    const big = body([{ name: 'file', filename: 'x.csv', data: Buffer.alloc(5000, 0x61) }]);
    await expect(readMultipart(stream(big, 512), TYPE, dir, { fileBytes: 1000 })).rejects.toMatchObject({ status: 413 });
  });

  it('refuses what is not multipart, a missing boundary, a body cut short, and long fields', async () => {
    await expect(readMultipart(stream(data, 10), 'application/json', dir, { fileBytes: 1000 })).rejects.toMatchObject({ status: 415 });
    await expect(readMultipart(stream(data, 10), 'multipart/form-data', dir, { fileBytes: 1000 })).rejects.toMatchObject({ status: 400 });
    await expect(readMultipart(stream(body([{ name: 'kind', data: 'x' }], false), 10), TYPE, dir, { fileBytes: 1000 })).rejects.toThrow(MultipartError);
    await expect(readMultipart(stream(body([{ name: 'kind', data: 'x'.repeat(5000) }]), 100), TYPE, dir, { fileBytes: 1000 })).rejects.toMatchObject({ status: 413 });
  });

  it('an empty file part is a 0-byte file, not a missing one', async () => {
    const result = await readMultipart(stream(body([{ name: 'file', filename: 'empty.csv', data: '' }]), 16), TYPE, dir, { fileBytes: 1000 });
    expect(result.file).toMatchObject({ name: 'empty.csv', bytes: 0 });
  });
});

describe('hashing the file as it streams', () => {
  it('gives the SHA-256 of exactly the file bytes (boundaries anywhere), and none unless asked', async () => {
    const { createHash } = await import('node:crypto');
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => String.fromCharCode(32 + (i % 90))).join(''));
    const raw = body([{ name: 'file', filename: 'a.txt', data }, { name: 'note', data: 'x' }]);
    for (const size of [1, 7, 4096]) {
      const hashed = await readMultipart(stream(raw, size), TYPE, dir, { fileBytes: 1_000_000, sha256: true });
      expect(hashed.file?.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(createHash('sha256').update(readFileSync(hashed.file?.path ?? '')).digest('hex')).toBe(hashed.file?.sha256);
    }
    expect((await readMultipart(stream(raw, 4096), TYPE, dir, { fileBytes: 1_000_000 })).file?.sha256).toBeNull();
  });
});
