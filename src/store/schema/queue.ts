import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Schedule slots claimed by a scheduler process. BullMQ forgets completed jobs (we keep 1,000 per
 * queue), so its jobId dedupe alone would let a second scheduler re-run a nightly job once the
 * first run has been evicted; the primary key here never forgets. The row also keeps what was to
 * be enqueued, so a slot claimed by a scheduler that died before enqueueing can be sent later.
 */
export const scheduleSlots = sqliteTable(
  'schedule_slots',
  {
    /** The slot and job id: `pull:<system>:<ISO minute>`, `reconcile:<system>:<YYYY-MM-DD>`. */
    id: text('id').primaryKey(),
    /** Catalog job name. */
    job: text('job').notNull(),
    system: text('system').notNull(),
    /** JSON: the job's payload. */
    payload: text('payload').notNull(),
    claimedAt: text('claimed_at').notNull(),
    /** Set once the job is on the queue; null while a claim waits to be enqueued. */
    enqueuedAt: text('enqueued_at'),
  },
  (t) => [index('schedule_slots_claimed').on(t.claimedAt)],
);
