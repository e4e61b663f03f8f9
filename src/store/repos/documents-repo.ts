import type { SqlRunner } from '../sql/runner.ts';

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

// Runners hand rows back untyped; each is a plain object of column → value of this table,
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
  constructor(private readonly sql: SqlRunner) {}

  /** Records a version; the primary key refuses a second writer of the same number. */
  async addVersion(row: DocumentVersionRow): Promise<void> {
    this.sql.assertInTransaction('document version');
    await this.sql.run(
      'INSERT INTO document_versions (document_id, version, sha256, size_bytes, content_type, filename, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [row.documentId, row.version, row.sha256, row.sizeBytes, row.contentType, row.filename, row.uploadedBy, row.uploadedAt],
    );
  }

  /** Every version of a document, oldest first. */
  async versions(documentId: string): Promise<DocumentVersionRow[]> {
    return (await this.sql.all<Raw>('SELECT * FROM document_versions WHERE document_id = ? ORDER BY version', [documentId])).map(toRow);
  }

  async version(documentId: string, version: number): Promise<DocumentVersionRow | null> {
    const row = await this.sql.get<Raw>('SELECT * FROM document_versions WHERE document_id = ? AND version = ?', [documentId, version]);
    return row === undefined ? null : toRow(row);
  }

  /** The highest version number recorded, 0 when none. */
  async latestVersion(documentId: string): Promise<number> {
    return Number(await this.sql.value<number>('SELECT coalesce(max(version), 0) FROM document_versions WHERE document_id = ?', [documentId]));
  }

  /**
   * Spends a single-use link: true the first time, false when it was already used. One statement,
   * so two downloads racing on the same link cannot both win (the primary key decides; DO NOTHING
   * answers the loser without an error, which on PostgreSQL would abort its unit of work).
   */
  async spendLink(linkId: string, documentId: string, usedBy: string, at: string): Promise<boolean> {
    const { changes } = await this.sql.run(
      'INSERT INTO document_link_uses (link_id, document_id, used_by, used_at) VALUES (?, ?, ?, ?) ON CONFLICT (link_id) DO NOTHING',
      [linkId, documentId, usedBy, at],
    );
    return changes === 1;
  }
}
