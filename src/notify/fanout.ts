import { newId } from '../lib/ids.ts';
import { nowIso } from '../lib/time.ts';
import type { PortalEventRow } from '../model/index.ts';
import type { NewDelivery, Store } from '../store/index.ts';
import { TargetResolver } from './targets.ts';

/** The event log consumer's name in `notification_cursors`. */
export const FANOUT_CURSOR = 'fanout';

export interface FanOutOptions {
  /** Events read per unit of work. @defaultValue 500 */
  readonly batch?: number;
  readonly now?: () => string;
  /**
   * Called after each event's deliveries are written, inside the unit of work (tests stop a child
   * process here to kill it mid-fan-out). Must not touch the store.
   */
  readonly afterEvent?: (seq: number, deliveries: number) => void;
}

export interface FanOutResult {
  readonly events: number;
  readonly deliveries: number;
  readonly cursor: number;
}

/**
 * Reads the events after the consumer's cursor and, in ONE unit of work, writes one delivery row
 * per (event, recipient) and per (event, subscription) and moves the cursor past them. A process
 * killed half way leaves neither rows nor cursor (the transaction rolls back), so the next run
 * redoes the whole batch; two consumers at once are serialised by the write lock and read the
 * cursor inside it; and each row's dedupe key (`e:<seq>:<target>`) is unique besides. Exactly one
 * delivery per subscription and recipient, whatever dies when.
 */
export async function fanOutOnce(store: Store, options: FanOutOptions = {}): Promise<FanOutResult> {
  const now = (options.now ?? nowIso)();
  const batch = options.batch ?? 500;
  return store.unitOfWork(async (tx) => {
    const cursor = await tx.notifications.cursor(FANOUT_CURSOR);
    const events = await tx.events.after(cursor, batch);
    if (events.length === 0) return { events: 0, deliveries: 0, cursor };
    const resolver = new TargetResolver(tx, now.slice(0, 10));
    let deliveries = 0;
    for (const event of events) {
      const rows = await deliveriesFor(event, resolver);
      deliveries += await tx.notifications.insertDeliveries(rows, now);
      options.afterEvent?.(event.seq, rows.length);
    }
    const last = events[events.length - 1]?.seq ?? cursor;
    await tx.notifications.setCursor(FANOUT_CURSOR, last, now);
    return { events: events.length, deliveries, cursor: last };
  });
}

/** Fans out until the log is read to its end (or `maxBatches`). */
export async function fanOutAll(store: Store, options: FanOutOptions & { maxBatches?: number } = {}): Promise<FanOutResult> {
  let events = 0;
  let deliveries = 0;
  let cursor = 0;
  for (let i = 0; i < (options.maxBatches ?? 1_000); i++) {
    const r = await fanOutOnce(store, options);
    events += r.events;
    deliveries += r.deliveries;
    cursor = r.cursor;
    if (r.events < (options.batch ?? 500)) break;
  }
  return { events, deliveries, cursor };
}

/**
 * An event about something internal (an internal document or comment: its producer marks
 * `data.visibility`) is staff business: it never reaches a contact, whatever the rules say, nor a
 * subscription scoped to a client (a client's feed). Hub-wide subscriptions (the portal's own
 * back end, ops tooling) still hear of it.
 */
export function isInternalEvent(event: Pick<PortalEventRow, 'data'>): boolean {
  return event.data['visibility'] === 'internal';
}

async function deliveriesFor(event: PortalEventRow, resolver: TargetResolver): Promise<NewDelivery[]> {
  const base = { eventSeq: event.seq, eventType: event.type, entity: event.entity, canonicalId: event.canonicalId, clientId: event.clientId, localDate: null };
  const rows: NewDelivery[] = [];
  const internal = isInternalEvent(event);
  for (const r of await resolver.recipients(event)) {
    if (r.mode === 'off') continue;
    if (internal && r.kind !== 'user') continue;
    const target = `${r.kind}:${r.id}`;
    rows.push({
      ...base, id: newId(), dedupeKey: `e:${event.seq}:${target}`, channel: 'email', target, contactId: r.kind === 'contact' ? r.id : null,
      subscriptionId: null, address: r.email, status: r.mode === 'digest' ? 'held' : 'queued',
    });
  }
  for (const s of await resolver.subscriptions(event)) {
    if (internal && s.clientId !== null) continue;
    const target = `webhook:${s.id}`;
    rows.push({ ...base, id: newId(), dedupeKey: `e:${event.seq}:${target}`, channel: 'webhook', target, contactId: null, subscriptionId: s.id, address: s.url, status: 'queued' });
  }
  return rows;
}
