import { sqliteDialect } from '../sql/dialect.ts';
import type { RunResult, SqlParam, SqlRunner } from '../sql/runner.ts';
import type { Statements } from './statements.ts';

/**
 * The runner over better-sqlite3: each statement is prepared once per connection (Statements) and
 * runs synchronously; the Promise only gives it the shape PostgreSQL needs. One connection, so the
 * same runner serves inside and outside a unit of work (SqliteStore serialises units in-process).
 */
export class SqliteRunner implements SqlRunner {
  readonly dialect = sqliteDialect;
  constructor(readonly statements: Statements) {}

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return Promise.resolve(this.rows(sql).all(...params) as T[]); // cast: the caller states the row shape its SQL selects
  }

  get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return Promise.resolve(this.rows(sql).get(...params) as T | undefined); // cast: as above
  }

  arrays<T extends readonly unknown[]>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return Promise.resolve(this.statements.get(sql).raw(true).all(...params) as T[]); // cast: as above
  }

  column<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return Promise.resolve(this.statements.get(sql).pluck(true).all(...params) as T[]); // cast: as above
  }

  value<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return Promise.resolve(this.statements.get(sql).pluck(true).get(...params) as T | undefined); // cast: as above
  }

  /** Pluck and raw modes stick to a prepared statement, and the cache shares statements by text. */
  private rows(sql: string): ReturnType<Statements['get']> {
    return this.statements.get(sql).raw(false).pluck(false);
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return Promise.resolve({ changes: this.statements.get(sql).run(...params).changes });
  }

  assertInTransaction(what: string): void {
    this.statements.assertInTransaction(what);
  }
}
