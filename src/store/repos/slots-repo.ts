import type { Statements } from '../sqlite/statements.ts';

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
  constructor(private readonly s: Statements) {}

  /** True when this call claimed the slot; false when someone already had. */
  async claim(slot: { id: string; job: string; system: string; payload: unknown }, now: string): Promise<boolean> {
    this.s.assertInTransaction('slot claim');
    const result = this.s
      .get(`INSERT INTO schedule_slots (id, job, system, payload, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
      .run(slot.id, slot.job, slot.system, JSON.stringify(slot.payload), now);
    return result.changes === 1;
  }

  async markEnqueued(id: string, now: string): Promise<void> {
    this.s.assertInTransaction('slot enqueued');
    this.s.get('UPDATE schedule_slots SET enqueued_at = ? WHERE id = ?').run(now, id);
  }

  async get(id: string): Promise<SlotRow | null> {
    const raw = this.s.get('SELECT * FROM schedule_slots WHERE id = ?').get(id) as RawSlot | undefined;
    return raw ? toSlot(raw) : null;
  }

  /** Claims never enqueued (the claimer died in between), claimed inside [after, before). */
  async unenqueued(after: string, before: string, limit: number): Promise<SlotRow[]> {
    const rows = this.s
      .get('SELECT * FROM schedule_slots WHERE enqueued_at IS NULL AND claimed_at >= ? AND claimed_at < ? ORDER BY claimed_at LIMIT ?')
      .all(after, before, limit) as RawSlot[];
    return rows.map(toSlot);
  }

  /** Forgets slots claimed before `before`: their cron times will not come again. */
  async prune(before: string): Promise<number> {
    this.s.assertInTransaction('slot prune');
    return this.s.get('DELETE FROM schedule_slots WHERE claimed_at < ?').run(before).changes;
  }
}
