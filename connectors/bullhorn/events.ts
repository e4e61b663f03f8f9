import { z } from 'zod';
import type { ChangeEvent, ConnectorContext, EventBatch, HttpClient } from '../kit/index.ts';
import { ENTITY_NAMES, isBullhornEntity } from './entities.ts';

/**
 * Bullhorn event subscriptions (docs/vendors.md §1.4): a queue Bullhorn fills with entity changes that
 * we poll. Fetched events leave the queue, so a batch that failed to process is read again by its
 * `requestId`. Events carry only ids: the hub re-reads the records (`fetchByIds`).
 *
 * The subscription is made once and remembered in `ctx.state` with the entity list it was made
 * for; a changed list, or a subscription Bullhorn no longer knows (unused ones expire after 30
 * days), makes it again. Changes made while no subscription existed are not lost: the scheduled
 * incremental pull reads them.
 */

const SUBSCRIPTION_KEY = 'events.subscription';
/** Bullhorn's own example batch size; a full batch makes the hub poll again at once. */
const MAX_EVENTS = 100;
const EVENT_TYPES = 'INSERTED,UPDATED,DELETED';

const Event = z.looseObject({
  eventId: z.string().min(1),
  entityName: z.string(),
  entityId: z.union([z.number(), z.string()]),
  entityEventType: z.string(),
  eventTimestamp: z.number().optional(),
});
const Poll = z.looseObject({ requestId: z.number().optional(), events: z.array(z.unknown()).optional() });
const LastRequestId = z.looseObject({ result: z.number().int().nonnegative() });

const KIND: Readonly<Record<string, ChangeEvent['kind']>> = { INSERTED: 'created', UPDATED: 'updated', DELETED: 'deleted' };

export class EventPoller {
  private readonly subscriptionId: string;
  private readonly names = ENTITY_NAMES.join(',');
  private ready = false;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly http: HttpClient,
  ) {
    this.subscriptionId = ctx.credentials['subscriptionId'] ?? `crosswalk-${ctx.systemId.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
  }

  async poll(againBatchId?: string, lastDoneBatchId?: string): Promise<EventBatch> {
    await this.subscribe(false);
    if (againBatchId === undefined && lastDoneBatchId !== undefined) {
      const missed = await this.missedBatch(lastDoneBatchId);
      if (missed !== null) return missed;
    }
    if (againBatchId !== undefined) {
      const again = await this.get({ requestId: againBatchId });
      if (again !== 'unknown') return again;
      // Bullhorn no longer has that batch (or the subscription): its events are gone and the next
      // incremental pull brings the changes. A fresh poll keeps the hub from asking for it forever.
      this.ctx.logger.warn({ systemId: this.ctx.systemId, requestId: againBatchId }, 'bullhorn: event batch can no longer be re-read; polling anew');
    }
    const batch = await this.get({});
    if (batch !== 'unknown') return batch;
    await this.subscribe(true);
    const retry = await this.get({});
    return retry === 'unknown' ? { batchId: null, events: [] } : retry;
  }

  private async subscribe(force: boolean): Promise<void> {
    if (this.ready && !force) return;
    const wanted = `${this.subscriptionId}|${this.names}`;
    if (!force && (await this.ctx.state.get(SUBSCRIPTION_KEY)) === wanted) {
      this.ready = true;
      return;
    }
    // PUT of an existing subscription changes its filter and keeps its queue: safe to repeat.
    await this.http.request({
      method: 'PUT',
      path: `event/subscription/${encodeURIComponent(this.subscriptionId)}`,
      query: { type: 'entity', names: this.names, eventTypes: EVENT_TYPES },
    });
    await this.ctx.state.set(SUBSCRIPTION_KEY, wanted);
    this.ready = true;
    this.ctx.logger.info({ systemId: this.ctx.systemId, subscriptionId: this.subscriptionId }, 'bullhorn: event subscription made');
  }

  /**
   * A poll that took a batch off the queue and died before the hub wrote it leaves Bullhorn's
   * `lastRequestId` ahead of the last batch the hub wrote: that batch is read again by its id
   * (only the newest can be missing, since every poll checks first). Null when nothing is missing.
   */
  private async missedBatch(lastDoneBatchId: string): Promise<EventBatch | null> {
    if (!/^\d+$/.test(lastDoneBatchId)) return null;
    const response = await this.http.get(`event/subscription/${encodeURIComponent(this.subscriptionId)}/lastRequestId`, {}, { accept: [404] });
    const latest = response.status === 404 ? null : LastRequestId.safeParse(response.data).data?.result;
    if (latest === undefined || latest === null || latest <= Number(lastDoneBatchId)) return null;
    const again = await this.get({ requestId: String(latest) });
    if (again === 'unknown' || again.events.length === 0) return null;
    this.ctx.logger.warn({ systemId: this.ctx.systemId, requestId: latest }, 'bullhorn: reading again an event batch fetched by a poll that never wrote it');
    return again;
  }

  /** One poll (or re-read); 'unknown' when Bullhorn has no such subscription or batch. */
  private async get(extra: { readonly requestId?: string }): Promise<EventBatch | 'unknown'> {
    const response = await this.http.get(
      `event/subscription/${encodeURIComponent(this.subscriptionId)}`,
      { maxEvents: MAX_EVENTS, ...extra },
      // 404: no such subscription. 400 on a re-read: the batch is too old to be kept.
      { accept: extra.requestId === undefined ? [404] : [400, 404] },
    );
    if (response.status === 404 || response.status === 400) {
      if (response.status === 404) this.ready = false;
      return 'unknown';
    }
    return toEventBatch(response.data);
  }
}

/**
 * A poll's answer as the hub's events: `eventId` is Bullhorn's (`ID:JBM-…`, unique), the kind
 * follows `entityEventType`, and events of entities the connector does not read are left out.
 * Nothing pending shows as an empty body or a body without `events` (docs/vendors.md §1.4 leaves it
 * open): both give no events.
 */
export function toEventBatch(body: unknown): EventBatch {
  const parsed = Poll.safeParse(body);
  if (!parsed.success) return { batchId: null, events: [] };
  const events = (parsed.data.events ?? []).flatMap((raw): ChangeEvent[] => {
    // One malformed event must not cost the others: they have already left Bullhorn's queue.
    const item = Event.safeParse(raw);
    if (!item.success) return [];
    const event = item.data;
    const kind = KIND[event.entityEventType];
    if (kind === undefined || !isBullhornEntity(event.entityName)) return [];
    return [{
      eventId: event.eventId,
      entity: event.entityName,
      externalId: String(event.entityId),
      kind,
      occurredAt: event.eventTimestamp === undefined ? null : new Date(event.eventTimestamp).toISOString(),
    }];
  });
  return { batchId: parsed.data.requestId === undefined ? null : String(parsed.data.requestId), events };
}
