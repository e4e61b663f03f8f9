import type { Keyring } from '../../lib/secret-box.ts';
import { parseJson, whereOf, type Statements } from '../sqlite/statements.ts';

// better-sqlite3 hands rows back untyped; each is a plain object of column → value of one of the
// notification tables, read through `as Raw` at the statement and mapped by one function per table.
type Raw = Record<string, string | number | null>;

const str = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

export const DELIVERY_STATUSES = ['queued', 'held', 'sending', 'sent', 'failed', 'bounced', 'dead', 'digested', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type DeliveryChannel = 'email' | 'webhook' | 'digest';
export type PreferenceMode = 'immediate' | 'digest' | 'off';

export interface RuleRow {
  id: string;
  scope: string;
  role: string;
  eventType: string;
  enabled: boolean;
  updatedAt: string;
  updatedBy: string;
}

export interface SubscriptionRow {
  id: string;
  url: string;
  eventTypes: string[];
  clientId: string | null;
  description: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  createdBy: string;
}

export interface NewDelivery {
  id: string;
  dedupeKey: string;
  eventSeq: number | null;
  eventType: string;
  channel: DeliveryChannel;
  target: string;
  contactId: string | null;
  subscriptionId: string | null;
  address: string;
  entity: string | null;
  canonicalId: string | null;
  clientId: string | null;
  status: 'queued' | 'held';
  localDate: string | null;
}

export interface DeliveryRow extends Omit<NewDelivery, 'status'> {
  status: DeliveryStatus;
  attempts: number;
  nextAt: string;
  claimedUntil: string | null;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface DeliveryQuery {
  status?: DeliveryStatus;
  channel?: DeliveryChannel;
  contactId?: string;
  subscriptionId?: string;
  entity?: string;
  canonicalId?: string;
  clientId?: string;
  eventSeq?: number;
  limit?: number;
}

export interface TemplateRow {
  eventType: string;
  subject: string;
  text: string;
  html: string;
  updatedAt: string;
  updatedBy: string;
}

export interface ApprovalLinkRow {
  tokenHash: string;
  timeEntryId: string;
  contactId: string;
  deliveryId: string | null;
  expiresAt: string;
  usedAt: string | null;
  createdAt: string;
}

function toDelivery(r: Raw): DeliveryRow {
  return {
    id: String(r['id']),
    dedupeKey: String(r['dedupe_key']),
    eventSeq: r['event_seq'] === null ? null : Number(r['event_seq']),
    eventType: String(r['event_type']),
    // Written only from the DeliveryChannel / DeliveryStatus unions by this repository.
    channel: String(r['channel']) as DeliveryChannel,
    target: String(r['target']),
    contactId: str(r['contact_id']),
    subscriptionId: str(r['subscription_id']),
    address: String(r['address']),
    entity: str(r['entity']),
    canonicalId: str(r['canonical_id']),
    clientId: str(r['client_id']),
    status: String(r['status']) as DeliveryStatus,
    attempts: Number(r['attempts']),
    nextAt: String(r['next_at']),
    claimedUntil: str(r['claimed_until']),
    lastError: str(r['last_error']),
    messageId: str(r['message_id']),
    localDate: str(r['local_date']),
    createdAt: String(r['created_at']),
    updatedAt: String(r['updated_at']),
    sentAt: str(r['sent_at']),
  };
}

function toSubscription(r: Raw): SubscriptionRow {
  return {
    id: String(r['id']),
    url: String(r['url']),
    eventTypes: parseJson<string[]>(String(r['event_types'])) ?? [],
    clientId: str(r['client_id']),
    description: str(r['description']),
    status: r['status'] === 'disabled' ? 'disabled' : 'active',
    createdAt: String(r['created_at']),
    createdBy: String(r['created_by']),
  };
}

function toRule(r: Raw): RuleRow {
  return {
    id: String(r['id']), scope: String(r['scope']), role: String(r['role']), eventType: String(r['event_type']),
    enabled: Number(r['enabled']) === 1, updatedAt: String(r['updated_at']), updatedBy: String(r['updated_by']),
  };
}

/**
 * Notification rules, preferences, webhook subscriptions, templates, approval links, the event
 * log cursor and the delivery record. Writes assert a unit of work; reads may run outside one.
 */
export class NotificationsRepo {
  constructor(
    private readonly s: Statements,
    private readonly keyring: Keyring | null,
  ) {}

  // ---- cursor

  async cursor(name: string): Promise<number> {
    const row = this.s.get('SELECT seq FROM notification_cursors WHERE name = ?').get(name) as Raw | undefined;
    return row ? Number(row['seq']) : 0;
  }

  async setCursor(name: string, seq: number, now: string): Promise<void> {
    this.s.assertInTransaction('notification cursor');
    this.s
      .get('INSERT INTO notification_cursors (name, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at')
      .run(name, seq, now);
  }

  // ---- rules

  async rules(scopes: readonly string[]): Promise<RuleRow[]> {
    const rows = this.s.get('SELECT * FROM notification_rules WHERE scope IN (SELECT value FROM json_each(?)) ORDER BY scope, event_type, role').all(JSON.stringify(scopes)) as Raw[];
    return rows.map(toRule);
  }

  async setRule(rule: RuleRow): Promise<void> {
    this.s.assertInTransaction('notification rule');
    this.s
      .get(
        `INSERT INTO notification_rules (id, scope, role, event_type, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, role, event_type) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(rule.id, rule.scope, rule.role, rule.eventType, rule.enabled ? 1 : 0, rule.updatedAt, rule.updatedBy);
  }

  // ---- preferences

  async preference(contactId: string): Promise<{ mode: PreferenceMode; updatedAt: string | null }> {
    const row = this.s.get('SELECT mode, updated_at FROM notification_preferences WHERE contact_id = ?').get(contactId) as Raw | undefined;
    const mode = row?.['mode'];
    return { mode: mode === 'digest' || mode === 'off' ? mode : 'immediate', updatedAt: str(row?.['updated_at']) };
  }

  async setPreference(contactId: string, mode: PreferenceMode, now: string): Promise<void> {
    this.s.assertInTransaction('notification preference');
    this.s
      .get('INSERT INTO notification_preferences (contact_id, mode, updated_at) VALUES (?, ?, ?) ON CONFLICT (contact_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at')
      .run(contactId, mode, now);
  }

  /** Contacts who chose the daily digest. */
  async digestContacts(): Promise<string[]> {
    return (this.s.get("SELECT contact_id FROM notification_preferences WHERE mode = 'digest' ORDER BY contact_id").all() as Raw[]).map((r) => String(r['contact_id']));
  }

  // ---- webhook subscriptions

  private sealer(): Keyring {
    if (!this.keyring) throw new Error('webhook secrets need the key ring (CROSSWALK_SECRET_KEY)');
    return this.keyring;
  }

  async insertSubscription(row: SubscriptionRow, secret: string): Promise<void> {
    this.s.assertInTransaction('webhook subscription');
    const sealed = this.sealer().seal(secret, `webhook:${row.id}`);
    this.s
      .get('INSERT INTO webhook_subscriptions (id, url, secret_sealed, event_types, client_id, description, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, row.url, sealed, JSON.stringify(row.eventTypes), row.clientId, row.description, row.status, row.createdAt, row.createdBy);
  }

  async subscription(id: string): Promise<SubscriptionRow | null> {
    const row = this.s.get('SELECT * FROM webhook_subscriptions WHERE id = ?').get(id) as Raw | undefined;
    return row ? toSubscription(row) : null;
  }

  /** The subscription's signing secret, opened with the key ring. */
  async subscriptionSecret(id: string): Promise<string | null> {
    const row = this.s.get('SELECT secret_sealed FROM webhook_subscriptions WHERE id = ?').get(id) as Raw | undefined;
    return row ? this.sealer().open(String(row['secret_sealed']), `webhook:${id}`) : null;
  }

  async subscriptions(filter: { status?: 'active' | 'disabled' } = {}): Promise<SubscriptionRow[]> {
    const w = whereOf([['status = ?', filter.status]]);
    return (this.s.get(`SELECT * FROM webhook_subscriptions ${w.sql} ORDER BY created_at, id`).all(...w.params) as Raw[]).map(toSubscription);
  }

  async setSubscriptionStatus(id: string, status: 'active' | 'disabled'): Promise<boolean> {
    this.s.assertInTransaction('webhook subscription');
    return this.s.get('UPDATE webhook_subscriptions SET status = ? WHERE id = ?').run(status, id).changes === 1;
  }

  // ---- deliveries

  /** Inserts each delivery unless its dedupe key exists; returns how many were new. */
  async insertDeliveries(rows: readonly NewDelivery[], now: string): Promise<number> {
    this.s.assertInTransaction('notification delivery');
    const stmt = this.s.get(
      `INSERT INTO notification_deliveries (id, dedupe_key, event_seq, event_type, channel, target, contact_id, subscription_id, address, entity, canonical_id, client_id, status, attempts, next_at, local_date, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    );
    let added = 0;
    for (const d of rows) {
      added += stmt.run(d.id, d.dedupeKey, d.eventSeq, d.eventType, d.channel, d.target, d.contactId, d.subscriptionId, d.address, d.entity, d.canonicalId, d.clientId, d.status, now, d.localDate, now, now).changes;
    }
    return added;
  }

  async delivery(id: string): Promise<DeliveryRow | null> {
    const row = this.s.get('SELECT * FROM notification_deliveries WHERE id = ?').get(id) as Raw | undefined;
    return row ? toDelivery(row) : null;
  }

  async deliveries(q: DeliveryQuery = {}): Promise<DeliveryRow[]> {
    const w = whereOf([
      ['status = ?', q.status], ['channel = ?', q.channel], ['contact_id = ?', q.contactId], ['subscription_id = ?', q.subscriptionId],
      ['entity = ?', q.entity], ['canonical_id = ?', q.canonicalId], ['client_id = ?', q.clientId], ['event_seq = ?', q.eventSeq],
    ]);
    const rows = this.s.get(`SELECT * FROM notification_deliveries ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...w.params, q.limit ?? 100) as Raw[];
    return rows.map(toDelivery);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.s.get('SELECT status, COUNT(*) AS n FROM notification_deliveries GROUP BY status').all() as Raw[]) out[String(r['status'])] = Number(r['n']);
    return out;
  }

  /**
   * Leases up to `limit` deliveries that are due (queued, or failed and past their next try) and
   * not leased by another sender, until `until`. Returns them with their new status `sending`.
   */
  async claimDue(now: string, until: string, limit: number): Promise<DeliveryRow[]> {
    this.s.assertInTransaction('notification claim');
    const rows = this.s
      .get(
        `UPDATE notification_deliveries SET status = 'sending', claimed_until = ?, updated_at = ?
         WHERE id IN (SELECT id FROM notification_deliveries WHERE status IN ('queued', 'failed') AND next_at <= ? ORDER BY next_at LIMIT ?)
            OR id IN (SELECT id FROM notification_deliveries WHERE status = 'sending' AND claimed_until < ? LIMIT ?)
         RETURNING *`,
      )
      .all(until, now, now, limit, now, limit) as Raw[];
    return rows.map(toDelivery);
  }

  /** Records the outcome of one attempt; `attempts` counts it. */
  async recordAttempt(
    id: string,
    outcome: { status: 'sent' | 'failed' | 'bounced' | 'dead' | 'skipped'; error: string | null; messageId: string | null; nextAt: string | null },
    now: string,
  ): Promise<void> {
    this.s.assertInTransaction('notification attempt');
    this.s
      .get(
        `UPDATE notification_deliveries SET status = ?, attempts = attempts + 1, last_error = ?, message_id = COALESCE(?, message_id),
           next_at = COALESCE(?, next_at), claimed_until = NULL, updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
         WHERE id = ?`,
      )
      .run(outcome.status, outcome.error, outcome.messageId, outcome.nextAt, now, outcome.status, now, id);
  }

  /** Puts a delivery back in the queue (ops' replay): a fresh set of attempts, due now. */
  async requeue(id: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('notification replay');
    return (
      this.s
        .get("UPDATE notification_deliveries SET status = 'queued', attempts = 0, next_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'failed', 'bounced', 'sent')")
        .run(now, now, id).changes === 1
    );
  }

  /** Held (digest) deliveries of a contact, oldest first. */
  async held(contactId: string): Promise<DeliveryRow[]> {
    return (this.s.get("SELECT * FROM notification_deliveries WHERE contact_id = ? AND status = 'held' ORDER BY created_at, id").all(contactId) as Raw[]).map(toDelivery);
  }

  async markDigested(ids: readonly string[], now: string): Promise<void> {
    this.s.assertInTransaction('notification digest');
    this.s.get("UPDATE notification_deliveries SET status = 'digested', updated_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND status = 'held'").run(now, JSON.stringify(ids));
  }

  // ---- templates

  async template(eventType: string): Promise<TemplateRow | null> {
    const row = this.s.get('SELECT * FROM notification_templates WHERE event_type = ?').get(eventType) as Raw | undefined;
    return row
      ? { eventType: String(row['event_type']), subject: String(row['subject']), text: String(row['text']), html: String(row['html']), updatedAt: String(row['updated_at']), updatedBy: String(row['updated_by']) }
      : null;
  }

  async setTemplate(t: TemplateRow): Promise<void> {
    this.s.assertInTransaction('notification template');
    this.s
      .get(
        `INSERT INTO notification_templates (event_type, subject, text, html, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_type) DO UPDATE SET subject = excluded.subject, text = excluded.text, html = excluded.html, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(t.eventType, t.subject, t.text, t.html, t.updatedAt, t.updatedBy);
  }

  async resetTemplate(eventType: string): Promise<boolean> {
    this.s.assertInTransaction('notification template');
    return this.s.get('DELETE FROM notification_templates WHERE event_type = ?').run(eventType).changes === 1;
  }

  // ---- approval links

  /** Stores a new link for a delivery, retiring any link an earlier attempt of it minted. */
  async insertApprovalLink(row: ApprovalLinkRow): Promise<void> {
    this.s.assertInTransaction('approval link');
    if (row.deliveryId !== null) this.s.get('DELETE FROM approval_links WHERE delivery_id = ? AND used_at IS NULL').run(row.deliveryId);
    this.s
      .get('INSERT INTO approval_links (token_hash, time_entry_id, contact_id, delivery_id, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)')
      .run(row.tokenHash, row.timeEntryId, row.contactId, row.deliveryId, row.expiresAt, row.createdAt);
  }

  async approvalLink(tokenHash: string): Promise<ApprovalLinkRow | null> {
    const r = this.s.get('SELECT * FROM approval_links WHERE token_hash = ?').get(tokenHash) as Raw | undefined;
    if (!r) return null;
    return {
      tokenHash: String(r['token_hash']), timeEntryId: String(r['time_entry_id']), contactId: String(r['contact_id']), deliveryId: str(r['delivery_id']),
      expiresAt: String(r['expires_at']), usedAt: str(r['used_at']), createdAt: String(r['created_at']),
    };
  }

  /** Marks the link used; false when it already was (a replay). */
  async useApprovalLink(tokenHash: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('approval link');
    return this.s.get('UPDATE approval_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL').run(now, tokenHash).changes === 1;
  }
}
