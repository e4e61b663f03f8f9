// The inbox writer's thread (see inbox-writer.ts). Plain JavaScript on purpose: a worker is started
// by Node itself, outside tsx and vitest's transforms, so it must not need a TypeScript loader.
// It owns its own connection with `synchronous=FULL` for every commit: this connection only ever
// writes inbox rows that are about to be acknowledged, so there is no pragma to
// flip around each unit of work.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ path: string; busyTimeoutMs: number; insertSql: string; existingSql: string }} */
const { path, busyTimeoutMs, insertSql, existingSql } = workerData;

/** @type {import('better-sqlite3').Database | null} */
let db = null;
/** @type {{ insert: import('better-sqlite3').Statement; existing: import('better-sqlite3').Statement; begin: import('better-sqlite3').Statement; commit: import('better-sqlite3').Statement; rollback: import('better-sqlite3').Statement } | null} */
let st = null;

function open() {
  const conn = new Database(path, { timeout: busyTimeoutMs });
  try {
    // WAL is a property of the file (the main connection set it); these two are per connection.
    conn.pragma('synchronous = FULL');
    conn.pragma('journal_size_limit = 67108864');
    st = {
      insert: conn.prepare(insertSql),
      existing: conn.prepare(existingSql).pluck(),
      begin: conn.prepare('BEGIN IMMEDIATE'),
      commit: conn.prepare('COMMIT'),
      rollback: conn.prepare('ROLLBACK'),
    };
    db = conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

/**
 * One batch, one transaction, one fsync. A row is
 * [id, system, eventId, kind, entity, externalId, payload, receivedAt, headers (JSON or null)]; the answer per row is the
 * inbox id it lives under: its own when inserted, the earlier delivery's when a duplicate.
 * @param {Array<[string, string, string, string, string | null, string | null, string, string, string | null]>} rows
 */
function commitBatch(rows) {
  if (!db || !st) open();
  const s = /** @type {NonNullable<typeof st>} */ (st);
  const conn = /** @type {NonNullable<typeof db>} */ (db);
  s.begin.run();
  try {
    const ids = new Array(rows.length);
    const inserted = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (s.insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]).changes === 1) {
        ids[i] = r[0];
        inserted[i] = true;
      } else {
        ids[i] = s.existing.get(r[1], r[2]);
        inserted[i] = false;
      }
    }
    s.commit.run();
    return { ids, inserted };
  } catch (err) {
    if (conn.inTransaction) s.rollback.run();
    throw err;
  }
}

parentPort?.on('message', (/** @type {{ close: true } | { rows: Parameters<typeof commitBatch>[0] }} */ msg) => {
  if ('close' in msg) {
    if (db?.open) db.close();
    parentPort?.close();
    return;
  }
  try {
    parentPort?.postMessage(commitBatch(msg.rows));
  } catch (err) {
    const e = /** @type {{ message?: unknown; code?: unknown }} */ (err ?? {});
    parentPort?.postMessage({ error: { message: String(e.message ?? err), code: typeof e.code === 'string' ? e.code : null } });
  }
});
