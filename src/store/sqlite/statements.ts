import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.ts';

/** Prepares each SQL text once per connection: hot paths never re-parse a statement (G12). */
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
