import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Document versions and record comments (issue 14). The canonical `documents` row is the document
 * as it stands now (its latest version's hash, size and type); every version ever uploaded stays
 * here, pointing at its bytes in the blob store by SHA-256 (decision 0015).
 */
export const documentVersions = sqliteTable(
  'document_versions',
  {
    documentId: text('document_id').notNull(),
    version: integer('version').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** The type sniffed from the bytes, never the one the client declared. */
    contentType: text('content_type').notNull(),
    /** The client's file name, reduced to a safe last segment. */
    filename: text('filename').notNull(),
    /** `contact:<id>`, `user:<id>`, `service:<key id>`: the principal, never a name from the body. */
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: text('uploaded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.version] }), index('document_versions_sha').on(t.sha256)],
);

/** Single-use download links already spent: the link id (from the signed link) and when. */
export const documentLinkUses = sqliteTable('document_link_uses', {
  linkId: text('link_id').primaryKey(),
  documentId: text('document_id').notNull(),
  usedBy: text('used_by').notNull(),
  usedAt: text('used_at').notNull(),
});

/**
 * Comments on time entries, requisitions, assignments and invoices. Soft deleted (`deleted_at`);
 * every text a comment ever had is a row of `comment_revisions`.
 */
export const comments = sqliteTable(
  'comments',
  {
    id: text('id').primaryKey(),
    /** The canonical entity commented on. */
    entity: text('entity').notNull(),
    recordId: text('record_id').notNull(),
    /** The principal who wrote it (`contact:<id>`, `user:<id>`, `service:<key id>`). */
    author: text('author').notNull(),
    /** internal | client: a contact never sees an internal comment. */
    visibility: text('visibility').notNull(),
    body: text('body').notNull(),
    revision: integer('revision').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    deletedAt: text('deleted_at'),
    deletedBy: text('deleted_by'),
  },
  (t) => [index('comments_record').on(t.entity, t.recordId, t.createdAt)],
);

export const commentRevisions = sqliteTable(
  'comment_revisions',
  {
    commentId: text('comment_id').notNull(),
    revision: integer('revision').notNull(),
    /** created | edited | deleted */
    action: text('action').notNull(),
    body: text('body').notNull(),
    visibility: text('visibility').notNull(),
    actor: text('actor').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.revision] })],
);
