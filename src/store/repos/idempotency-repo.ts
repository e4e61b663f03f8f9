import type { IdempotencyRow } from '../access-types.ts';
import type { SqlRunner } from '../sql/runner.ts';

// Runners hand rows back untyped; each is a plain object of column → value of this table,
// read through `as Raw` at the statement and mapped to the typed row by one function.
type Raw = Record<string, string | number | null>;

function toRow(r: Raw): IdempotencyRow {
  return {
    scopeKey: String(r['scope_key']),
    method: String(r['method']),
    path: String(r['path']),
    bodyHash: String(r['body_hash']),
    status: r['status'] === null || r['status'] === undefined ? null : Number(r['status']),
    responseBody: r['response_body'] === null || r['response_body'] === undefined ? null : String(r['response_body']),
    contentType: r['content_type'] === null || r['content_type'] === undefined ? null : String(r['content_type']),
    createdAt: String(r['created_at']),
  };
}

/** First answers of POSTs sent with an `Idempotency-Key`, replayed for a retry of the same request. */
export class IdempotencyRepo {
  constructor(private readonly sql: SqlRunner) {}

  async get(scopeKey: string): Promise<IdempotencyRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM idempotency_keys WHERE scope_key = ?', [scopeKey]);
    return r ? toRow(r) : null;
  }

  /**
   * Claims the key for a request about to run; false when another request holds it already. A
   * conflict is answered by the statement (DO NOTHING), never by catching an error: on PostgreSQL a
   * failed statement would abort the whole unit of work.
   */
  async claim(row: Pick<IdempotencyRow, 'scopeKey' | 'method' | 'path' | 'bodyHash' | 'createdAt'>): Promise<boolean> {
    this.sql.assertInTransaction('idempotency claim');
    const { changes } = await this.sql.run(
      'INSERT INTO idempotency_keys (scope_key, method, path, body_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope_key) DO NOTHING',
      [row.scopeKey, row.method, row.path, row.bodyHash, row.createdAt],
    );
    return changes > 0;
  }

  async complete(scopeKey: string, status: number, body: string, contentType: string | null): Promise<void> {
    this.sql.assertInTransaction('idempotency');
    await this.sql.run('UPDATE idempotency_keys SET status = ?, response_body = ?, content_type = ? WHERE scope_key = ?', [status, body, contentType, scopeKey]);
  }

  /** Frees a key whose request failed before answering (a 5xx): a retry may run it again. */
  async release(scopeKey: string): Promise<void> {
    this.sql.assertInTransaction('idempotency');
    await this.sql.run('DELETE FROM idempotency_keys WHERE scope_key = ?', [scopeKey]);
  }

  async purgeBefore(before: string): Promise<number> {
    this.sql.assertInTransaction('idempotency purge');
    return (await this.sql.run('DELETE FROM idempotency_keys WHERE created_at < ?', [before])).changes;
  }
}
