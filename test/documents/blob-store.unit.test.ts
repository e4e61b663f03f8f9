import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBlobStore } from '../../src/store/blobs/disk-blob-store.ts';
import { tempDir } from '../support/temp-store.ts';

let tmp: ReturnType<typeof tempDir>;
let blobs: DiskBlobStore;
beforeEach(() => {
  tmp = tempDir();
  blobs = new DiskBlobStore(join(tmp.dir, 'blobs'));
});
afterEach(() => tmp.dispose());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const mode = (path: string) => statSync(path).mode & 0o777;

async function readAll(stream: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream ?? []) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the disk blob store', () => {
  it('names a blob by its SHA-256, under a two-digit folder, and reads it back', async () => {
    const bytes = Buffer.from('signed timesheet, week 9');
    const info = await blobs.put(bytes);
    expect(info).toEqual({ sha256: sha(bytes), size: bytes.length });
    const path = join(tmp.dir, 'blobs', info.sha256.slice(0, 2), info.sha256.slice(2));
    expect(readFileSync(path)).toEqual(bytes);
    expect(await readAll(await blobs.open(info.sha256))).toEqual(bytes);
    expect(await blobs.stat(info.sha256)).toEqual(info);
  });

  it('keeps the same bytes once, however often and however they arrive', async () => {
    const bytes = Buffer.from('the same contract twice');
    const a = await blobs.put(bytes);
    const b = await blobs.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    const staged = join(await blobs.stagingDir(), 'upload');
    writeFileSync(staged, bytes);
    const c = await blobs.putFile(staged);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const folder = join(tmp.dir, 'blobs', a.sha256.slice(0, 2));
    expect(readdirSync(folder)).toEqual([a.sha256.slice(2)]);
    // The staged copy is gone: it was not needed.
    expect(() => statSync(staged)).toThrow();
  });

  it('writes folders 0700 and files 0600, like the database', async () => {
    const info = await blobs.put(Buffer.from('private'));
    expect(mode(join(tmp.dir, 'blobs'))).toBe(0o700);
    expect(mode(join(tmp.dir, 'blobs', info.sha256.slice(0, 2)))).toBe(0o700);
    expect(mode(join(tmp.dir, 'blobs', info.sha256.slice(0, 2), info.sha256.slice(2)))).toBe(0o600);
    expect(mode(join(tmp.dir, 'blobs', 'tmp'))).toBe(0o700);
  });

  it('is atomic: a stream that fails midway leaves neither a blob nor a temporary file', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(blobs.put(failing)).rejects.toThrow('client went away');
    expect(readdirSync(join(tmp.dir, 'blobs', 'tmp'))).toEqual([]);
    expect(readdirSync(join(tmp.dir, 'blobs')).filter((d) => d !== 'tmp')).toEqual([]);
  });

  it('moves a staged file into place and leaves nothing in tmp', async () => {
    const dir = await blobs.stagingDir();
    const bytes = Buffer.alloc(300_000, 7);
    writeFileSync(join(dir, 'upload'), bytes);
    const info = await blobs.putFile(join(dir, 'upload'));
    expect(info.sha256).toBe(sha(bytes));
    expect(readdirSync(dir)).toEqual([]);
    // Buffer.equals: a deep equality of 300 kB element by element takes seconds.
    expect((await readAll(await blobs.open(info.sha256))).equals(bytes)).toBe(true);
  });

  it('answers null for an unknown hash and refuses anything that is not one (no path from outside)', async () => {
    expect(await blobs.open('0'.repeat(64))).toBeNull();
    expect(await blobs.stat('f'.repeat(64))).toBeNull();
    expect(() => blobs.pathOf('../../etc/passwd')).toThrow(/not a SHA-256/);
    expect(() => blobs.pathOf('A'.repeat(64))).toThrow(/not a SHA-256/);
  });
});
