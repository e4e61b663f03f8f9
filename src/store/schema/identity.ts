import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The identity review queue: external records the engine would not match on its own (two
 * candidates, keys pointing at different records, only a weak key, or a mapping asking for
 * review), with the evidence, until ops link them to a canonical record or keep them apart. The
 * record itself waits on its link (state `parked`, decision 0003); this row is the question and
 * its answer.
 */
export const identityReviews = sqliteTable(
  'identity_reviews',
  {
    id: text('id').primaryKey(),
    system: text('system').notNull(),
    entity: text('entity').notNull(),
    externalId: text('external_id').notNull(),
    /** open | linked | split */
    status: text('status').notNull(),
    /** Why the engine did not decide, in a sentence. */
    reason: text('reason').notNull(),
    /** JSON: the keys the record carried, which records each matched, and per candidate what differs. */
    evidence: text('evidence').notNull(),
    openedAt: text('opened_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    decidedAt: text('decided_at'),
    decidedBy: text('decided_by'),
    /** The canonical record the external record became (linked to, or created apart). */
    canonicalId: text('canonical_id'),
  },
  (t) => [
    // One question per external record: parked again, it is asked again with fresh evidence.
    uniqueIndex('identity_reviews_record').on(t.system, t.entity, t.externalId),
    index('identity_reviews_status').on(t.status, t.openedAt),
  ],
);
