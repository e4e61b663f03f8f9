import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SHA256_HEX, type BlobInfo, type BlobStore } from './blob-store.ts';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Read size: large chunks keep the per-chunk cost of hashing and of web streams (downloads) low. */
const CHUNK = 1_048_576;

/**
 * Blobs in a folder on local disk, beside the database: `<root>/ab/cdef…` by SHA-256 (the first two
 * hex digits fan the files out over 256 folders). A blob is written to a temporary file under
 * `<root>/tmp`, fsynced, renamed into place and its folder fsynced, so a crash leaves either the
 * whole blob or none (a stray temporary file at worst). Folders are 0700 and files 0600, like the
 * database. The same bytes stored twice are one file.
 */
export class DiskBlobStore implements BlobStore {
  private ready: Promise<void> | null = null;

  constructor(readonly root: string) {}

  private async init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, 'tmp'), { recursive: true, mode: DIR_MODE });
      await chmod(this.root, DIR_MODE);
      await chmod(join(this.root, 'tmp'), DIR_MODE);
    })();
    return this.ready;
  }

  private checked(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256.slice(0, 80)}`);
    return sha256;
  }

  /** Where a blob lives; throws on anything but a SHA-256 hex (no path ever comes from outside). */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256.slice(0, 80)}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async stagingDir(): Promise<string> {
    await this.init();
    return mkdtemp(join(this.root, 'tmp', 'upload-'));
  }

  async putFile(path: string, known?: BlobInfo): Promise<BlobInfo> {
    await this.init();
    if (known !== undefined) return this.commit(path, { sha256: this.checked(known.sha256), size: known.size });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
      // A file stream yields Buffers.
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
    }
    return this.commit(path, { sha256: hash.digest('hex'), size });
  }

  async put(source: Uint8Array | Readable): Promise<BlobInfo> {
    await this.init();
    const temp = join(this.root, 'tmp', `blob-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const input = source instanceof Readable ? source : Readable.from([source]);
    try {
      await pipeline(
        input,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: FILE_MODE, flags: 'wx' }),
      );
      return await this.commit(temp, { sha256: hash.digest('hex'), size });
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Makes the file at `temp` the blob `info` names: fsync, rename, fsync the folder. */
  private async commit(temp: string, info: BlobInfo): Promise<BlobInfo> {
    const target = this.pathOf(info.sha256);
    const existing = await this.stat(info.sha256);
    if (existing !== null && existing.size === info.size) {
      // Content addressing: the same bytes are stored already; this copy is not needed.
      await rm(temp, { force: true });
      return existing;
    }
    const folder = join(this.root, info.sha256.slice(0, 2));
    await mkdir(folder, { recursive: true, mode: DIR_MODE });
    const handle = await open(temp, 'r+');
    try {
      await handle.chmod(FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    await syncDir(folder);
    return info;
  }

  async open(sha256: string): Promise<Readable | null> {
    if ((await this.stat(sha256)) === null) return null;
    return createReadStream(this.pathOf(sha256), { highWaterMark: CHUNK });
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.pathOf(sha256));
      return s.isFile() ? { sha256, size: s.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // cast: fs errors carry an errno code
      throw err;
    }
  }
}

/** fsync of a folder, so a rename into it survives power loss. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
