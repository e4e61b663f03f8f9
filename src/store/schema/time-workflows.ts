import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Time workflow settings and bookkeeping (decision 0018).
 *
 * `time_reminder_settings`: per client, when a submitted entry that still waits gets a reminder and
 * when it is escalated (hours after submission). A client without a row uses the config defaults.
 */
export const timeReminderSettings = sqliteTable('time_reminder_settings', {
  clientId: text('client_id').primaryKey(),
  reminderAfterHours: integer('reminder_after_hours').notNull(),
  escalateAfterHours: integer('escalate_after_hours').notNull(),
  /** `delegate` (the approver's delegates, else the client admins) or `client_admin`. */
  escalateTo: text('escalate_to').notNull(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/**
 * One row per (time entry, submission, threshold) a nudge was appended for: the reminder job is
 * idempotent because the insert of this row and the `time.reminder` / `time.escalated` event happen
 * in one unit of work, and a second run finds the row. `submittedAt` keys a resubmission afresh.
 */
export const timeNudges = sqliteTable(
  'time_nudges',
  {
    timeEntryId: text('time_entry_id').notNull(),
    submittedAt: text('submitted_at').notNull(),
    /** `reminder` | `escalation` (threshold runs); `manual:<at>` for an ops "remind all". */
    kind: text('kind').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.timeEntryId, t.submittedAt, t.kind] })],
);
