import type { EntityName } from '../../model/index.ts';
import { newId } from '../../lib/ids.ts';
import type { OutboxRequest, OutboxRow, OutboxStatus } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { whereOf } from '../sqlite/statements.ts';

interface RawOutbox {
  id: string;
  system: string;
  entity: string;
  canonical_id: string;
  op: string;
  fields: string;
  reason: string;
  status: string;
  attempts: number;
  last_error: string | null;
  idempotency_key: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  next_attempt_at: string | null;
  waiting_on: string | null;
  done_at: string | null;
}

function toOutbox(raw: RawOutbox): OutboxRow {
  return {
    id: raw.id,
    system: raw.system,
    entity: raw.entity as EntityName,
    canonicalId: raw.canonical_id,
    op: raw.op as OutboxRow['op'],
    fields: JSON.parse(raw.fields) as string[],
    reason: raw.reason,
    status: raw.status as OutboxStatus,
    attempts: raw.attempts,
    lastError: raw.last_error,
    idempotencyKey: raw.idempotency_key,
    externalId: raw.external_id,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    nextAttemptAt: raw.next_attempt_at,
    waitingOn: raw.waiting_on,
    doneAt: raw.done_at,
  };
}

export interface OutboxQuery {
  status?: OutboxStatus;
  system?: string;
  entity?: EntityName;
  canonicalId?: string;
  after?: string;
  limit: number;
}

/** What one pending row will carry once a batch of requests has been folded into it. */
interface Pending {
  id: string;
  readonly system: string;
  readonly entity: string;
  readonly canonicalId: string;
  op: string;
  fields: string[];
  reason: string;
}

/** The most a merged reason keeps, in characters (what `substr(…, 1, 500)` kept). */
const REASON_MAX = 500;

/**
 * Folds one more request into a pending row: fields are unioned (sorted), a pending create stays a
 * create, and a reason already contained is not repeated.
 */
function fold(into: Pending, r: OutboxRequest): void {
  into.fields = [...new Set([...into.fields, ...r.fields])].sort();
  into.op = into.op === 'create' ? 'create' : r.op;
  if (!into.reason.includes(r.reason)) {
    const joined = `${into.reason}; ${r.reason}`;
    // Characters, not UTF-16 units, as SQL's substr counts them.
    into.reason = joined.length <= REASON_MAX ? joined : Array.from(joined).slice(0, REASON_MAX).join('');
  }
}

function keyOf(system: string, entity: string, canonicalId: string): string {
  return JSON.stringify([system, entity, canonicalId]);
}

/** Records per enqueue statement. */
const BATCH = 1_000;

/**
 * Pushes waiting to reach a system. Changes to one record coalesce into its single pending row
 * (fields are unioned; a pending create stays a create); the push reads current values when it runs.
 */
export class OutboxRepo {
  /** Rows the current unit of work created or added to; the store hands them on at commit. */
  private touched: string[] = [];
  private readonly q: {
    readonly dueAmong: string;
    readonly pendingOf: string;
    readonly upsert: string;
    readonly claim: string;
  };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    const at = (i: number) => d.jsonAt('r', i);
    this.q = {
      dueAmong: `SELECT * FROM outbox WHERE id IN ${d.textList('?')} AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id`,
      // CROSS JOIN keeps SQLite's loop on the requested records, each found through `outbox_pending`
      // (an IN list lets it scan every pending row instead); PostgreSQL plans the join itself.
      pendingOf: `SELECT o.id, o.system, o.entity, o.canonical_id, o.op, o.fields, o.reason FROM ${d.jsonRows('?', 'r')} CROSS JOIN outbox AS o
        WHERE o.status = 'pending' AND o.system = ${at(0)} AND o.entity = ${at(1)} AND o.canonical_id = ${at(2)}`,
      // Rows arrive merged (one per record, see enqueueMany), so the update only writes what was folded.
      upsert: `INSERT INTO outbox (id, system, entity, canonical_id, op, fields, reason, status, attempts, idempotency_key,
          created_at, updated_at)
        SELECT ${at(0)}, ${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)}, ${at(6)}, 'pending', 0, ${at(0)}, ${at(7)}, ${at(7)}
        FROM ${d.jsonRows('?', 'r')} WHERE true
        ON CONFLICT (system, entity, canonical_id) WHERE status = 'pending' DO UPDATE SET
          fields = excluded.fields, op = excluded.op, reason = excluded.reason, updated_at = excluded.updated_at
        RETURNING id, system, entity, canonical_id`,
      // The row is locked as it is taken: on PostgreSQL a second worker skips it (and gets null)
      // instead of waiting for the first to commit.
      claim: `UPDATE outbox SET status = 'processing', attempts = attempts + 1, updated_at = ?
        WHERE id IN (SELECT id FROM outbox WHERE id = ? AND (status = 'pending' OR (status = 'processing' AND updated_at < ?)) ${d.forUpdateSkipLocked})
        RETURNING *`,
    };
  }

  /** The rows touched since the last call (see `Store.onOutboxCommitted`), and forgets them. */
  takeTouched(): string[] {
    const ids = this.touched;
    this.touched = [];
    return ids;
  }

  /** Of these rows, the ones due for a push now (pending, not waiting out a backoff). */
  async dueAmong(ids: readonly string[], now: string): Promise<OutboxRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<RawOutbox>(this.q.dueAmong, [JSON.stringify([...new Set(ids)]), now]);
    return rows.map(toOutbox);
  }

  /**
   * Returns the ids of the pending rows that now carry these requests (one per request, in order).
   * Requests for one record are folded together with its pending row, if any, in JavaScript, and
   * written in one statement per batch of records.
   */
  async enqueueMany(requests: readonly OutboxRequest[], now: string): Promise<string[]> {
    if (requests.length === 0) return [];
    this.sql.assertInTransaction('outbox enqueue');
    const keys = requests.map((r) => keyOf(r.system, r.entity, r.canonicalId));
    const byKey = new Map<string, Pending | null>();
    for (const k of keys) byKey.set(k, null);
    const distinct = [...byKey.keys()];
    for (let i = 0; i < distinct.length; i += BATCH) {
      const existing = await this.sql.all<{ id: string; system: string; entity: string; canonical_id: string; op: string; fields: string; reason: string }>(
        this.q.pendingOf,
        [`[${distinct.slice(i, i + BATCH).join(',')}]`],
      );
      for (const e of existing) {
        byKey.set(keyOf(e.system, e.entity, e.canonical_id), {
          id: e.id, system: e.system, entity: e.entity, canonicalId: e.canonical_id, op: e.op, fields: JSON.parse(e.fields) as string[], reason: e.reason,
        });
      }
    }
    requests.forEach((r, i) => {
      const key = keys[i] as string; // cast: one key per request
      const pending = byKey.get(key);
      if (pending) fold(pending, r);
      else byKey.set(key, { id: newId(), system: r.system, entity: r.entity, canonicalId: r.canonicalId, op: r.op, fields: [...new Set(r.fields)].sort(), reason: r.reason });
    });
    const idOf = new Map<string, string>();
    const merged = [...byKey.values()].filter((p): p is Pending => p !== null);
    for (let i = 0; i < merged.length; i += BATCH) {
      const rows = merged.slice(i, i + BATCH).map((p) => [p.id, p.system, p.entity, p.canonicalId, p.op, JSON.stringify(p.fields), p.reason, now]);
      const written = await this.sql.all<{ id: string; system: string; entity: string; canonical_id: string }>(this.q.upsert, [JSON.stringify(rows)]);
      for (const w of written) idOf.set(keyOf(w.system, w.entity, w.canonical_id), w.id);
    }
    const ids = keys.map((k) => {
      const id = idOf.get(k);
      if (id === undefined) throw new Error('outbox enqueue: a request has no pending row after the upsert');
      return id;
    });
    this.touched.push(...ids);
    return ids;
  }

  async get(id: string): Promise<OutboxRow | null> {
    const raw = await this.sql.get<RawOutbox>('SELECT * FROM outbox WHERE id = ?', [id]);
    return raw ? toOutbox(raw) : null;
  }

  /**
   * Takes a pending row for a push attempt. Returns null when another worker has it or it is
   * finished, so a job delivered twice pushes once.
   */
  async claim(id: string, now: string): Promise<OutboxRow | null> {
    this.sql.assertInTransaction('outbox claim');
    // A row left `processing` by a worker that died is taken again after five minutes.
    const raw = await this.sql.get<RawOutbox>(this.q.claim, [now, id, new Date(Date.parse(now) - 5 * 60_000).toISOString()]);
    return raw ? toOutbox(raw) : null;
  }

  async markDone(id: string, externalId: string | null, now: string): Promise<void> {
    this.sql.assertInTransaction('outbox done');
    await this.sql.run(
      `UPDATE outbox SET status = 'done', external_id = coalesce(?, external_id), last_error = NULL, done_at = ?, updated_at = ? WHERE id = ?`,
      [externalId, now, now, id],
    );
  }

  /** Back to pending for a retry at `nextAttemptAt`, or parked as failed for ops. */
  async markAttemptFailed(id: string, error: string, park: boolean, nextAttemptAt: string | null, now: string): Promise<void> {
    this.sql.assertInTransaction('outbox failure');
    // A newer pending row for the same record may exist (changes made during the push); keep it
    // and retire this one into it so the unique pending index holds.
    const row = await this.sql.get<RawOutbox>('SELECT * FROM outbox WHERE id = ?', [id]);
    if (!row) return;
    if (!park) {
      const other = await this.sql.value<string>(
        `SELECT id FROM outbox WHERE system = ? AND entity = ? AND canonical_id = ? AND status = 'pending' AND id <> ?`,
        [row.system, row.entity, row.canonical_id, id],
      );
      if (other !== undefined) {
        await this.enqueueMany([{ system: row.system, entity: row.entity as EntityName, canonicalId: row.canonical_id, op: row.op as OutboxRow['op'], fields: JSON.parse(row.fields) as string[], reason: row.reason }], now);
        await this.sql.run(`UPDATE outbox SET status = 'done', last_error = ?, done_at = ?, updated_at = ? WHERE id = ?`, [`merged into ${other}: ${error}`, now, now, id]);
        return;
      }
    }
    await this.sql.run(
      `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
      [park ? 'failed' : 'pending', error.slice(0, 2000), nextAttemptAt, now, id],
    );
  }

  /**
   * Sets a claimed row aside until a record it needs exists in the target system: pending again,
   * due at `nextAttemptAt` at the latest, and woken as soon as that record's own push lands.
   */
  async defer(id: string, waitingOn: string, reason: string, nextAttemptAt: string, now: string): Promise<void> {
    this.sql.assertInTransaction('outbox defer');
    await this.sql.run(
      `UPDATE outbox SET status = 'pending', waiting_on = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'processing'`,
      [waitingOn, reason.slice(0, 2000), nextAttemptAt, now, id],
    );
  }

  /** Rows of this system waiting on a record that has just been pushed: due now. Returns them. */
  async wake(system: string, waitingOn: string, now: string): Promise<OutboxRow[]> {
    this.sql.assertInTransaction('outbox wake');
    const rows = await this.sql.all<RawOutbox>(
      `UPDATE outbox SET waiting_on = NULL, next_attempt_at = NULL, updated_at = ?
       WHERE system = ? AND waiting_on = ? AND status = 'pending' RETURNING *`,
      [now, system, waitingOn],
    );
    return rows.map(toOutbox);
  }

  /** Puts parked rows back in the queue (`crosswalk outbox replay`). */
  async replay(ids: readonly string[], now: string): Promise<number> {
    this.sql.assertInTransaction('outbox replay');
    let n = 0;
    for (const id of ids) {
      const raw = await this.sql.get<RawOutbox>(`SELECT * FROM outbox WHERE id = ? AND status = 'failed'`, [id]);
      if (!raw) continue;
      const pending = await this.sql.value<string>(
        `SELECT id FROM outbox WHERE system = ? AND entity = ? AND canonical_id = ? AND status = 'pending'`,
        [raw.system, raw.entity, raw.canonical_id],
      );
      if (pending !== undefined) {
        await this.enqueueMany([{ system: raw.system, entity: raw.entity as EntityName, canonicalId: raw.canonical_id, op: raw.op as OutboxRow['op'], fields: JSON.parse(raw.fields) as string[], reason: raw.reason }], now);
        await this.sql.run(`UPDATE outbox SET status = 'done', last_error = ?, updated_at = ? WHERE id = ?`, [`replayed into ${pending}`, now, id]);
      } else {
        await this.sql.run(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ? WHERE id = ?`, [now, id]);
      }
      n++;
    }
    return n;
  }

  /** Rows a relay should (re-)enqueue: pending and due, or abandoned mid-push. */
  async due(now: string, limit: number): Promise<OutboxRow[]> {
    const stale = new Date(Date.parse(now) - 5 * 60_000).toISOString();
    const rows = await this.sql.all<RawOutbox>(
      `SELECT * FROM outbox WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
          OR (status = 'processing' AND updated_at < ?) ORDER BY created_at, id LIMIT ?`,
      [now, stale, limit],
    );
    return rows.map(toOutbox);
  }

  async list(q: OutboxQuery): Promise<OutboxRow[]> {
    const where = whereOf([
      ['status = ?', q.status], ['system = ?', q.system], ['entity = ?', q.entity], ['canonical_id = ?', q.canonicalId], ['id > ?', q.after],
    ]);
    const rows = await this.sql.all<RawOutbox>(`SELECT * FROM outbox ${where.sql} ORDER BY id LIMIT ?`, [...where.params, q.limit]);
    return rows.map(toOutbox);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ status: string; n: number }>('SELECT status, count(*) AS n FROM outbox GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
