import { integer, text } from 'drizzle-orm/sqlite-core';

/**
 * Bookkeeping columns every canonical table carries. Times are ISO-8601 UTC text so they sort and
 * compare the same in SQLite and Postgres.
 */
export const canonicalColumns = {
  id: text('id').primaryKey(),
  /** Incremented on every change: optimistic locking and cheap change detection for readers. */
  revision: integer('revision').notNull().default(1),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** The source's own modified time of the last applied change (not our clock): `latest` conflict policy uses it. */
  changedAt: text('changed_at'),
  /** Soft delete: set after a tombstone outlives its grace period. Money-bearing rows are never hard-deleted. */
  deletedAt: text('deleted_at'),
};
