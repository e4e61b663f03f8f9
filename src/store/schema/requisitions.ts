import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients, requisitions } from './canonical.ts';

/**
 * The portal's requisition requests (src/requisitions): what a client contact drafts, submits and
 * (when the client requires it) its approver approves, before the request is opened as a canonical
 * requisition and pushed to the ATS. After opening, its status follows the requisition's.
 */

/** One request template per client, defined by ops: required fields and whether approval is needed. */
export const requisitionTemplates = sqliteTable('requisition_templates', {
  clientId: text('client_id').primaryKey().references(() => clients.id),
  /** JSON array of RequestField names that must be set before submit. */
  required: text('required').notNull(),
  /** 1: a submitted request waits for an approver of the client; 0: it opens on submit. */
  requiresApproval: integer('requires_approval').notNull(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

export const requisitionRequests = sqliteTable(
  'requisition_requests',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull().references(() => clients.id),
    worksiteId: text('worksite_id').notNull(),
    requestedById: text('requested_by_id').notNull(),
    status: text('status').notNull(),
    /** JSON object of the request's fields (title, shift, startDate, openings, bill-rate range, …). */
    fields: text('fields').notNull(),
    /** The canonical requisition, once opened. */
    requisitionId: text('requisition_id').references(() => requisitions.id),
    revision: integer('revision').notNull().default(1),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('requisition_requests_client').on(t.clientId, t.status), index('requisition_requests_worksite').on(t.worksiteId)],
);

/** Append-only history of a request's status: who, when, from, to, why. */
export const requisitionRequestEvents = sqliteTable(
  'requisition_request_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    requestId: text('request_id').notNull().references(() => requisitionRequests.id),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    comment: text('comment'),
  },
  (t) => [index('requisition_request_events_request').on(t.requestId, t.seq)],
);
