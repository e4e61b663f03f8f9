import { applyLocalChange, type SyncPolicy } from '../engine/index.ts';
import type { CanonicalRow, Repos } from '../store/index.ts';
import type { BlobInfo } from '../store/blobs/blob-store.ts';
import type { OwnerScope } from './owners.ts';

export type DocumentVisibility = 'internal' | 'client';

/** A new document, or the next version of one the caller has already read through its scope. */
export type VersionOf =
  | { readonly kind: 'new'; readonly ownerEntity: string; readonly ownerId: string; readonly type: string; readonly title: string; readonly visibility: DocumentVisibility }
  | { readonly kind: 'existing'; readonly row: CanonicalRow };

export interface NewVersion {
  /** `contact:<id>`, `user:<id>`, `service:<key id>`. */
  readonly actor: string;
  readonly of: VersionOf;
  readonly blob: BlobInfo;
  /** Sniffed from the bytes. */
  readonly contentType: string;
  readonly filename: string;
  /** The client and worksite of the record the document is attached to (the event's scope). */
  readonly scope: OwnerScope;
}

/**
 * Writes one version, in the caller's unit of work: the canonical document (created, or moved to
 * the new version's hash, size and type) with its ledger row, the version row (every earlier one
 * stays), and a `document.added` portal event. The blob is already stored: a unit of work that
 * fails leaves an unreferenced blob, which costs disk and nothing else.
 */
export async function recordVersion(tx: Repos, policy: SyncPolicy, v: NewVersion, now: string): Promise<{ documentId: string; version: number }> {
  const file = { sha256: v.blob.sha256, contentType: v.contentType, sizeBytes: v.blob.size };
  let documentId: string;
  let version: number;
  let title: string;
  let visibility: string;
  if (v.of.kind === 'new') {
    version = 1;
    title = v.of.title;
    visibility = v.of.visibility;
    const result = await applyLocalChange(
      tx, policy,
      { entity: 'document', changes: { ownerEntity: v.of.ownerEntity, ownerId: v.of.ownerId, type: v.of.type, title, version, visibility, ...file }, actor: v.actor },
      now,
    );
    documentId = result.canonicalId;
  } else {
    const row = v.of.row;
    documentId = row.id;
    // A document that arrived by sync may have a version number but no stored versions yet.
    version = Math.max(await tx.documents.latestVersion(row.id), Number(row.fields['version'] ?? 0)) + 1;
    title = String(row.fields['title']);
    visibility = String(row.fields['visibility']);
    await applyLocalChange(tx, policy, { entity: 'document', canonicalId: row.id, changes: { version, ...file }, actor: v.actor }, now);
  }
  await tx.documents.addVersion({ documentId, version, sha256: v.blob.sha256, sizeBytes: v.blob.size, contentType: v.contentType, filename: v.filename, uploadedBy: v.actor, uploadedAt: now });
  await tx.events.append({
    type: 'document.added', entity: 'document', canonicalId: documentId, clientId: v.scope.clientId, worksiteId: v.scope.worksiteId, actor: v.actor,
    // Fan-out must honour `visibility`: an internal document is never announced to a contact.
    data: { title, version, visibility, contentType: v.contentType },
    at: now,
  });
  return { documentId, version };
}

/** A file name safe for a Content-Disposition header and a listing: its last segment, printable ASCII. */
export function safeFilename(name: string | null, fallback: string): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = last.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\;%]/g, '_').trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned;
}
