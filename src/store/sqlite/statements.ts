import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.ts';

/** Prepares each SQL text once per connection: hot paths never re-parse a statement. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(readonly db: SqliteDatabase) {}

  get(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  /** Throws when a write is attempted outside a unit of work: every write must be part of one. */
  assertInTransaction(what: string): void {
    if (!this.db.inTransaction) throw new Error(`${what} must run inside store.unitOfWork()`);
  }
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * A `WHERE` clause from optional filters: each `[sql, value]` whose value is defined adds
 * `sql` (with one `?`) and its parameter. The listing queries of the sync tables all take this shape.
 */
export function whereOf(filters: ReadonlyArray<readonly [string, string | number | undefined]>): { sql: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  for (const [clause, value] of filters) {
    if (value === undefined) continue;
    clauses.push(clause);
    params.push(value);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
