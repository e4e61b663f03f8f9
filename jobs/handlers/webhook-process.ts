import type { ChangeEvent } from '../../connectors/kit/index.ts';
import type { IncomingRecord } from '../../src/engine/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import type { InboxRow } from '../../src/store/index.ts';
import type { Hub } from '../../src/hub.ts';
import type { Handler } from '../context.ts';
import { applyMapped, mapRecords, type Mapped } from '../lib/map-records.ts';

/**
 * One inbox row (a verified webhook delivery, or a polled event): events carry ids only, so the
 * changed records are fetched again, mapped and applied; the row is marked done in the same unit of
 * work. A row already done (a duplicate job) is left alone.
 */
export const webhookProcess: Handler<'webhook.process'> = async (payload, ctx) => {
  const { hub } = ctx;
  const store = hub.store();
  const row = await store.repos.inbox.get(payload.inboxId);
  if (row?.status !== 'pending') return;

  const events = eventsOf(hub, row);
  const registry = hub.registry();
  // Only mappings that carry something inward: a vendor entity the hub only pushes to (Gusto time
  // sheets) has nothing to apply, and re-reading it would only echo our own push.
  const inbound = (entity: string) => registry.allByVendorEntity(row.system, entity).filter((m) => m.inboundFields().length > 0);
  const unmapped = events.filter((e) => inbound(e.entity).length === 0);
  const byEntity = new Map<string, ChangeEvent[]>();
  for (const event of events) {
    if (unmapped.includes(event)) continue;
    byEntity.set(event.entity, [...(byEntity.get(event.entity) ?? []), event]);
  }

  // Fetch first, outside any unit of work: never call a vendor inside one.
  const work: Array<{ mapped: Mapped; deletes: Array<{ entity: string; records: IncomingRecord[] }> }> = [];
  for (const [entity, list] of byEntity) {
    const mappings = inbound(entity);
    const deleted = list.filter((e) => e.kind === 'deleted');
    const changed = [...new Set(list.filter((e) => e.kind !== 'deleted').map((e) => e.externalId))];
    const fetched = changed.length > 0 ? await hub.connector(row.system).fetchByIds(entity, changed) : [];
    const deletes = mappings.map((m) => ({
      entity: m.entity,
      records: deleted.map((e): IncomingRecord => ({ externalId: e.externalId, sourceModifiedAt: e.occurredAt, values: {}, deleted: true })),
    }));
    work.push({ mapped: mapRecords(mappings, fetched), deletes });
  }

  await store.unitOfWork(async (tx) => {
    const fresh = await tx.inbox.get(row.id);
    if (fresh?.status !== 'pending') return;
    for (const { mapped, deletes } of work) {
      await applyMapped(hub, tx, row.system, mapped, { jobId: ctx.jobId });
      for (const d of deletes) {
        if (d.records.length > 0) await hub.engine().applyIn(tx, { system: row.system, entity: d.entity as never, records: d.records, jobId: ctx.jobId });
      }
    }
    const note = unmapped.length > 0 ? `no mapping for ${[...new Set(unmapped.map((e) => e.entity))].join(', ')}` : null;
    await tx.inbox.markProcessed(row.id, events.length === unmapped.length && events.length > 0 ? 'ignored' : 'done', note, nowIso());
  });
};

function eventsOf(hub: Hub, row: InboxRow): ChangeEvent[] {
  if (row.kind === 'event') return [JSON.parse(row.payload) as ChangeEvent];
  const connector = hub.connector(row.system);
  if (!connector.parseWebhook) return [];
  // The headers the route kept for the connector (an event id header), as the delivery had them.
  return connector.parseWebhook(Buffer.from(row.payload, 'utf8'), row.headers ?? {});
}
