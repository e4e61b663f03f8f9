import type { Mailer } from '../access/mail/mailer.ts';
import { TimeoutError, withTimeout } from '../lib/timeout.ts';
import type { PortalEventRow } from '../model/index.ts';
import type { DeliveryRow, Store } from '../store/index.ts';
import { mintApprovalLink } from './approval-links.ts';
import { digestContent, digestVars } from './digest.ts';
import { signedHeaders } from './sign.ts';
import { render, safeVars, templateFor } from './templates.ts';
import { refuseResolvedHost } from './webhook-url.ts';

export interface SenderOptions {
  readonly store: Store;
  readonly mailer: Mailer;
  /** Origin approval links point at (CROSSWALK_PUBLIC_URL); null: mails carry no approval link. */
  readonly publicUrl: string | null;
  readonly now?: () => Date;
  /** Deliveries in flight at once. @defaultValue 16 */
  readonly concurrency?: number;
  /** One webhook POST, connection to last byte. @defaultValue 10_000 */
  readonly webhookTimeoutMs?: number;
  /** One SMTP send. @defaultValue 30_000 */
  readonly mailTimeoutMs?: number;
  /** Tries before a delivery is dead. @defaultValue { email: 6, webhook: 8 } */
  readonly maxAttempts?: { readonly email: number; readonly webhook: number };
  /** First retry after about this long, doubling per try, with jitter. @defaultValue 30_000 */
  readonly backoffBaseMs?: number;
  /** @defaultValue 3_600_000 */
  readonly backoffMaxMs?: number;
  /** Skips the DNS check of subscriber hosts (the bench's loopback subscriber needs none). @defaultValue false */
  readonly trustResolvedHosts?: boolean;
  readonly log?: { warn(obj: object, msg: string): void };
}

export interface DrainResult {
  sent: number;
  failed: number;
  bounced: number;
  dead: number;
  skipped: number;
}

type Outcome = { status: 'sent' | 'failed' | 'bounced' | 'dead' | 'skipped'; error: string | null; messageId: string | null; nextAt: string | null };

/** Why a send failed, short enough for a row and never holding a secret. */
function reasonOf(err: unknown): string {
  if (err instanceof TimeoutError) return err.message;
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

/** An SMTP answer that retrying cannot change: a 5xx to the recipient (the address bounces). */
function isBounce(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { responseCode?: unknown; command?: unknown };
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.command === 'RCPT TO';
}

/**
 * Sends due deliveries: e-mails through the mailer (SMTP or the spool), webhooks signed per
 * Standard Webhooks. Each delivery is leased in SQLite before it is sent and its outcome recorded
 * after, one unit of work each, never with the send inside one. A pool keeps `concurrency` sends in
 * flight, each under its own timeout, so a subscriber that hangs holds one slot for at most the
 * timeout and the others go on. Failures retry with exponential backoff and full jitter, then the
 * row is `dead` (ops replay it); a 5xx to the recipient is `bounced`. At least once: a sender killed
 * between send and record sends again after the lease, under the same `webhook-id`.
 */
export class DeliverySender {
  private readonly now: () => Date;
  private readonly concurrency: number;
  private readonly webhookTimeoutMs: number;
  private readonly mailTimeoutMs: number;
  private readonly maxAttempts: { readonly email: number; readonly webhook: number };
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  /** Per drain: subscriptions with their opened secrets, and the events of the claimed rows. */
  private subs = new Map<string, { url: string; status: string; secret: string | null } | null>();
  private events = new Map<number, PortalEventRow>();
  /** Outcomes sent but not yet recorded: written together, one unit of work per handful. */
  private pending: Array<{ id: string; outcome: Outcome }> = [];

  constructor(private readonly options: SenderOptions) {
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? 16;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    this.mailTimeoutMs = options.mailTimeoutMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? { email: 6, webhook: 8 };
    this.backoffBaseMs = options.backoffBaseMs ?? 30_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 3_600_000;
  }

  /** The delay before try `attempt + 1` (attempt ≥ 1): base·2^(attempt−1), capped, then jittered to 50–100 %. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling * (0.5 + Math.random() * 0.5));
  }

  /** Sends everything due now, until nothing due is left (or `maxRows` were tried). */
  async drain(maxRows = Number.POSITIVE_INFINITY): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, failed: 0, bounced: 0, dead: 0, skipped: 0 };
    const inFlight = new Set<Promise<void>>();
    let buffer: DeliveryRow[] = [];
    let tried = 0;
    let exhausted = false;
    const lease = Math.max(this.webhookTimeoutMs, this.mailTimeoutMs) * 3;
    this.subs = new Map();
    this.events = new Map();
    for (;;) {
      while (inFlight.size < this.concurrency && tried < maxRows) {
        if (buffer.length === 0 && !exhausted) {
          const at = this.now();
          buffer = await this.options.store.unitOfWork((tx) =>
            tx.notifications.claimDue(at.toISOString(), new Date(at.getTime() + lease).toISOString(), Math.min(this.concurrency * 8, 500)),
          );
          if (buffer.length === 0) exhausted = true;
          else await this.prefetchEvents(buffer);
        }
        const row = buffer.shift();
        if (row === undefined) break;
        tried++;
        const p = this.attempt(row).then((status) => {
          result[status]++;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
      if (this.pending.length >= 64) await this.flush();
      // New rows may have become due while these ran (a retry that is already due, a replay).
      if (buffer.length === 0 && inFlight.size < this.concurrency) exhausted = false;
    }
    await this.flush();
    // Rows claimed but not tried (maxRows reached) go back to the queue.
    if (buffer.length > 0) {
      const at = this.now().toISOString();
      await this.options.store.unitOfWork(async (tx) => {
        for (const row of buffer) await tx.notifications.recordAttempt(row.id, { status: 'failed', error: row.lastError, messageId: null, nextAt: at }, at).then(() => undefined);
      });
    }
    return result;
  }

  /** One try of one delivery; its outcome is recorded with the next flush. Never throws. */
  private async attempt(row: DeliveryRow): Promise<Outcome['status']> {
    let outcome: Outcome;
    try {
      outcome = row.channel === 'webhook' ? await this.sendWebhook(row) : await this.sendMail(row);
    } catch (err) {
      outcome = this.failure(row, err);
    }
    this.pending.push({ id: row.id, outcome });
    return outcome.status;
  }

  /**
   * Records the outcomes sent so far in one unit of work. A process that dies before this leaves
   * the rows leased; after the lease they are sent again under the same `webhook-id` (at least once).
   */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const at = this.now().toISOString();
    try {
      await this.options.store.unitOfWork(async (tx) => {
        for (const p of batch) await tx.notifications.recordAttempt(p.id, p.outcome, at);
      });
    } catch (err) {
      this.options.log?.warn({ err, deliveries: batch.length }, 'recording delivery attempts failed; they will be tried again after their lease');
    }
  }

  /** Loads the events of a claimed batch in one read. */
  private async prefetchEvents(rows: readonly DeliveryRow[]): Promise<void> {
    const seqs = rows.map((r) => r.eventSeq).filter((s): s is number => s !== null && !this.events.has(s));
    if (seqs.length === 0) return;
    const min = Math.min(...seqs);
    const max = Math.max(...seqs);
    if (max - min > 5_000) return;
    for (const e of await this.options.store.repos.events.after(min - 1, max - min + 1)) this.events.set(e.seq, e);
    if (this.events.size > 20_000) this.events.clear();
  }

  private async subscriptionOf(id: string): Promise<{ url: string; status: string; secret: string | null } | null> {
    if (this.subs.has(id)) return this.subs.get(id) ?? null;
    const repos = this.options.store.repos;
    const sub = await repos.notifications.subscription(id);
    const value = sub ? { url: sub.url, status: sub.status, secret: sub.status === 'active' ? await repos.notifications.subscriptionSecret(id) : null } : null;
    this.subs.set(id, value);
    return value;
  }

  private failure(row: DeliveryRow, err: unknown): Outcome {
    const reason = reasonOf(err);
    if (row.channel !== 'webhook' && isBounce(err)) return { status: 'bounced', error: reason, messageId: null, nextAt: null };
    const attempt = row.attempts + 1;
    const max = row.channel === 'webhook' ? this.maxAttempts.webhook : this.maxAttempts.email;
    if (attempt >= max) return { status: 'dead', error: `${reason} (after ${attempt} tries)`, messageId: null, nextAt: null };
    return { status: 'failed', error: reason, messageId: null, nextAt: new Date(this.now().getTime() + this.backoffMs(attempt)).toISOString() };
  }

  private async event(seq: number | null): Promise<PortalEventRow | null> {
    if (seq === null) return null;
    const cached = this.events.get(seq);
    if (cached) return cached;
    const [event] = await this.options.store.repos.events.after(seq - 1, 1);
    return event?.seq === seq ? event : null;
  }

  private async sendWebhook(row: DeliveryRow): Promise<Outcome> {
    const sub = row.subscriptionId === null ? null : await this.subscriptionOf(row.subscriptionId);
    if (!sub || sub.status !== 'active') return { status: 'skipped', error: 'the subscription is gone or disabled', messageId: null, nextAt: null };
    const refused = this.options.trustResolvedHosts ? null : await refuseResolvedHost(sub.url);
    if (refused !== null) return { status: 'dead', error: `refused: ${refused}`, messageId: null, nextAt: null };
    const event = await this.event(row.eventSeq);
    if (!event) return { status: 'dead', error: `event ${String(row.eventSeq)} not found`, messageId: null, nextAt: null };
    const secret = sub.secret;
    if (secret === null) return { status: 'dead', error: 'the subscription has no secret', messageId: null, nextAt: null };
    const body = JSON.stringify(webhookPayload(event));
    const msgId = `msg_${row.id}`;
    const res = await fetch(sub.url, {
      method: 'POST',
      headers: { ...signedHeaders(secret, msgId, this.now(), body), 'user-agent': 'crosswalk-webhooks/1' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.webhookTimeoutMs),
    });
    // Read (and drop) the answer so the connection is reused; a subscriber's body is never stored.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { status: 'sent', error: null, messageId: msgId, nextAt: null };
    return this.failure(row, new Error(`HTTP ${res.status}`));
  }

  private async sendMail(row: DeliveryRow): Promise<Outcome> {
    const store = this.options.store;
    let message: { subject: string; text: string; html: string };
    let heldIds: readonly string[] = [];
    if (row.channel === 'digest') {
      const content = await digestContent(store.repos, row.contactId ?? '');
      if (content.items.length === 0) return { status: 'skipped', error: 'nothing waits for the contact', messageId: null, nextAt: null };
      heldIds = content.heldIds;
      message = render(await templateFor(store.repos, 'digest'), digestVars(content, row.localDate ?? ''), new Set(['itemsHtml']));
    } else {
      const event = await this.event(row.eventSeq);
      if (!event) return { status: 'dead', error: `event ${String(row.eventSeq)} not found`, messageId: null, nextAt: null };
      const vars: Record<string, string | number | boolean | null> = {
        ...safeVars(event.data), eventType: event.type, entity: event.entity, recordId: event.canonicalId,
      };
      const link = await this.approvalLinkFor(row, event);
      if (link !== null) vars['approveUrl'] = link;
      message = render(await templateFor(store.repos, event.type), vars);
    }
    const sent = await withTimeout(this.options.mailer.send({ to: row.address, ...message }), this.mailTimeoutMs);
    if (heldIds.length > 0) {
      const at = this.now().toISOString();
      await store.unitOfWork((tx) => tx.notifications.markDigested(heldIds, at));
    }
    return { status: 'sent', error: null, messageId: sent.id, nextAt: null };
  }

  /**
   * A `time.submitted` mail to a contact who approves at the entry's worksite carries a link that
   * approves after a confirmation step; each attempt mints a fresh one and retires the last.
   */
  private async approvalLinkFor(row: DeliveryRow, event: PortalEventRow): Promise<string | null> {
    const baseUrl = this.options.publicUrl;
    if (baseUrl === null || event.type !== 'time.submitted' || row.contactId === null || event.canonicalId === null || event.worksiteId === null) return null;
    const contactId = row.contactId;
    const entryId = event.canonicalId;
    const roles = await this.options.store.repos.canonical.list('contact_worksite_role', { where: { contactId, worksiteId: event.worksiteId, role: 'approver' }, limit: 1 });
    if (roles.length === 0 && !event.recipients.includes(contactId)) return null;
    const at = this.now();
    return this.options.store.unitOfWork((tx) => mintApprovalLink(tx, { timeEntryId: entryId, contactId, deliveryId: row.id, baseUrl }, at));
  }
}

/** The webhook body: Standard Webhooks' recommended `{type, timestamp, data}`, template-safe facts only. */
export function webhookPayload(event: PortalEventRow): { type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    type: event.type,
    timestamp: event.at,
    data: {
      seq: event.seq, entity: event.entity, id: event.canonicalId, clientId: event.clientId, worksiteId: event.worksiteId, actor: event.actor,
      ...safeVars(event.data),
    },
  };
}
