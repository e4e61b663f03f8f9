import type { IdempotencyRow } from '../access-types.ts';
import type { Statements } from '../sqlite/statements.ts';

// better-sqlite3 hands rows back untyped; each is a plain object of column → value of this table,
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
  constructor(private readonly s: Statements) {}

  async get(scopeKey: string): Promise<IdempotencyRow | null> {
    const r = this.s.get('SELECT * FROM idempotency_keys WHERE scope_key = ?').get(scopeKey) as Raw | undefined;
    return r ? toRow(r) : null;
  }

  /** Claims the key for a request about to run; false when another request holds it already. */
  async claim(row: Pick<IdempotencyRow, 'scopeKey' | 'method' | 'path' | 'bodyHash' | 'createdAt'>): Promise<boolean> {
    this.s.assertInTransaction('idempotency claim');
    return (
      this.s
        .get('INSERT INTO idempotency_keys (scope_key, method, path, body_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope_key) DO NOTHING')
        .run(row.scopeKey, row.method, row.path, row.bodyHash, row.createdAt).changes > 0
    );
  }

  async complete(scopeKey: string, status: number, body: string, contentType: string | null): Promise<void> {
    this.s.assertInTransaction('idempotency');
    this.s.get('UPDATE idempotency_keys SET status = ?, response_body = ?, content_type = ? WHERE scope_key = ?').run(status, body, contentType, scopeKey);
  }

  /** Frees a key whose request failed before answering (a 5xx): a retry may run it again. */
  async release(scopeKey: string): Promise<void> {
    this.s.assertInTransaction('idempotency');
    this.s.get('DELETE FROM idempotency_keys WHERE scope_key = ?').run(scopeKey);
  }

  async purgeBefore(before: string): Promise<number> {
    this.s.assertInTransaction('idempotency purge');
    return this.s.get('DELETE FROM idempotency_keys WHERE created_at < ?').run(before).changes;
  }
}
