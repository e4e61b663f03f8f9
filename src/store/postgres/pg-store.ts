import pg from 'pg';
import type { Keyring } from '../../lib/secret-box.ts';
import { createRepos, type Repos } from '../repos/index.ts';
import type { Store, UnitOfWorkOptions } from '../store.ts';
import { runPgMigrations } from './migrate.ts';
import { PgRunner } from './pg-runner.ts';

export interface PgStoreOptions {
  readonly keyring?: Keyring;
  /** Where document blobs live (every host must see the same directory). Null: no blob store. */
  readonly filesDir?: string | null;
  /** The schema the tables live in (tests give each file its own). @defaultValue the server's search_path */
  readonly schema?: string;
  /** @defaultValue 10 */
  readonly poolSize?: number;
  /** Apply pending migrations on open (under the advisory lock). @defaultValue true */
  readonly migrate?: boolean;
  /** Attempts of a unit of work that fails to serialise (SQLSTATE 40001, 40P01). @defaultValue 8 */
  readonly maxAttempts?: number;
}

/** SQLSTATEs after which a unit of work is safely run again from the start: nothing of it committed. */
const RETRYABLE = new Set(['40001', '40P01']);

/** int8 (counts, bigint columns) and numeric (sums of them) as numbers: cents and counts stay below 2^53. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown; // cast: the pool only asks for text format, whose parsers take a string
  }) as pg.CustomTypesConfig['getTypeParser'], // cast: pg's overloads cannot be restated as one signature
};

/**
 * The store on PostgreSQL, for the hub on many hosts (decision 0024). A unit of work is one
 * transaction at SERIALIZABLE on one pooled connection: the engine's read-merge-write of a batch,
 * outbox and inbox claims and every other unit cannot lose an update to a concurrent one on another
 * host; a unit that fails to serialise is rolled back and run again from the start, so a unit of
 * work must not change anything outside the store before it commits (the same rule as SQLite's
 * "never call a vendor inside one").
 */
export class PgStore implements Store {
  readonly dialect = 'postgres';
  readonly repos: Repos;
  readonly query: PgRunner;
  readonly filesDir: string | null;
  readonly keyring: Keyring | null;
  /** Settles when migrations are applied; every query waits for it. */
  readonly ready: Promise<void>;
  private outboxListener: ((ids: readonly string[]) => void) | null = null;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    private readonly options: PgStoreOptions,
  ) {
    this.keyring = options.keyring ?? null;
    this.filesDir = options.filesDir ?? null;
    const schemaReady = options.schema === undefined ? Promise.resolve() : pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).then(() => undefined);
    this.ready = options.migrate === false ? schemaReady : schemaReady.then(() => runPgMigrations(pool)).then(() => undefined);
    // A failed migration rejects every query with its error; it must not also be an unhandled rejection.
    this.ready.catch(() => undefined);
    this.query = new PgRunner(pool, false, this.ready);
    this.repos = createRepos(this.query, this.keyring);
  }

  /**
   * `url` may name the schema as `?schema=name` (created when missing): one server can then hold
   * several hubs, or a demo beside real data.
   */
  static open(url: string, options: PgStoreOptions = {}): PgStore {
    const { connectionString, schema: urlSchema } = splitSchema(url);
    const schema = options.schema ?? urlSchema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`PostgreSQL schema "${schema}": use lower-case letters, digits and _`);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      types: TYPES,
      ...(schema !== undefined && { options: `-c search_path=${schema}` }),
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    return new PgStore(pool, { ...options, ...(schema !== undefined && { schema }) });
  }

  async unitOfWork<T>(fn: (tx: Repos) => Promise<T>, _options: UnitOfWorkOptions = {}): Promise<T> {
    // `durable` needs nothing here: a PostgreSQL commit is flushed to the WAL before it returns.
    await this.ready;
    const maxAttempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const repos = createRepos(new PgRunner(client, true), this.keyring);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await fn(repos);
        await client.query('COMMIT');
        const touched = repos.outbox.takeTouched();
        if (touched.length > 0) this.outboxListener?.(touched);
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // cast: pg throws Error instances; the connection is discarded
        }
        const code = (err as { code?: unknown }).code; // cast: pg's DatabaseError carries the SQLSTATE as `code`
        if (typeof code === 'string' && RETRYABLE.has(code) && attempt < maxAttempts) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  onOutboxCommitted(listener: ((ids: readonly string[]) => void) | null): void {
    this.outboxListener = listener;
  }

  /** No group-committing writer: each delivery is its own (always durable) transaction. */
  inboxWriter(): null {
    if (this.closed) throw new TypeError('The database connection is not open');
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** `?schema=` is ours, not libpq's: taken off the URL before the driver sees it. */
export function splitSchema(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { connectionString: url };
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** The URL without its password, for logs and the demo's banner. */
export function describePgUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
