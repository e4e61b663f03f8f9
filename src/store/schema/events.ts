import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Portal events (see `model/events.ts`), appended in the unit of work of the change they report.
 * `seq` orders them; consumers remember how far they have read.
 */
export const portalEvents = sqliteTable(
  'portal_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    entity: text('entity').notNull(),
    canonicalId: text('canonical_id'),
    clientId: text('client_id'),
    worksiteId: text('worksite_id'),
    actor: text('actor'),
    /** JSON array of contact ids the producer addressed. */
    recipients: text('recipients').notNull(),
    /** JSON object of template facts. */
    data: text('data').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('portal_events_type').on(t.type, t.seq), index('portal_events_record').on(t.entity, t.canonicalId)],
);
