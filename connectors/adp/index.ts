import {
  ConnectorConfigError, defineConnector, type ConnectorContext, type ConnectorInstance, type ConnectorManifest, type VendorRecord,
} from '../kit/index.ts';
import { createAdpClient, type AdpClient } from './client.ts';
import { pollMessages } from './events.ts';
import { createPayDataPusher, readBackRecord } from './push/pay-data-input.ts';
import { ENTITY, manifest } from './manifest.ts';
import { adpPayrollFile } from './payroll-file.ts';
import { fetchWorkers, pullWorkers } from './streams/workers.ts';

/** ADP Workforce Now (payroll): workers over mutual TLS, the event notification queue, approved time as pay data input. See README.md in this folder. */
export const adp = defineConnector({
  manifest,
  create: (ctx, parsed) => createAdp(ctx, parsed),
  payrollFile: adpPayrollFile,
});

function createAdp(ctx: ConnectorContext, parsed: ConnectorManifest): ConnectorInstance {
  const client = createAdpClient(ctx, parsed);
  const pushPayData = createPayDataPusher(client);
  return {
    pullPage: (request) => {
      if (request.entity !== ENTITY.workers) return Promise.reject(unknownEntity(client, request.entity));
      return pullWorkers(client, request);
    },
    fetchByIds: (entity, ids): Promise<VendorRecord[]> => {
      if (entity === ENTITY.payDataInputs) return Promise.all(ids.map((id) => readBackRecord(client, id)));
      if (entity !== ENTITY.workers) return Promise.reject(unknownEntity(client, entity));
      return fetchWorkers(client, ids);
    },
    push: (request) => {
      if (request.entity !== ENTITY.payDataInputs) return Promise.reject(unknownEntity(client, request.entity));
      return pushPayData(request);
    },
    pollEvents: (againBatchId, lastDoneBatchId) => pollMessages(client, againBatchId, lastDoneBatchId),
    requestStats: () => client.http.stats(),
  };
}

function unknownEntity(client: AdpClient, entity: string): ConnectorConfigError {
  return ConnectorConfigError.forSystem(client.ctx.systemId, `ADP ${entity} is not an entity this connector reads (${Object.values(ENTITY).join(', ')})`, 'misconfigured');
}
