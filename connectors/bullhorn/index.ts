import { defineConnector, type ConnectorContext, type ConnectorInstance, type ConnectorManifest } from '../kit/index.ts';
import { createBullhornClient } from './client.ts';
import { entityInfo, type BullhornEntity } from './entities.ts';
import { EventPoller } from './events.ts';
import { fieldsParameter } from './fields.ts';
import { BULLHORN_MANIFEST } from './manifest.ts';
import { pushRecord } from './push.ts';
import { fetchRecords } from './streams/fetch.ts';
import { listPage } from './streams/listing.ts';

/** The Bullhorn REST connector (see README.md in this folder). */
export const bullhorn = defineConnector({
  manifest: BULLHORN_MANIFEST,
  create: (ctx, manifest) => createBullhorn(ctx, manifest),
});

function createBullhorn(ctx: ConnectorContext, manifest: ConnectorManifest): ConnectorInstance {
  const { http } = createBullhornClient(ctx, manifest);
  const events = new EventPoller(ctx, http);
  /**
   * The fields the hub's mappings asked for in pulls, per entity: a record fetched by id (an
   * event, a read-back) is asked for the same ones, on top of the defaults.
   */
  const pulledFields = new Map<BullhornEntity, readonly string[]>();
  const fieldsFor = (entity: BullhornEntity, defaults: readonly string[]): string =>
    fieldsParameter(ctx.systemId, [...defaults, ...(pulledFields.get(entity) ?? [])]);

  return {
    async pullPage(request) {
      const info = entityInfo(ctx.systemId, request.entity);
      const asked = request.fields ?? [];
      if (asked.length > 0) pulledFields.set(info.name, asked);
      const fields = asked.length > 0 ? fieldsParameter(ctx.systemId, asked) : fieldsFor(info.name, info.defaultFields);
      return listPage(http, ctx.systemId, info, { ...request, fields });
    },

    async fetchByIds(entity, ids) {
      const info = entityInfo(ctx.systemId, entity);
      return fetchRecords(http, info, ids, fieldsFor(info.name, info.defaultFields));
    },

    async push(request) {
      return pushRecord(http, entityInfo(ctx.systemId, request.entity), request);
    },

    pollEvents: (againBatchId, lastDoneBatchId) => events.poll(againBatchId, lastDoneBatchId),

    requestStats: () => http.stats(),
  };
}
