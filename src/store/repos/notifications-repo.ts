import type { Keyring } from '../../lib/secret-box.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson, whereOf } from '../sqlite/statements.ts';

// Rows come back untyped from either runner; each is a plain object of column → value of one of the
// notification tables, read as `Raw` at the statement and mapped by one function per table.
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
  private readonly q: {
    readonly rules: string;
    readonly insertDeliveries: string;
    readonly claimDue: string;
    readonly markDigested: string;
  };

  constructor(
    private readonly sql: SqlRunner,
    private readonly keyring: Keyring | null,
  ) {
    const d = sql.dialect;
    const at = (i: number, type?: 'int'): string => d.jsonAt('r', i, type);
    this.q = {
      rules: `SELECT * FROM notification_rules WHERE scope IN ${d.textList('?')} ORDER BY scope, event_type, role`,
      // One statement per batch (a JSON array of rows): a fan-out of many recipients is one round trip.
      insertDeliveries: `INSERT INTO notification_deliveries (id, dedupe_key, event_seq, event_type, channel, target, contact_id, subscription_id,
          address, entity, canonical_id, client_id, status, attempts, next_at, local_date, created_at, updated_at)
        SELECT ${at(0)}, ${at(1)}, ${at(2, 'int')}, ${at(3)}, ${at(4)}, ${at(5)}, ${at(6)}, ${at(7)}, ${at(8)}, ${at(9)}, ${at(10)}, ${at(11)}, ${at(12)},
          0, ${at(13)}, ${at(14)}, ${at(13)}, ${at(13)}
        FROM ${d.jsonRows('?', 'r')} WHERE true ON CONFLICT (dedupe_key) DO NOTHING`,
      // Rows another sender is claiming right now are skipped (PostgreSQL), not waited for: that
      // sender's transaction leases them, and this one takes the next due rows instead.
      claimDue: `UPDATE notification_deliveries SET status = 'sending', claimed_until = ?, updated_at = ?
         WHERE id IN (SELECT id FROM notification_deliveries WHERE status IN ('queued', 'failed') AND next_at <= ? ORDER BY next_at, id LIMIT ? ${d.forUpdateSkipLocked})
            OR id IN (SELECT id FROM notification_deliveries WHERE status = 'sending' AND claimed_until < ? ORDER BY claimed_until, id LIMIT ? ${d.forUpdateSkipLocked})
         RETURNING *`,
      markDigested: `UPDATE notification_deliveries SET status = 'digested', updated_at = ? WHERE id IN ${d.textList('?')} AND status = 'held'`,
    };
  }

  // ---- cursor

  async cursor(name: string): Promise<number> {
    const seq = await this.sql.value<number>('SELECT seq FROM notification_cursors WHERE name = ?', [name]);
    return seq === undefined ? 0 : Number(seq);
  }

  async setCursor(name: string, seq: number, now: string): Promise<void> {
    this.sql.assertInTransaction('notification cursor');
    await this.sql.run(
      'INSERT INTO notification_cursors (name, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at',
      [name, seq, now],
    );
  }

  // ---- rules

  async rules(scopes: readonly string[]): Promise<RuleRow[]> {
    if (scopes.length === 0) return [];
    return (await this.sql.all<Raw>(this.q.rules, [JSON.stringify(scopes)])).map(toRule);
  }

  async setRule(rule: RuleRow): Promise<void> {
    this.sql.assertInTransaction('notification rule');
    await this.sql.run(
      `INSERT INTO notification_rules (id, scope, role, event_type, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, role, event_type) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [rule.id, rule.scope, rule.role, rule.eventType, rule.enabled ? 1 : 0, rule.updatedAt, rule.updatedBy],
    );
  }

  // ---- preferences

  async preference(contactId: string): Promise<{ mode: PreferenceMode; updatedAt: string | null }> {
    const row = await this.sql.get<Raw>('SELECT mode, updated_at FROM notification_preferences WHERE contact_id = ?', [contactId]);
    const mode = row?.['mode'];
    return { mode: mode === 'digest' || mode === 'off' ? mode : 'immediate', updatedAt: str(row?.['updated_at']) };
  }

  async setPreference(contactId: string, mode: PreferenceMode, now: string): Promise<void> {
    this.sql.assertInTransaction('notification preference');
    await this.sql.run(
      'INSERT INTO notification_preferences (contact_id, mode, updated_at) VALUES (?, ?, ?) ON CONFLICT (contact_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at',
      [contactId, mode, now],
    );
  }

  /** Contacts who chose the daily digest. */
  async digestContacts(): Promise<string[]> {
    return (await this.sql.column<string>("SELECT contact_id FROM notification_preferences WHERE mode = 'digest' ORDER BY contact_id")).map(String);
  }

  // ---- webhook subscriptions

  private sealer(): Keyring {
    if (!this.keyring) throw new Error('webhook secrets need the key ring (CROSSWALK_SECRET_KEY)');
    return this.keyring;
  }

  async insertSubscription(row: SubscriptionRow, secret: string): Promise<void> {
    this.sql.assertInTransaction('webhook subscription');
    const sealed = this.sealer().seal(secret, `webhook:${row.id}`);
    await this.sql.run(
      'INSERT INTO webhook_subscriptions (id, url, secret_sealed, event_types, client_id, description, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.url, sealed, JSON.stringify(row.eventTypes), row.clientId, row.description, row.status, row.createdAt, row.createdBy],
    );
  }

  async subscription(id: string): Promise<SubscriptionRow | null> {
    const row = await this.sql.get<Raw>('SELECT * FROM webhook_subscriptions WHERE id = ?', [id]);
    return row ? toSubscription(row) : null;
  }

  /** The subscription's signing secret, opened with the key ring. */
  async subscriptionSecret(id: string): Promise<string | null> {
    const sealed = await this.sql.value<string>('SELECT secret_sealed FROM webhook_subscriptions WHERE id = ?', [id]);
    return sealed === undefined ? null : this.sealer().open(String(sealed), `webhook:${id}`);
  }

  async subscriptions(filter: { status?: 'active' | 'disabled' } = {}): Promise<SubscriptionRow[]> {
    const w = whereOf([['status = ?', filter.status]]);
    return (await this.sql.all<Raw>(`SELECT * FROM webhook_subscriptions ${w.sql} ORDER BY created_at, id`, w.params)).map(toSubscription);
  }

  async setSubscriptionStatus(id: string, status: 'active' | 'disabled'): Promise<boolean> {
    this.sql.assertInTransaction('webhook subscription');
    return (await this.sql.run('UPDATE webhook_subscriptions SET status = ? WHERE id = ?', [status, id])).changes === 1;
  }

  // ---- deliveries

  /** Inserts each delivery unless its dedupe key exists; returns how many were new. */
  async insertDeliveries(rows: readonly NewDelivery[], now: string): Promise<number> {
    this.sql.assertInTransaction('notification delivery');
    let added = 0;
    // Batches bounded so one statement's JSON stays small; a key repeated within a batch counts once.
    for (let i = 0; i < rows.length; i += 1_000) {
      const batch = rows.slice(i, i + 1_000).map((d) => [
        d.id, d.dedupeKey, d.eventSeq, d.eventType, d.channel, d.target, d.contactId, d.subscriptionId, d.address, d.entity,
        d.canonicalId, d.clientId, d.status, now, d.localDate,
      ]);
      added += (await this.sql.run(this.q.insertDeliveries, [JSON.stringify(batch)])).changes;
    }
    return added;
  }

  async delivery(id: string): Promise<DeliveryRow | null> {
    const row = await this.sql.get<Raw>('SELECT * FROM notification_deliveries WHERE id = ?', [id]);
    return row ? toDelivery(row) : null;
  }

  async deliveries(q: DeliveryQuery = {}): Promise<DeliveryRow[]> {
    const w = whereOf([
      ['status = ?', q.status], ['channel = ?', q.channel], ['contact_id = ?', q.contactId], ['subscription_id = ?', q.subscriptionId],
      ['entity = ?', q.entity], ['canonical_id = ?', q.canonicalId], ['client_id = ?', q.clientId], ['event_seq = ?', q.eventSeq],
    ]);
    const rows = await this.sql.all<Raw>(`SELECT * FROM notification_deliveries ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ?`, [...w.params, q.limit ?? 100]);
    return rows.map(toDelivery);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of await this.sql.all<Raw>('SELECT status, count(*) AS n FROM notification_deliveries GROUP BY status')) out[String(r['status'])] = Number(r['n']);
    return out;
  }

  /**
   * Leases up to `limit` deliveries that are due (queued, or failed and past their next try) and
   * not leased by another sender, until `until`; up to `limit` more whose lease ran out are taken
   * back. Returns them with their new status `sending`, earliest due first.
   */
  async claimDue(now: string, until: string, limit: number): Promise<DeliveryRow[]> {
    this.sql.assertInTransaction('notification claim');
    const rows = (await this.sql.all<Raw>(this.q.claimDue, [until, now, now, limit, now, limit])).map(toDelivery);
    // RETURNING gives no order in either dialect.
    return rows.sort((a, b) => (a.nextAt < b.nextAt ? -1 : a.nextAt > b.nextAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Records the outcome of one attempt; `attempts` counts it. */
  async recordAttempt(
    id: string,
    outcome: { status: 'sent' | 'failed' | 'bounced' | 'dead' | 'skipped'; error: string | null; messageId: string | null; nextAt: string | null },
    now: string,
  ): Promise<void> {
    this.sql.assertInTransaction('notification attempt');
    await this.sql.run(
      `UPDATE notification_deliveries SET status = ?, attempts = attempts + 1, last_error = ?, message_id = coalesce(?, message_id),
         next_at = coalesce(?, next_at), claimed_until = NULL, updated_at = ?, sent_at = coalesce(?, sent_at)
       WHERE id = ?`,
      [outcome.status, outcome.error, outcome.messageId, outcome.nextAt, now, outcome.status === 'sent' ? now : null, id],
    );
  }

  /** Puts a delivery back in the queue (ops' replay): a fresh set of attempts, due now. */
  async requeue(id: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('notification replay');
    const info = await this.sql.run(
      "UPDATE notification_deliveries SET status = 'queued', attempts = 0, next_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'failed', 'bounced', 'sent')",
      [now, now, id],
    );
    return info.changes === 1;
  }

  /** Held (digest) deliveries of a contact, oldest first. */
  async held(contactId: string): Promise<DeliveryRow[]> {
    return (await this.sql.all<Raw>("SELECT * FROM notification_deliveries WHERE contact_id = ? AND status = 'held' ORDER BY created_at, id", [contactId])).map(toDelivery);
  }

  async markDigested(ids: readonly string[], now: string): Promise<void> {
    this.sql.assertInTransaction('notification digest');
    if (ids.length === 0) return;
    await this.sql.run(this.q.markDigested, [now, JSON.stringify(ids)]);
  }

  // ---- templates

  async template(eventType: string): Promise<TemplateRow | null> {
    const row = await this.sql.get<Raw>('SELECT * FROM notification_templates WHERE event_type = ?', [eventType]);
    return row
      ? { eventType: String(row['event_type']), subject: String(row['subject']), text: String(row['text']), html: String(row['html']), updatedAt: String(row['updated_at']), updatedBy: String(row['updated_by']) }
      : null;
  }

  async setTemplate(t: TemplateRow): Promise<void> {
    this.sql.assertInTransaction('notification template');
    await this.sql.run(
      `INSERT INTO notification_templates (event_type, subject, text, html, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (event_type) DO UPDATE SET subject = excluded.subject, text = excluded.text, html = excluded.html, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [t.eventType, t.subject, t.text, t.html, t.updatedAt, t.updatedBy],
    );
  }

  async resetTemplate(eventType: string): Promise<boolean> {
    this.sql.assertInTransaction('notification template');
    return (await this.sql.run('DELETE FROM notification_templates WHERE event_type = ?', [eventType])).changes === 1;
  }

  // ---- approval links

  /** Stores a new link for a delivery, retiring any link an earlier attempt of it minted. */
  async insertApprovalLink(row: ApprovalLinkRow): Promise<void> {
    this.sql.assertInTransaction('approval link');
    if (row.deliveryId !== null) await this.sql.run('DELETE FROM approval_links WHERE delivery_id = ? AND used_at IS NULL', [row.deliveryId]);
    await this.sql.run(
      'INSERT INTO approval_links (token_hash, time_entry_id, contact_id, delivery_id, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)',
      [row.tokenHash, row.timeEntryId, row.contactId, row.deliveryId, row.expiresAt, row.createdAt],
    );
  }

  async approvalLink(tokenHash: string): Promise<ApprovalLinkRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM approval_links WHERE token_hash = ?', [tokenHash]);
    if (!r) return null;
    return {
      tokenHash: String(r['token_hash']), timeEntryId: String(r['time_entry_id']), contactId: String(r['contact_id']), deliveryId: str(r['delivery_id']),
      expiresAt: String(r['expires_at']), usedAt: str(r['used_at']), createdAt: String(r['created_at']),
    };
  }

  /** Marks the link used; false when it already was (a replay). */
  async useApprovalLink(tokenHash: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('approval link');
    return (await this.sql.run('UPDATE approval_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL', [now, tokenHash])).changes === 1;
  }
}
