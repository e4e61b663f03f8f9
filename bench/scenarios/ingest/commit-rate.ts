import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * Single-row autocommit inserts per second with WAL + `synchronous=FULL` on this machine's temp
 * disk: the ceiling of any route that commits one durable row per request, as the webhook route
 * does (about 4.5 k/s measured on a two-core machine). Printed next to the hub's rate to explain it.
 */
export function fullCommitRate(commits = 200): number {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-fsync-'));
  try {
    const db = new Database(join(dir, 'fsync.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (payload) VALUES (?)');
    const payload = 'x'.repeat(250);
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) insert.run(payload);
    const rate = commits / ((performance.now() - t0) / 1000);
    db.close();
    return rate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
