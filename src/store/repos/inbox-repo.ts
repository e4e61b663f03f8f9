import type { InboxRow, InboxStatus } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { whereOf } from '../sqlite/statements.ts';

interface RawInbox {
  id: string;
  system: string;
  event_id: string;
  kind: string;
  entity: string | null;
  external_id: string | null;
  payload: string;
  headers: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
}

function toInbox(raw: RawInbox): InboxRow {
  return {
    id: raw.id,
    system: raw.system,
    eventId: raw.event_id,
    kind: raw.kind as InboxRow['kind'],
    entity: raw.entity,
    externalId: raw.external_id,
    payload: raw.payload,
    headers: raw.headers === null ? null : (JSON.parse(raw.headers) as Record<string, string>),
    status: raw.status as InboxStatus,
    attempts: raw.attempts,
    lastError: raw.last_error,
    receivedAt: raw.received_at,
    processedAt: raw.processed_at,
  };
}

export interface InboxQuery {
  status?: InboxStatus;
  system?: string;
  /** The vendor's delivery or event id. */
  eventId?: string;
  after?: string;
  /** Keyset paging, newest first: rows with a smaller id (ids sort in arrival order). */
  before?: string;
  /** Newest first (the console) instead of oldest first. */
  newestFirst?: boolean;
  limit: number;
}

/**
 * The inbox insert, deduplicated on (system, event id): shared by the repository and the inbox
 * writer's thread (inbox-writer.worker.js), so both write a delivery the same way. Plain SQL of the
 * common subset: the writer's thread prepares it on SQLite as it stands.
 */
export const INBOX_INSERT_SQL = `INSERT INTO inbox (id, system, event_id, kind, entity, external_id, payload, status, attempts, received_at, headers)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (system, event_id) DO NOTHING`;

/** The kept headers as stored: JSON, or null when there are none. */
export function headersJson(headers: Readonly<Record<string, string>> | null | undefined): string | null {
  return headers === null || headers === undefined || Object.keys(headers).length === 0 ? null : JSON.stringify(headers);
}
/** The id of the delivery that first brought (system, event id). */
export const INBOX_EXISTING_SQL = 'SELECT id FROM inbox WHERE system = ? AND event_id = ?';

/** Verified inbound deliveries, deduplicated on (system, event id) by a unique index. */
export class InboxRepo {
  private readonly replaySql: string;

  constructor(private readonly sql: SqlRunner) {
    this.replaySql = `UPDATE inbox SET status = 'pending', attempts = 0, last_error = NULL, processed_at = NULL
      WHERE id IN ${sql.dialect.textList('?')} AND status IN ('failed', 'ignored')`;
  }

  /** Inserts the delivery unless its event id was seen before; says which. */
  async insert(row: Omit<InboxRow, 'status' | 'attempts' | 'lastError' | 'processedAt' | 'headers'> & { readonly headers?: InboxRow['headers'] }): Promise<{ inserted: boolean; id: string }> {
    this.sql.assertInTransaction('inbox insert');
    const result = await this.sql.run(
      INBOX_INSERT_SQL,
      [row.id, row.system, row.eventId, row.kind, row.entity, row.externalId, row.payload, row.receivedAt, headersJson(row.headers)],
    );
    if (result.changes === 1) return { inserted: true, id: row.id };
    const existing = await this.sql.value<string>(INBOX_EXISTING_SQL, [row.system, row.eventId]);
    // The conflicting row is visible here: SQLite has one writer, and PostgreSQL fails a SERIALIZABLE
    // insert whose conflicting row its snapshot cannot see (the store retries the unit of work).
    if (existing === undefined) throw new Error(`inbox insert: ${row.system} event ${row.eventId} neither inserted nor found`);
    return { inserted: false, id: existing };
  }

  async get(id: string): Promise<InboxRow | null> {
    const raw = await this.sql.get<RawInbox>('SELECT * FROM inbox WHERE id = ?', [id]);
    return raw ? toInbox(raw) : null;
  }

  async markProcessed(id: string, status: Exclude<InboxStatus, 'pending'>, error: string | null, now: string): Promise<void> {
    this.sql.assertInTransaction('inbox mark');
    await this.sql.run(`UPDATE inbox SET status = ?, last_error = ?, processed_at = ?, attempts = attempts + 1 WHERE id = ?`, [status, error, now, id]);
  }

  async recordAttempt(id: string, error: string): Promise<void> {
    this.sql.assertInTransaction('inbox attempt');
    await this.sql.run('UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE id = ?', [error.slice(0, 2000), id]);
  }

  async pending(limit: number): Promise<InboxRow[]> {
    const rows = await this.sql.all<RawInbox>(`SELECT * FROM inbox WHERE status = 'pending' ORDER BY received_at, id LIMIT ?`, [limit]);
    return rows.map(toInbox);
  }

  async list(q: InboxQuery): Promise<InboxRow[]> {
    const where = whereOf([['status = ?', q.status], ['system = ?', q.system], ['event_id = ?', q.eventId], ['id > ?', q.after], ['id < ?', q.before]]);
    const rows = await this.sql.all<RawInbox>(`SELECT * FROM inbox ${where.sql} ORDER BY id${q.newestFirst === true ? ' DESC' : ''} LIMIT ?`, [...where.params, q.limit]);
    return rows.map(toInbox);
  }

  /**
   * Sends failed or ignored deliveries back to `pending` (attempts reset), for the relay to process
   * again after a fix. A pending or done row is left alone. Returns how many changed.
   */
  async replay(ids: readonly string[]): Promise<number> {
    this.sql.assertInTransaction('inbox replay');
    if (ids.length === 0) return 0;
    return (await this.sql.run(this.replaySql, [JSON.stringify(ids)])).changes;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ status: string; n: number }>('SELECT status, count(*) AS n FROM inbox GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
