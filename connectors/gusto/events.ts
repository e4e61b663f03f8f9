import { ConnectorConfigError, type ChangeEvent, type EventBatch } from '../kit/index.ts';
import type { GustoClient } from './client.ts';
import { ENTITY } from './manifest.ts';
import { GustoEvents, type GustoEvent } from './schemas.ts';

/** Gusto `entity_type` → the connector's entity. Other types (Company, Contractor, …) are not tracked. */
const ENTITY_OF_TYPE: Readonly<Record<string, string>> = {
  Employee: ENTITY.employees,
  TimeSheet: ENTITY.timeSheets,
  Payroll: ENTITY.payrolls,
};

/** The `event_type` family of an entity's events (`employee.created`, `employee.updated`, …). */
export const FAMILY_OF_ENTITY: Readonly<Record<string, string>> = {
  [ENTITY.employees]: 'employee',
  [ENTITY.timeSheets]: 'time_sheet',
  [ENTITY.payrolls]: 'payroll',
};

export const FEED_LIMIT = 100;

/** A Gusto event as the hub needs it, or null for an entity type the connector does not track. */
export function toChangeEvent(event: GustoEvent): ChangeEvent | null {
  const entity = ENTITY_OF_TYPE[event.entity_type];
  if (entity === undefined) return null;
  const action = event.event_type.slice(event.event_type.lastIndexOf('.') + 1);
  // terminated, processed, paid, rehired…: the record still exists and changed.
  const kind = action === 'created' ? 'created' : action === 'deleted' || action === 'destroyed' ? 'deleted' : 'updated';
  return { eventId: event.uuid, entity, externalId: event.entity_uuid, kind, occurredAt: new Date(event.timestamp * 1000).toISOString() };
}

export interface FeedPage {
  readonly events: readonly GustoEvent[];
  readonly hasNext: boolean;
}

/** One page of `/v1/events` after a cursor (null: from the oldest event Gusto keeps). */
export async function readFeed(client: GustoClient, after: string | null, eventType?: string): Promise<FeedPage> {
  const response = await client.http.get('/v1/events', {
    starting_after_uuid: after ?? undefined,
    limit: FEED_LIMIT,
    event_type: eventType,
    resource_uuid: await client.companyUuid(),
  });
  return { events: GustoEvents.parse(response.data), hasNext: response.headers['x-has-next-page'] === 'true' };
}

/** Gusto answers an unknown `starting_after_uuid` (an event past its retention) with a 422. */
export function isUnknownCursor(err: unknown): boolean {
  return err instanceof ConnectorConfigError && err.status === 422;
}

const CURSOR_KEY = 'events.feedCursor';
/** Raw feed pages read in one poll while they hold only untracked events (Company, …). */
const MAX_PAGES_PER_POLL = 5;

/**
 * The events feed as an event queue (a safety net behind webhooks). A poll reads after the last
 * batch the hub wrote to its inbox (`lastDoneBatchId`), so a poll that dies before the hub has
 * its events reads them again next time; without one (a hub that never wrote a batch) it reads
 * after the cursor kept in `ctx.state`, which each poll moves past what it returns. The batch id
 * `<after>|<last>` names that stretch of the feed, so `pollEvents(batchId)` reads exactly it again.
 */
export async function pollFeed(client: GustoClient, againBatchId?: string, lastDoneBatchId?: string): Promise<EventBatch> {
  if (againBatchId !== undefined) return rereadBatch(client, againBatchId);
  const state = client.ctx.state;
  const done = lastDoneBatchId === undefined ? '' : lastDoneBatchId.slice(lastDoneBatchId.lastIndexOf('|') + 1);
  const stored = done !== '' ? done : await state.get(CURSOR_KEY);
  let after = stored === null || stored === '' ? null : stored;
  let cursor = after;
  let last: string | null = null;
  const events: ChangeEvent[] = [];
  for (let pages = 0; pages < MAX_PAGES_PER_POLL; pages++) {
    let page: FeedPage;
    try {
      page = await readFeed(client, cursor);
    } catch (err: unknown) {
      if (!isUnknownCursor(err) || cursor === null || pages > 0) throw err;
      client.ctx.logger.warn({ systemId: client.ctx.systemId }, 'gusto events cursor is past retention; reading the feed from its start');
      after = null;
      cursor = null;
      page = await readFeed(client, null);
    }
    const tail = page.events.at(-1);
    if (tail === undefined) break;
    last = tail.uuid;
    cursor = tail.uuid;
    for (const event of page.events) {
      const change = toChangeEvent(event);
      if (change !== null) events.push(change);
    }
    if (events.length > 0 || !page.hasNext) break;
  }
  if (last === null) return { batchId: null, events: [] };
  await state.set(CURSOR_KEY, last);
  return { batchId: `${after ?? ''}|${last}`, events };
}

async function rereadBatch(client: GustoClient, batchId: string): Promise<EventBatch> {
  const bar = batchId.lastIndexOf('|');
  const after = bar > 0 ? batchId.slice(0, bar) : null;
  const last = batchId.slice(bar + 1);
  if (bar < 0 || last === '') throw ConnectorConfigError.forSystem(client.ctx.systemId, `not a Gusto events batch id: ${batchId}`, 'misconfigured');
  const events: ChangeEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await readFeed(client, cursor);
    for (const event of page.events) {
      const change = toChangeEvent(event);
      if (change !== null) events.push(change);
      if (event.uuid === last) return { batchId, events };
    }
    const tail = page.events.at(-1);
    if (tail === undefined || !page.hasNext) return { batchId, events };
    cursor = tail.uuid;
  }
}
