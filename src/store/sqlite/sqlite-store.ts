import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { dirname } from 'node:path';
import { AsyncMutex } from '../../lib/async-mutex.ts';
import type { Keyring } from '../../lib/secret-box.ts';
import { createRepos, type Repos } from '../repos/index.ts';
import * as schema from '../schema/index.ts';
import type { Store, UnitOfWorkOptions } from '../store.ts';
import { openDatabase, type OpenOptions, type SqliteDatabase } from './database.ts';
import { InboxWriter } from './inbox-writer.ts';
import { runMigrations } from './migrate.ts';
import { SqliteRunner } from './sqlite-runner.ts';
import { Statements } from './statements.ts';

/**
 * The embedded store: one SQLite file. A unit of work is `BEGIN IMMEDIATE … COMMIT` under an
 * in-process lock: drizzle's own transaction neither awaits an async callback nor rolls it back
 * (drizzle #2275, #1472). Other processes on the same host share the file through WAL and the
 * busy timeout; other hosts cannot (use PostgreSQL). Never call a vendor inside a unit of work.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  readonly repos: Repos;
  readonly query: SqliteRunner;
  readonly orm: BetterSQLite3Database<typeof schema>;
  private readonly statements: Statements;
  private readonly mutex = new AsyncMutex();
  private writer: InboxWriter | null = null;
  private outboxListener: ((ids: readonly string[]) => void) | null = null;

  private constructor(
    readonly db: SqliteDatabase,
    readonly path: string,
    readonly keyring: Keyring | null,
  ) {
    this.statements = new Statements(db);
    this.query = new SqliteRunner(this.statements);
    this.repos = createRepos(this.query, keyring);
    this.orm = drizzle(db, { schema });
  }

  /**
   * Opens the file and applies pending migrations. `keyring` seals connector state at rest; without
   * one the store opens, but connector state can neither be written nor its sealed values read
   * (the hub always passes one: see `resolveSecretKey`).
   */
  static open(path: string, options: OpenOptions & { migrate?: boolean; keyring?: Keyring } = {}): SqliteStore {
    const db = openDatabase(path, options);
    if (options.migrate ?? true) runMigrations(db);
    return new SqliteStore(db, path, options.keyring ?? null);
  }

  /** Prepared statements on this connection, for SQLite-only tools (CSV staging, benches, tests). */
  get sql(): Statements {
    return this.statements;
  }

  get filesDir(): string | null {
    return this.path === ':memory:' || this.path.startsWith('file:') || this.db.memory ? null : dirname(this.path);
  }

  async unitOfWork<T>(fn: (tx: Repos) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
    return this.mutex.run(async () => {
      const db = this.db;
      if (options.durable) db.pragma('synchronous = FULL');
      this.statements.get('BEGIN IMMEDIATE').run();
      this.repos.outbox.takeTouched();
      try {
        const result = await fn(this.repos);
        this.statements.get('COMMIT').run();
        const touched = this.repos.outbox.takeTouched();
        if (touched.length > 0) this.outboxListener?.(touched);
        return result;
      } catch (err) {
        if (db.inTransaction) this.statements.get('ROLLBACK').run();
        this.repos.outbox.takeTouched();
        throw err;
      } finally {
        if (options.durable) db.pragma('synchronous = NORMAL');
      }
    });
  }

  onOutboxCommitted(listener: ((ids: readonly string[]) => void) | null): void {
    this.outboxListener = listener;
  }

  /**
   * The durable inbox writer for webhook acknowledgements: group commits with `synchronous=FULL` on
   * a worker thread and its own connection to this file (decision 0010). Null for an in-memory
   * store, which no second connection can reach. Throws once the store is closed.
   */
  inboxWriter(): InboxWriter | null {
    if (!this.db.open) throw new TypeError('The database connection is not open');
    if (this.path === ':memory:' || this.db.memory) return null;
    this.writer ??= new InboxWriter({ path: this.path, busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number }); // cast: pragma(simple) returns the value untyped
    return this.writer;
  }

  close(): void {
    // The writer's batch in flight still commits (and is acknowledged); nothing new is taken.
    void this.writer?.close();
    this.writer = null;
    if (this.db.open) this.db.close();
  }
}
