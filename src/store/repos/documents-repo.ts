import type { Statements } from '../sqlite/statements.ts';

/** One stored version of a document: its bytes are the blob named by `sha256`. */
export interface DocumentVersionRow {
  documentId: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  contentType: string;
  filename: string;
  uploadedBy: string;
  uploadedAt: string;
}

// better-sqlite3 hands rows back untyped; each is a plain object of column → value of this table,
// read through `as Raw` at the statement and mapped to the typed row by one function.
type Raw = Record<string, string | number | null>;

function toRow(r: Raw): DocumentVersionRow {
  return {
    documentId: String(r['document_id']),
    version: Number(r['version']),
    sha256: String(r['sha256']),
    sizeBytes: Number(r['size_bytes']),
    contentType: String(r['content_type']),
    filename: String(r['filename']),
    uploadedBy: String(r['uploaded_by']),
    uploadedAt: String(r['uploaded_at']),
  };
}

/** Document versions (every one kept) and the single-use download links already spent. */
export class DocumentsRepo {
  constructor(private readonly s: Statements) {}

  /** Records a version; the primary key refuses a second writer of the same number. */
  async addVersion(row: DocumentVersionRow): Promise<void> {
    this.s.assertInTransaction('document version');
    this.s
      .get('INSERT INTO document_versions (document_id, version, sha256, size_bytes, content_type, filename, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.documentId, row.version, row.sha256, row.sizeBytes, row.contentType, row.filename, row.uploadedBy, row.uploadedAt);
  }

  /** Every version of a document, oldest first. */
  async versions(documentId: string): Promise<DocumentVersionRow[]> {
    return (this.s.get('SELECT * FROM document_versions WHERE document_id = ? ORDER BY version').all(documentId) as Raw[]).map(toRow);
  }

  async version(documentId: string, version: number): Promise<DocumentVersionRow | null> {
    const row = this.s.get('SELECT * FROM document_versions WHERE document_id = ? AND version = ?').get(documentId, version) as Raw | undefined;
    return row === undefined ? null : toRow(row);
  }

  /** The highest version number recorded, 0 when none. */
  async latestVersion(documentId: string): Promise<number> {
    return Number(this.s.get('SELECT coalesce(max(version), 0) FROM document_versions WHERE document_id = ?').pluck().get(documentId));
  }

  /**
   * Spends a single-use link: true the first time, false when it was already used. One statement,
   * so two downloads racing on the same link cannot both win.
   */
  async spendLink(linkId: string, documentId: string, usedBy: string, at: string): Promise<boolean> {
    const info = this.s.get('INSERT OR IGNORE INTO document_link_uses (link_id, document_id, used_by, used_at) VALUES (?, ?, ?, ?)').run(linkId, documentId, usedBy, at);
    return info.changes === 1;
  }
}
