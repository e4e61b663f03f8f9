import { nowIso } from '../../src/lib/time.ts';
import { newId } from '../../src/lib/ids.ts';
import type { Handler } from '../context.ts';
import { eventsAfterJobId, inboxJobId } from '../../src/queue/ids.ts';

/** Connector state key: the batch fetched but not yet written to the inbox. */
const PENDING_BATCH = 'events.pendingBatch';
/** Connector state key: the last batch written to the inbox, committed with its events. */
const LAST_DONE_BATCH = 'events.lastDoneBatch';

/**
 * Polls a vendor event queue once (Bullhorn subscriptions remove events once fetched). The batch
 * id is saved before anything else, so a failure after that re-fetches the same batch by id; the
 * events go into the inbox — deduplicated on event id — and each is processed like a webhook
 * delivery. The id of the last batch written goes into the same commit as its events: the
 * connector is told it, and finds from it a batch a poll fetched but died before saving at all.
 */
export const eventsPoll: Handler<'events.poll'> = async (payload, ctx) => {
  const { hub } = ctx;
  const store = hub.store();
  const connector = hub.connector(payload.system);
  if (!connector.pollEvents) return;
  const pending = await store.repos.state.get(payload.system, PENDING_BATCH);
  const again = payload.againBatchId ?? (pending !== null && pending !== '' ? pending : undefined);
  const lastDone = await store.repos.state.get(payload.system, LAST_DONE_BATCH);
  const batch = await connector.pollEvents(again, lastDone !== null && lastDone !== '' ? lastDone : undefined);
  if (batch.events.length === 0) {
    // An empty batch still moves a feed's position (past events the hub does not track).
    const batchId = batch.batchId;
    if (batchId !== null && batchId !== lastDone) await store.unitOfWork((tx) => tx.state.set(payload.system, LAST_DONE_BATCH, batchId, nowIso()));
    return;
  }
  if (batch.batchId !== null) {
    const batchId = batch.batchId;
    await store.unitOfWork((tx) => tx.state.set(payload.system, PENDING_BATCH, batchId, nowIso()));
  }

  const inserted = await store.unitOfWork(async (tx) => {
    const ids: string[] = [];
    const now = nowIso();
    for (const event of batch.events) {
      const result = await tx.inbox.insert({
        id: newId(), system: payload.system, eventId: event.eventId, kind: 'event', entity: event.entity,
        externalId: event.externalId, payload: JSON.stringify(event), receivedAt: now,
      });
      if (result.inserted) ids.push(result.id);
    }
    await tx.state.set(payload.system, PENDING_BATCH, '', now);
    if (batch.batchId !== null) await tx.state.set(payload.system, LAST_DONE_BATCH, batch.batchId, now);
    return ids;
  });
  for (const inboxId of inserted) {
    await ctx.enqueue('webhook.process', { system: payload.system, inboxId }, { jobId: inboxJobId(inboxId) });
  }
  // A full batch means more are waiting: keep reading until the queue is empty.
  if (batch.events.length > 0 && batch.batchId !== null) {
    await ctx.enqueue('events.poll', { system: payload.system }, { jobId: eventsAfterJobId(payload.system, batch.batchId) });
  }
};
