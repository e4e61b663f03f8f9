import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /**
   * Page cache in MiB. Large imports and reconciliations stay flat in memory because SQLite, not
   * JavaScript, holds the working set.
   * @defaultValue 64
   */
  cacheMiB?: number;
  /**
   * How long a writer waits for another process's transaction before SQLITE_BUSY.
   * @defaultValue 10000
   */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens the store's SQLite file in WAL mode with foreign keys enforced and a busy timeout, so the
 * API, workers and CLI can share one file on one host.
 */
export function openDatabase(path: string, options: OpenOptions = {}): SqliteDatabase {
  if (path !== ':memory:' && !path.startsWith('file:')) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!options.readonly) ownerOnly(path);
  }
  const db = new Database(path, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 10_000 });
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode loses no committed transaction on a process crash, only on power loss;
  // commits that acknowledge a webhook switch to FULL (see Store.unitOfWork's `durable`).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  db.pragma(`cache_size = -${(options.cacheMiB ?? 64) * 1024}`);
  db.pragma('temp_store = MEMORY');
  // Keep the WAL from growing without bound between checkpoints under a steady write load.
  db.pragma('journal_size_limit = 67108864');
  return db;
}

/**
 * The store holds client data and sealed connector secrets: its file is created 0600 before SQLite
 * opens it, and an existing one (or its -wal/-shm left by an older version) is narrowed to 0600.
 * SQLite creates -wal and -shm with the main file's permissions, so they follow. A file this user
 * does not own cannot be narrowed (EPERM): it is left as its owner set it.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // cast: fs errors carry an errno code
      throw err;
    }
    if ((mode & 0o077) === 0) continue;
    try {
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err; // cast: fs errors carry an errno code
    }
  }
}
