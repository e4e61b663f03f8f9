import type { SqlRunner } from '../sql/runner.ts';

export type CommentVisibility = 'internal' | 'client';
export type CommentAction = 'created' | 'edited' | 'deleted';

export interface CommentRow {
  id: string;
  entity: string;
  recordId: string;
  author: string;
  visibility: CommentVisibility;
  body: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  deletedBy: string | null;
}

export interface CommentRevisionRow {
  commentId: string;
  revision: number;
  action: CommentAction;
  body: string;
  visibility: CommentVisibility;
  actor: string;
  at: string;
}

// Runners hand rows back untyped; each is a plain object of column → value of this table,
// read through `as Raw` at the statement and mapped to the typed row by one function.
type Raw = Record<string, string | number | null>;
const str = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));
// Written only from CommentVisibility / CommentAction values (the repository's own inputs).
const visibilityOf = (v: unknown): CommentVisibility => (v === 'internal' ? 'internal' : 'client');

function toComment(r: Raw): CommentRow {
  return {
    id: String(r['id']), entity: String(r['entity']), recordId: String(r['record_id']), author: String(r['author']),
    visibility: visibilityOf(r['visibility']), body: String(r['body']), revision: Number(r['revision']),
    createdAt: String(r['created_at']), updatedAt: String(r['updated_at']), deletedAt: str(r['deleted_at']), deletedBy: str(r['deleted_by']),
  };
}

function toRevision(r: Raw): CommentRevisionRow {
  return {
    commentId: String(r['comment_id']), revision: Number(r['revision']), action: String(r['action']) as CommentAction, // written only from CommentAction
    body: String(r['body']), visibility: visibilityOf(r['visibility']), actor: String(r['actor']), at: String(r['at']),
  };
}

/** Comments on records, with every text each one had (`comment_revisions`); deletes are soft. */
export class CommentsRepo {
  constructor(private readonly sql: SqlRunner) {}

  async insert(row: CommentRow): Promise<void> {
    this.sql.assertInTransaction('comment');
    await this.sql.run(
      'INSERT INTO comments (id, entity, record_id, author, visibility, body, revision, created_at, updated_at, deleted_at, deleted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.entity, row.recordId, row.author, row.visibility, row.body, row.revision, row.createdAt, row.updatedAt, row.deletedAt, row.deletedBy],
    );
    await this.addRevision({ commentId: row.id, revision: row.revision, action: 'created', body: row.body, visibility: row.visibility, actor: row.author, at: row.createdAt });
  }

  /** Writes the comment's new state and its revision row; `action` says what happened. */
  async update(row: CommentRow, action: Exclude<CommentAction, 'created'>, actor: string): Promise<void> {
    this.sql.assertInTransaction('comment');
    await this.sql.run(
      'UPDATE comments SET body = ?, visibility = ?, revision = ?, updated_at = ?, deleted_at = ?, deleted_by = ? WHERE id = ?',
      [row.body, row.visibility, row.revision, row.updatedAt, row.deletedAt, row.deletedBy, row.id],
    );
    await this.addRevision({ commentId: row.id, revision: row.revision, action, body: row.body, visibility: row.visibility, actor, at: row.updatedAt });
  }

  private async addRevision(r: CommentRevisionRow): Promise<void> {
    await this.sql.run(
      'INSERT INTO comment_revisions (comment_id, revision, action, body, visibility, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.commentId, r.revision, r.action, r.body, r.visibility, r.actor, r.at],
    );
  }

  async get(id: string): Promise<CommentRow | null> {
    const row = await this.sql.get<Raw>('SELECT * FROM comments WHERE id = ?', [id]);
    return row === undefined ? null : toComment(row);
  }

  /**
   * The comments on one record, oldest first. `clientOnly` filters in the query itself: an internal
   * comment never leaves the database for a contact.
   */
  async forRecord(entity: string, recordId: string, clientOnly: boolean): Promise<CommentRow[]> {
    const sql = `SELECT * FROM comments WHERE entity = ? AND record_id = ?${clientOnly ? " AND visibility = 'client'" : ''} ORDER BY created_at, id`;
    return (await this.sql.all<Raw>(sql, [entity, recordId])).map(toComment);
  }

  async revisions(commentId: string): Promise<CommentRevisionRow[]> {
    return (await this.sql.all<Raw>('SELECT * FROM comment_revisions WHERE comment_id = ? ORDER BY revision', [commentId])).map(toRevision);
  }
}
