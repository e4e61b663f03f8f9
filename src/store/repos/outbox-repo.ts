import type { EntityName } from '../../model/index.ts';
import { newId } from '../../lib/ids.ts';
import type { OutboxRequest, OutboxRow, OutboxStatus } from '../types.ts';
import { whereOf, type Statements } from '../sqlite/statements.ts';

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

/**
 * Pushes waiting to reach a system. Changes to one record coalesce into its single pending row
 * (fields are unioned; a pending create stays a create); the push reads current values when it runs.
 */
export class OutboxRepo {
  /** Rows the current unit of work created or added to; the store hands them on at commit. */
  private touched: string[] = [];

  constructor(private readonly s: Statements) {}

  /** The rows touched since the last call (see `Store.onOutboxCommitted`), and forgets them. */
  takeTouched(): string[] {
    const ids = this.touched;
    this.touched = [];
    return ids;
  }

  /** Of these rows, the ones due for a push now (pending, not waiting out a backoff). */
  async dueAmong(ids: readonly string[], now: string): Promise<OutboxRow[]> {
    if (ids.length === 0) return [];
    const rows = this.s
      .get(`SELECT * FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`)
      .all(JSON.stringify([...new Set(ids)]), now) as RawOutbox[];
    return rows.map(toOutbox);
  }

  /** Returns the ids of the pending rows that now carry these requests. */
  async enqueueMany(requests: readonly OutboxRequest[], now: string): Promise<string[]> {
    if (requests.length === 0) return [];
    this.s.assertInTransaction('outbox enqueue');
    const stmt = this.s.get(
      `INSERT INTO outbox (id, system, entity, canonical_id, op, fields, reason, status, attempts, idempotency_key,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
       ON CONFLICT (system, entity, canonical_id) WHERE status = 'pending' DO UPDATE SET
         fields = (SELECT json_group_array(value) FROM (
                     SELECT value FROM json_each(outbox.fields) UNION SELECT value FROM json_each(excluded.fields))),
         op = CASE WHEN outbox.op = 'create' THEN 'create' ELSE excluded.op END,
         reason = CASE WHEN instr(outbox.reason, excluded.reason) > 0 THEN outbox.reason
                       ELSE substr(outbox.reason || '; ' || excluded.reason, 1, 500) END,
         updated_at = excluded.updated_at
       RETURNING id`,
    );
    const ids: string[] = [];
    for (const r of requests) {
      const id = newId();
      const row = stmt.get(
        id, r.system, r.entity, r.canonicalId, r.op, JSON.stringify([...new Set(r.fields)].sort()), r.reason, id, now, now,
      ) as { id: string };
      ids.push(row.id);
    }
    this.touched.push(...ids);
    return ids;
  }

  async get(id: string): Promise<OutboxRow | null> {
    const raw = this.s.get('SELECT * FROM outbox WHERE id = ?').get(id) as RawOutbox | undefined;
    return raw ? toOutbox(raw) : null;
  }

  /**
   * Takes a pending row for a push attempt. Returns null when another worker has it or it is
   * finished, so a job delivered twice pushes once.
   */
  async claim(id: string, now: string): Promise<OutboxRow | null> {
    this.s.assertInTransaction('outbox claim');
    const raw = this.s
      .get(
        `UPDATE outbox SET status = 'processing', attempts = attempts + 1, updated_at = ?
         WHERE id = ? AND (status = 'pending' OR (status = 'processing' AND updated_at < ?)) RETURNING *`,
      )
      // A row left `processing` by a worker that died is taken again after five minutes.
      .get(now, id, new Date(Date.parse(now) - 5 * 60_000).toISOString()) as RawOutbox | undefined;
    return raw ? toOutbox(raw) : null;
  }

  async markDone(id: string, externalId: string | null, now: string): Promise<void> {
    this.s.assertInTransaction('outbox done');
    this.s
      .get(`UPDATE outbox SET status = 'done', external_id = coalesce(?, external_id), last_error = NULL, done_at = ?, updated_at = ? WHERE id = ?`)
      .run(externalId, now, now, id);
  }

  /** Back to pending for a retry at `nextAttemptAt`, or parked as failed for ops. */
  async markAttemptFailed(id: string, error: string, park: boolean, nextAttemptAt: string | null, now: string): Promise<void> {
    this.s.assertInTransaction('outbox failure');
    // A newer pending row for the same record may exist (changes made during the push); keep it
    // and retire this one into it so the unique pending index holds.
    const row = this.s.get('SELECT * FROM outbox WHERE id = ?').get(id) as RawOutbox | undefined;
    if (!row) return;
    if (!park) {
      const other = this.s
        .get(`SELECT id FROM outbox WHERE system = ? AND entity = ? AND canonical_id = ? AND status = 'pending' AND id <> ?`)
        .pluck()
        .get(row.system, row.entity, row.canonical_id, id) as string | undefined;
      if (other) {
        await this.enqueueMany([{ system: row.system, entity: row.entity as EntityName, canonicalId: row.canonical_id, op: row.op as OutboxRow['op'], fields: JSON.parse(row.fields) as string[], reason: row.reason }], now);
        this.s.get(`UPDATE outbox SET status = 'done', last_error = ?, done_at = ?, updated_at = ? WHERE id = ?`).run(`merged into ${other}: ${error}`, now, now, id);
        return;
      }
    }
    this.s
      .get(`UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`)
      .run(park ? 'failed' : 'pending', error.slice(0, 2000), nextAttemptAt, now, id);
  }

  /**
   * Sets a claimed row aside until a record it needs exists in the target system: pending again,
   * due at `nextAttemptAt` at the latest, and woken as soon as that record's own push lands.
   */
  async defer(id: string, waitingOn: string, reason: string, nextAttemptAt: string, now: string): Promise<void> {
    this.s.assertInTransaction('outbox defer');
    this.s
      .get(`UPDATE outbox SET status = 'pending', waiting_on = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'processing'`)
      .run(waitingOn, reason.slice(0, 2000), nextAttemptAt, now, id);
  }

  /** Rows of this system waiting on a record that has just been pushed: due now. Returns them. */
  async wake(system: string, waitingOn: string, now: string): Promise<OutboxRow[]> {
    this.s.assertInTransaction('outbox wake');
    const rows = this.s
      .get(
        `UPDATE outbox SET waiting_on = NULL, next_attempt_at = NULL, updated_at = ?
         WHERE system = ? AND waiting_on = ? AND status = 'pending' RETURNING *`,
      )
      .all(now, system, waitingOn) as RawOutbox[];
    return rows.map(toOutbox);
  }

  /** Puts parked rows back in the queue (`crosswalk outbox replay`). */
  async replay(ids: readonly string[], now: string): Promise<number> {
    this.s.assertInTransaction('outbox replay');
    let n = 0;
    for (const id of ids) {
      const raw = this.s.get(`SELECT * FROM outbox WHERE id = ? AND status = 'failed'`).get(id) as RawOutbox | undefined;
      if (!raw) continue;
      const pending = this.s
        .get(`SELECT id FROM outbox WHERE system = ? AND entity = ? AND canonical_id = ? AND status = 'pending'`)
        .pluck()
        .get(raw.system, raw.entity, raw.canonical_id) as string | undefined;
      if (pending) {
        await this.enqueueMany([{ system: raw.system, entity: raw.entity as EntityName, canonicalId: raw.canonical_id, op: raw.op as OutboxRow['op'], fields: JSON.parse(raw.fields) as string[], reason: raw.reason }], now);
        this.s.get(`UPDATE outbox SET status = 'done', last_error = 'replayed into ' || ?, updated_at = ? WHERE id = ?`).run(pending, now, id);
      } else {
        this.s.get(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ? WHERE id = ?`).run(now, id);
      }
      n++;
    }
    return n;
  }

  /** Rows a relay should (re-)enqueue: pending and due, or abandoned mid-push. */
  async due(now: string, limit: number): Promise<OutboxRow[]> {
    const stale = new Date(Date.parse(now) - 5 * 60_000).toISOString();
    const rows = this.s
      .get(
        `SELECT * FROM outbox WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
            OR (status = 'processing' AND updated_at < ?) ORDER BY created_at LIMIT ?`,
      )
      .all(now, stale, limit) as RawOutbox[];
    return rows.map(toOutbox);
  }

  async list(q: OutboxQuery): Promise<OutboxRow[]> {
    const where = whereOf([
      ['status = ?', q.status], ['system = ?', q.system], ['entity = ?', q.entity], ['canonical_id = ?', q.canonicalId], ['id > ?', q.after],
    ]);
    const rows = this.s.get(`SELECT * FROM outbox ${where.sql} ORDER BY id LIMIT ?`).all(...where.params, q.limit) as RawOutbox[];
    return rows.map(toOutbox);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = this.s.get('SELECT status, count(*) AS n FROM outbox GROUP BY status').all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
