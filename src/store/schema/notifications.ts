import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Notifications (decision 0021): who hears of which portal event, how, and every
 * delivery made. The event log (`portal_events`) is the input; a consumer reads it after its
 * cursor and writes one delivery row per (event, recipient) in the same unit of work that moves
 * the cursor, so a crash neither loses nor repeats a fan-out.
 */

/**
 * Which roles hear which event types. `scope` is `*` for the deployment's defaults (ops edit them)
 * or a client id (ops, or that client's admin). No row at all means the default in code
 * (`src/notify/rules.ts`).
 */
export const notificationRules = sqliteTable(
  'notification_rules',
  {
    id: text('id').primaryKey(),
    scope: text('scope').notNull(),
    /** approver | requester | billing | hr | client_admin | addressee | ops */
    role: text('role').notNull(),
    eventType: text('event_type').notNull(),
    /** 1 = the role hears the event type, 0 = it does not. */
    enabled: integer('enabled').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [uniqueIndex('notification_rules_key').on(t.scope, t.role, t.eventType)],
);

/** A contact's choice: immediate (default), daily digest, or off. */
export const notificationPreferences = sqliteTable('notification_preferences', {
  contactId: text('contact_id').primaryKey(),
  /** immediate | digest | off */
  mode: text('mode').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Outbound webhook subscribers (the portal and others). The secret is sealed with the key ring. */
export const webhookSubscriptions = sqliteTable('webhook_subscriptions', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  /** `enc:v1:…` of the `whsec_…` secret (context `webhook:<id>`). */
  secretSealed: text('secret_sealed').notNull(),
  /** JSON array of event types, or `["*"]`. */
  eventTypes: text('event_types').notNull(),
  /** Only events of this client; null = every client (internal subscribers only). */
  clientId: text('client_id'),
  description: text('description'),
  /** active | disabled */
  status: text('status').notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
});

/**
 * One row per message to send (or held for a digest): the record of every delivery. `dedupeKey`
 * is unique: `e:<seq>:<target>` for an event, `digest:<contact>:<local date>` for a digest.
 */
export const notificationDeliveries = sqliteTable(
  'notification_deliveries',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    eventSeq: integer('event_seq'),
    eventType: text('event_type').notNull(),
    /** email | webhook | digest */
    channel: text('channel').notNull(),
    /** `contact:<id>`, `user:<id>` or `webhook:<subscription id>`. */
    target: text('target').notNull(),
    contactId: text('contact_id'),
    subscriptionId: text('subscription_id'),
    /** The e-mail address or the URL at fan-out time (shown to ops; the sender re-reads the subscription). */
    address: text('address').notNull(),
    entity: text('entity'),
    canonicalId: text('canonical_id'),
    clientId: text('client_id'),
    /** queued | held | sending | sent | failed | bounced | dead | digested | skipped */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    nextAt: text('next_at').notNull(),
    /** A sender's lease: another sender leaves the row alone until then. */
    claimedUntil: text('claimed_until'),
    lastError: text('last_error'),
    /** The Message-ID of the mail, or the webhook's `webhook-id`. */
    messageId: text('message_id'),
    /** For a digest: the contact's local date it is for. */
    localDate: text('local_date'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_key').on(t.dedupeKey),
    index('notification_deliveries_due').on(t.status, t.nextAt),
    index('notification_deliveries_record').on(t.entity, t.canonicalId),
    index('notification_deliveries_contact').on(t.contactId, t.createdAt),
  ],
);

/** Ops' edits of the e-mail templates; an event type without a row uses the default in code. */
export const notificationTemplates = sqliteTable('notification_templates', {
  eventType: text('event_type').primaryKey(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html').notNull(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** E-mail approval links: single use, 7 days, bound to one time entry and one approver; only the hash is kept. */
export const approvalLinks = sqliteTable(
  'approval_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    timeEntryId: text('time_entry_id').notNull(),
    contactId: text('contact_id').notNull(),
    deliveryId: text('delivery_id'),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('approval_links_delivery').on(t.deliveryId)],
);

/** How far each consumer of the event log has read. */
export const notificationCursors = sqliteTable('notification_cursors', {
  name: text('name').primaryKey(),
  seq: integer('seq').notNull(),
  updatedAt: text('updated_at').notNull(),
});
