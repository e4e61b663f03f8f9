/**
 * Portal events: what happened on the portal side that someone may need to hear of. Producers
 * (time workflows, requisitions, documents, comments, invoices, sync issues) append one row per
 * event to `portal_events` inside the unit of work that made the change, so an event exists
 * exactly when its change committed; notifications fan them out afterwards (a transactional
 * outbox of domain events).
 */
export const PORTAL_EVENT_TYPES = [
  'time.submitted',
  'time.approved',
  'time.rejected',
  'time.disputed',
  'time.corrected',
  'time.needs_approver',
  'time.reminder',
  'time.escalated',
  'requisition.created',
  'requisition.changed',
  'document.added',
  'comment.added',
  'invoice.issued',
  'sync.issue',
] as const;
export type PortalEventType = (typeof PORTAL_EVENT_TYPES)[number];

export interface PortalEventInput {
  type: PortalEventType;
  /** The canonical entity the event is about (`time_entry`, `requisition`, `document`, …). */
  entity: string;
  canonicalId: string | null;
  /** Scope of the event, for routing to subscribers and for the policy: never trust a body for these. */
  clientId: string | null;
  worksiteId: string | null;
  /** `contact:<id>`, `user:<id>`, `service:<key>` or `system:<name>`. */
  actor: string | null;
  /** Contacts the event is addressed to when the producer knows them (an approver, a delegate). */
  recipients?: readonly string[];
  /** Small, non-sensitive facts for templates (hours, week, title); never pay rates or notes. */
  data?: Record<string, string | number | boolean | null>;
  at: string;
}

export interface PortalEventRow extends Required<Omit<PortalEventInput, 'recipients' | 'data'>> {
  seq: number;
  recipients: string[];
  data: Record<string, string | number | boolean | null>;
}
