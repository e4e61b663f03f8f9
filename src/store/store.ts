import type { Keyring } from '../lib/secret-box.ts';
import type { Repos } from './repos/index.ts';
import type { InboxInsert, NewInboxRow } from './sqlite/inbox-writer.ts';
import type { SqlRunner } from './sql/runner.ts';

export interface UnitOfWorkOptions {
  /**
   * The commit acknowledges a webhook and must survive power loss, not only a crash (SQLite commits
   * it with `synchronous=FULL`; PostgreSQL commits are always durable).
   * @defaultValue false
   */
  durable?: boolean;
}

/** Durable inserts of webhook deliveries, settled once committed (the caller may acknowledge then). */
export interface InboxSink {
  insert(row: NewInboxRow): Promise<InboxInsert>;
}

/**
 * The store the hub runs on: repositories plus the unit of work, the same for the embedded SQLite
 * file and PostgreSQL. Repositories return Promises; every write happens in `unitOfWork`, which
 * commits all of it or none. Never call a vendor inside a unit of work.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Repositories for reads outside a unit of work (writes through them throw). */
  readonly repos: Repos;
  /** SQL for reads the repositories do not cover (the console's queries), in both dialects. */
  readonly query: SqlRunner;
  /** The ring connector state is sealed with; download links are signed with keys derived from it. */
  readonly keyring: Keyring | null;
  /** The directory beside the store for its files (document blobs); null for an in-memory store. */
  readonly filesDir: string | null;
  unitOfWork<T>(fn: (tx: Repos) => Promise<T>, options?: UnitOfWorkOptions): Promise<T>;
  /**
   * Called after each commit that created or added to outbox rows, with their ids: the runtime
   * queues their pushes at once instead of at the relay's next sweep. Synchronous and must not
   * throw (it runs after the commit, outside the unit of work); one listener per store.
   */
  onOutboxCommitted(listener: ((ids: readonly string[]) => void) | null): void;
  /** The group-committing inbox writer, or null when a durable unit of work per delivery is the way. */
  inboxWriter(): InboxSink | null;
  close(): void | Promise<void>;
}
