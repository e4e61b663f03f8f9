import type { SqlRunner } from '../sql/runner.ts';

export interface SlotRow {
  id: string;
  job: string;
  system: string;
  payload: unknown;
  claimedAt: string;
  enqueuedAt: string | null;
}

interface RawSlot {
  id: string;
  job: string;
  system: string;
  payload: string;
  claimed_at: string;
  enqueued_at: string | null;
}

function toSlot(raw: RawSlot): SlotRow {
  return {
    id: raw.id,
    job: raw.job,
    system: raw.system,
    payload: JSON.parse(raw.payload) as unknown,
    claimedAt: raw.claimed_at,
    enqueuedAt: raw.enqueued_at,
  };
}

/** Schedule slots: the first scheduler to claim a slot enqueues its job; every other one skips it. */
export class SlotsRepo {
  constructor(private readonly sql: SqlRunner) {}

  /** True when this call claimed the slot; false when someone already had. */
  async claim(slot: { id: string; job: string; system: string; payload: unknown }, now: string): Promise<boolean> {
    this.sql.assertInTransaction('slot claim');
    // DO NOTHING rather than a caught constraint error: in PostgreSQL a failed statement would
    // abort the scheduler's whole unit of work.
    const result = await this.sql.run(
      `INSERT INTO schedule_slots (id, job, system, payload, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [slot.id, slot.job, slot.system, JSON.stringify(slot.payload), now],
    );
    return result.changes === 1;
  }

  async markEnqueued(id: string, now: string): Promise<void> {
    this.sql.assertInTransaction('slot enqueued');
    await this.sql.run('UPDATE schedule_slots SET enqueued_at = ? WHERE id = ?', [now, id]);
  }

  async get(id: string): Promise<SlotRow | null> {
    const raw = await this.sql.get<RawSlot>('SELECT * FROM schedule_slots WHERE id = ?', [id]);
    return raw ? toSlot(raw) : null;
  }

  /** Claims never enqueued (the claimer died in between), claimed inside [after, before). */
  async unenqueued(after: string, before: string, limit: number): Promise<SlotRow[]> {
    const rows = await this.sql.all<RawSlot>(
      'SELECT * FROM schedule_slots WHERE enqueued_at IS NULL AND claimed_at >= ? AND claimed_at < ? ORDER BY claimed_at, id LIMIT ?',
      [after, before, limit],
    );
    return rows.map(toSlot);
  }

  /** Forgets slots claimed before `before`: their cron times will not come again. */
  async prune(before: string): Promise<number> {
    this.sql.assertInTransaction('slot prune');
    return (await this.sql.run('DELETE FROM schedule_slots WHERE claimed_at < ?', [before])).changes;
  }
}
