import type { BlobInfo, BlobStore } from '../store/blobs/blob-store.ts';
import { safeFilename } from './record.ts';
import { sniffFile } from './sniff.ts';

/** A file taken into the blob store, with what its bytes say it is. */
export interface Accepted {
  readonly ok: true;
  readonly blob: BlobInfo;
  readonly contentType: string;
  readonly filename: string;
}

/** Why a file was not taken: `empty` (zero bytes) or `type` (not on the allow-list, by its bytes). */
export interface NotAccepted {
  readonly ok: false;
  readonly problem: 'empty' | 'type';
  readonly reason: string;
}

/**
 * Judges a staged file by its bytes and, when it is allowed, stores it under its hash. Shared by the
 * upload route and the CLI, so both refuse the same files for the same reasons. The staged file is
 * moved into the store (or dropped as a duplicate); a refused one is left for the caller to remove.
 */
export async function acceptFile(blobs: BlobStore, path: string, size: number, name: string | null, sha256: string | null = null): Promise<Accepted | NotAccepted> {
  if (size === 0) return { ok: false, problem: 'empty', reason: 'the file is empty (zero bytes): nothing was stored' };
  const sniffed = await sniffFile(path, size, name);
  if (!sniffed.ok) return { ok: false, problem: 'type', reason: sniffed.reason };
  const blob = await blobs.putFile(path, sha256 === null ? undefined : { sha256, size });
  return { ok: true, blob, contentType: sniffed.contentType, filename: safeFilename(name, `document.${sniffed.kind.toLowerCase()}`) };
}
