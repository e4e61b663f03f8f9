import { sqliteDialect } from '../sql/dialect.ts';
import type { RunResult, SqlParam, SqlRunner } from '../sql/runner.ts';
import type { Statements } from './statements.ts';

/**
 * The runner over better-sqlite3: each statement is prepared once per connection (Statements) and
 * runs synchronously; the methods are async so a refused statement is a rejected Promise, as on PostgreSQL. One connection, so the
 * same runner serves inside and outside a unit of work (SqliteStore serialises units in-process).
 */
export class SqliteRunner implements SqlRunner {
  readonly dialect = sqliteDialect;
  constructor(readonly statements: Statements) {}

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.rows(sql).all(...params) as T[]; // cast: the caller states the row shape its SQL selects
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return this.rows(sql).get(...params) as T | undefined; // cast: as above
  }

  async arrays<T extends readonly unknown[]>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.statements.get(sql).raw(true).all(...params) as T[]; // cast: as above
  }

  async column<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.statements.get(sql).pluck(true).all(...params) as T[]; // cast: as above
  }

  async value<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return this.statements.get(sql).pluck(true).get(...params) as T | undefined; // cast: as above
  }

  /** Pluck and raw modes stick to a prepared statement, and the cache shares statements by text. */
  private rows(sql: string): ReturnType<Statements['get']> {
    return this.statements.get(sql).raw(false).pluck(false);
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return { changes: this.statements.get(sql).run(...params).changes };
  }

  assertInTransaction(what: string): void {
    this.statements.assertInTransaction(what);
  }
}
