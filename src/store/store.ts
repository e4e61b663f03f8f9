import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { AsyncMutex } from '../lib/async-mutex.ts';
import type { Keyring } from '../lib/secret-box.ts';
import { AccessRepo } from './sqlite/access-repo.ts';
import { AuditRepo } from './sqlite/audit-repo.ts';
import { CanonicalRepo } from './sqlite/canonical-repo.ts';
import { CommentsRepo } from './sqlite/comments-repo.ts';
import { DocumentsRepo } from './sqlite/documents-repo.ts';
import { ConflictsRepo } from './sqlite/conflicts-repo.ts';
import { CursorsRepo } from './sqlite/cursors-repo.ts';
import { EventsRepo } from './sqlite/events-repo.ts';
import { openDatabase, type OpenOptions, type SqliteDatabase } from './sqlite/database.ts';
import { IdempotencyRepo } from './sqlite/idempotency-repo.ts';
import { IdentityRepo } from './sqlite/identity-repo.ts';
import { ImportsRepo } from './sqlite/imports-repo.ts';
import { InboxRepo } from './sqlite/inbox-repo.ts';
import { InboxWriter } from './sqlite/inbox-writer.ts';
import { InvoicingRepo } from './sqlite/invoicing-repo.ts';
import { LedgerRepo } from './sqlite/ledger-repo.ts';
import { LinksRepo } from './sqlite/links-repo.ts';
import { NotificationsRepo } from './sqlite/notifications-repo.ts';
import { runMigrations } from './sqlite/migrate.ts';
import { OutboxRepo } from './sqlite/outbox-repo.ts';
import { ReconcileRepo } from './sqlite/reconcile-repo.ts';
import { RequisitionRequestsRepo } from './sqlite/requisition-requests-repo.ts';
import { RunsRepo } from './sqlite/runs-repo.ts';
import { SlotsRepo } from './sqlite/slots-repo.ts';
import { StateRepo } from './sqlite/state-repo.ts';
import { TimeRepo } from './sqlite/time-repo.ts';
import { Statements } from './sqlite/statements.ts';
import * as schema from './schema/index.ts';

/** Every repository, bound to one connection. Inside a unit of work, they share its transaction. */
export interface Repos {
  readonly canonical: CanonicalRepo;
  readonly links: LinksRepo;
  readonly ledger: LedgerRepo;
  readonly conflicts: ConflictsRepo;
  readonly outbox: OutboxRepo;
  readonly inbox: InboxRepo;
  readonly runs: RunsRepo;
  readonly cursors: CursorsRepo;
  readonly slots: SlotsRepo;
  readonly state: StateRepo;
  readonly reconcile: ReconcileRepo;
  /** CSV imports and exports: file identity, progress, row errors, and their bulk reads. */
  readonly imports: ImportsRepo;
  /** Ops users, grants, API keys, sessions, magic links. */
  readonly access: AccessRepo;
  /** The append-only access audit. */
  readonly audit: AuditRepo;
  readonly idempotency: IdempotencyRepo;
  /** The identity review queue: parked external records and ops' answers. */
  readonly identity: IdentityRepo;
  /** Portal events, appended with the change they report (model/events.ts). */
  readonly events: EventsRepo;
  /** Notification rules, preferences, subscriptions, templates, approval links and deliveries. */
  readonly notifications: NotificationsRepo;
  /** Document versions and spent single-use download links. */
  readonly documents: DocumentsRepo;
  /** Comments on records, with their revisions. */
  readonly comments: CommentsRepo;
  /** Invoices drafted from approved time: billable time, rate cards, line ↔ time entry links. */
  readonly invoicing: InvoicingRepo;
  /** Requisition requests (draft → open), their history and the clients' request templates. */
  readonly requisitionRequests: RequisitionRequestsRepo;
  readonly time: TimeRepo;
}

export interface UnitOfWorkOptions {
  /**
   * Commit with `synchronous=FULL`: for the commit that acknowledges a webhook, which must survive
   * power loss, not only a crash.
   * @defaultValue false
   */
  durable?: boolean;
}

/**
 * The store: repositories plus the unit of work. Repositories return Promises and writes happen in
 * `unitOfWork`, the seam for a later Postgres store. On better-sqlite3 a unit of work is
 * `BEGIN IMMEDIATE … COMMIT` under an in-process lock: drizzle's own transaction neither awaits an
 * async callback nor rolls it back (drizzle #2275, #1472). Never call a vendor inside one.
 */
export class Store {
  readonly repos: Repos;
  readonly orm: BetterSQLite3Database<typeof schema>;
  private readonly statements: Statements;
  private readonly mutex = new AsyncMutex();
  private writer: InboxWriter | null = null;
  private outboxListener: ((ids: readonly string[]) => void) | null = null;

  private constructor(
    readonly db: SqliteDatabase,
    readonly path: string,
    /** The ring connector state is sealed with; download links are signed with keys derived from it. */
    readonly keyring: Keyring | null,
  ) {
    this.statements = new Statements(db);
    const s = this.statements;
    this.repos = {
      canonical: new CanonicalRepo(s),
      links: new LinksRepo(s),
      ledger: new LedgerRepo(s),
      conflicts: new ConflictsRepo(s),
      outbox: new OutboxRepo(s),
      inbox: new InboxRepo(s),
      runs: new RunsRepo(s),
      cursors: new CursorsRepo(s),
      slots: new SlotsRepo(s),
      state: new StateRepo(s, keyring),
      reconcile: new ReconcileRepo(s),
      imports: new ImportsRepo(s),
      access: new AccessRepo(s),
      audit: new AuditRepo(s),
      idempotency: new IdempotencyRepo(s),
      identity: new IdentityRepo(s),
      events: new EventsRepo(s),
      notifications: new NotificationsRepo(s, keyring),
      documents: new DocumentsRepo(s),
      comments: new CommentsRepo(s),
      invoicing: new InvoicingRepo(s),
      requisitionRequests: new RequisitionRequestsRepo(s),
      time: new TimeRepo(s),
    };
    this.orm = drizzle(db, { schema });
  }

  /**
   * Opens the file and applies pending migrations. `keyring` seals connector state at rest; without
   * one the store opens, but connector state can neither be written nor its sealed values read
   * (the hub always passes one: see `resolveSecretKey`).
   */
  static open(path: string, options: OpenOptions & { migrate?: boolean; keyring?: Keyring } = {}): Store {
    const db = openDatabase(path, options);
    if (options.migrate ?? true) runMigrations(db);
    return new Store(db, path, options.keyring ?? null);
  }

  /** Prepared statements on this connection, for stores that extend the schema (staging, imports). */
  get sql(): Statements {
    return this.statements;
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

  /**
   * Called after each commit that created or added to outbox rows, with their ids: the runtime
   * queues their pushes at once instead of at the relay's next sweep. Synchronous and must not
   * throw (it runs after the commit, outside the unit of work); one listener per store.
   */
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
    this.writer ??= new InboxWriter({ path: this.path, busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number });
    return this.writer;
  }

  close(): void {
    // The writer's batch in flight still commits (and is acknowledged); nothing new is taken.
    void this.writer?.close();
    this.writer = null;
    if (this.db.open) this.db.close();
  }
}
