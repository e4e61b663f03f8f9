import type pg from 'pg';
import { postgresDialect } from '../sql/dialect.ts';
import type { RunResult, SqlParam, SqlRunner } from '../sql/runner.ts';
import { numberPlaceholders } from './placeholders.ts';

/** A pool (each query on any free connection) or one checked-out connection (a transaction). */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * The runner over node-postgres. Statements are named, so each connection parses and plans a text
 * once (node-postgres prepares a named statement on first use per connection). `gate` is awaited
 * before the first query: a pool-level runner waits for the store's migrations.
 */
export class PgRunner implements SqlRunner {
  readonly dialect = postgresDialect;
  private static readonly names = new Map<string, string>();

  constructor(
    private readonly target: Queryable,
    private readonly inTransaction: boolean,
    private gate: Promise<void> | null = null,
  ) {}

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.exec(sql, params)).rows as T[]; // cast: the caller states the row shape its SQL selects
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.exec(sql, params)).rows[0] as T | undefined; // cast: as above
  }

  async arrays<T extends readonly unknown[]>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.exec(sql, params, 'array')).rows as T[]; // cast: array mode returns each row as an array; the caller states the column types
  }

  async column<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const result = await this.exec(sql, params, 'array');
    return result.rows.map((row) => (row as unknown[])[0] as T); // cast: array mode returns each row as an array; the caller states the column type
  }

  async value<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    const result = await this.exec(sql, params, 'array');
    const row = result.rows[0] as unknown[] | undefined; // cast: as above
    return row === undefined ? undefined : (row[0] as T); // cast: as above
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return { changes: (await this.exec(sql, params)).rowCount ?? 0 };
  }

  assertInTransaction(what: string): void {
    if (!this.inTransaction) throw new Error(`${what} must run inside store.unitOfWork()`);
  }

  private async exec(sql: string, params: readonly SqlParam[], rowMode?: 'array'): Promise<pg.QueryResult> {
    if (this.gate) {
      await this.gate;
      this.gate = null;
    }
    const text = numberPlaceholders(sql);
    const values = params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
    const name = PgRunner.nameOf(text, rowMode);
    return this.target.query({ text, values, ...(name !== undefined && { name }), ...(rowMode && { rowMode }) });
  }

  /** One statement name per (text, row mode): a name prepared in one mode answers in that mode. */
  private static nameOf(text: string, rowMode: 'array' | undefined): string | undefined {
    const key = rowMode ? `a:${text}` : text;
    let name = PgRunner.names.get(key);
    // SQL built per call (listing filters, inlined limits) would prepare without end: past the cap,
    // new texts run unnamed (parsed each time) instead.
    if (name === undefined && PgRunner.names.size >= 5_000) return undefined;
    if (name === undefined) {
      name = `cw${PgRunner.names.size + 1}`;
      PgRunner.names.set(key, name);
    }
    return name;
  }
}
