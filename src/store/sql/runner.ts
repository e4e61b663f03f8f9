import type { Dialect } from './dialect.ts';

/** A value a statement parameter may take in both dialects. Booleans are stored as 0/1. */
export type SqlParam = string | number | bigint | null | Buffer;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  readonly changes: number;
}

/**
 * One connection's (or one transaction's) way to run SQL, the same shape in SQLite and PostgreSQL.
 * Repositories are written once against this: placeholders are `?` in both dialects (the
 * PostgreSQL runner numbers them), and what differs between the dialects comes from `dialect`.
 *
 * Row types are the caller's promise: a runner cannot check that `SELECT a, b` returns `{ a, b }`.
 * Column aliases in camelCase must be double-quoted (`AS "canonicalId"`): PostgreSQL folds
 * unquoted names to lower case.
 */
export interface SqlRunner {
  readonly dialect: Dialect;
  /** Every row. */
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /**
   * Every row as an array of its columns in select order, without building an object per row
   * (bulk reads: an export page, a hash-guard lookup; about half the read cost in SQLite).
   */
  arrays<T extends readonly unknown[]>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first column of every row. */
  column<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first column of the first row, or undefined when there is no row. */
  value<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** A statement whose rows are not read (INSERT, UPDATE, DELETE without RETURNING). */
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  /** Throws when a write is attempted outside a unit of work: every write must be part of one. */
  assertInTransaction(what: string): void;
}
