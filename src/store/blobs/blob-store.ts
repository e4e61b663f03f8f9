import type { Readable } from 'node:stream';

/** What the store knows of a blob: its content address and size. */
export interface BlobInfo {
  /** Lower-case hex SHA-256 of the bytes: the blob's name. */
  readonly sha256: string;
  readonly size: number;
}

/**
 * Where document bytes live, addressed by their SHA-256. Small on purpose: put, read, stat. Blobs
 * are never deleted through it (every version of a document is kept, and two documents with the
 * same bytes share one blob). The embedded default is a folder on local disk (`DiskBlobStore`); an
 * object store would implement the same four calls.
 */
export interface BlobStore {
  /**
   * A fresh folder on the blob store's own file system, for a file about to be `putFile`d (so the
   * final rename never crosses devices). The caller removes it when done.
   */
  stagingDir(): Promise<string>;
  /**
   * Stores the file at `path` (moved in, or dropped when the same bytes are stored already).
   * `known` is its digest and size when the caller hashed it while writing it (skips a re-read).
   */
  putFile(path: string, known?: BlobInfo): Promise<BlobInfo>;
  /** Stores bytes given in memory or as a stream. */
  put(source: Uint8Array | Readable): Promise<BlobInfo>;
  /** The blob's bytes as a stream, or null when no blob has that hash. */
  open(sha256: string): Promise<Readable | null>;
  stat(sha256: string): Promise<BlobInfo | null>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
