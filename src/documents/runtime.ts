import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../lib/secret-box.ts';
import { DiskBlobStore } from '../store/blobs/disk-blob-store.ts';
import type { BlobStore } from '../store/blobs/blob-store.ts';
import type { Store } from '../store/index.ts';
import { LinkSigner } from './links.ts';

/** Largest document accepted, in bytes, unless configured otherwise. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1_048_576;

/** What the document routes and the CLI need beyond the store. */
export interface DocumentServices {
  readonly blobs: BlobStore;
  readonly signer: LinkSigner;
  /** Largest file an upload may carry; bigger ones are 413 before anything is stored. */
  readonly maxBytes: number;
}

/**
 * The embedded defaults: blobs in `blobs/` beside the database file (a temporary folder for an
 * in-memory database, whose documents die with it; PostgreSQL names its files directory when opened), links signed with keys derived from the store's
 * key ring (a fresh ring when the store has none: links then live as long as the process).
 */
export function documentServicesFor(store: Store, options: { maxBytes?: number; blobRoot?: string } = {}): DocumentServices {
  const dir = store.filesDir;
  const root = options.blobRoot ?? (dir === null ? join(mkdtempSync(join(tmpdir(), 'crosswalk-blobs-')), 'blobs') : join(dir, 'blobs'));
  return {
    blobs: new DiskBlobStore(root),
    signer: new LinkSigner(store.keyring ?? Keyring.generate()),
    maxBytes: options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
  };
}
