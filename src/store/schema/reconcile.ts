import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Reconciliation staging: one row per record a source listed in a reconcile run, per canonical
 * entity its vendor entity feeds (a Bullhorn Placement stages an `assignment` and an
 * `assignment_rate` row under one external id). The hash is `hashIncoming` of the mapped record —
 * the same hash the engine keeps in `links.source_hash` — so "matched" is `hash = source_hash`, and
 * the compare is a join inside the database instead of a JavaScript map of the whole set.
 *
 * The key leads with (run_id, external_id) so the compare can walk a run's rows in external-id
 * order (keyset paging over the diff) straight off the primary key. Rows of a finished run are
 * deleted. drizzle cannot declare WITHOUT ROWID; a plain table costs one extra index-to-row hop.
 */
export const reconcileStaging = sqliteTable(
  'reconcile_staging',
  {
    runId: text('run_id').notNull(),
    externalId: text('external_id').notNull(),
    /** The canonical entity the row was mapped to. */
    entity: text('entity').notNull(),
    /** `hashIncoming` of the mapped record: compared with `links.source_hash`. */
    hash: text('hash').notNull(),
    /** The source's own modified time of the listed record (ISO), when the mapping has one. */
    sourceModifiedAt: text('source_modified_at'),
    /** 1 when the source lists the record as deleted (a soft delete such as Bullhorn `isDeleted`). */
    deleted: integer('deleted').notNull().default(0),
    /** The listing page the row came from (0-based): what a resumed run has already committed. */
    page: integer('page').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.externalId, t.entity] })],
);
