import {
  ConnectorConfigError, defineConnector, type ConnectorContext, type ConnectorInstance, type ConnectorManifest, type PullPage,
  type PullRequest, type VendorRecord,
} from '../kit/index.ts';
import { createGustoClient, type GustoClient } from './client.ts';
import { pollFeed } from './events.ts';
import { ENTITY, manifest } from './manifest.ts';
import { gustoPayrollFile } from './payroll-file.ts';
import { push } from './push/index.ts';
import { fetchEmployees, pullEmployees } from './streams/employees.ts';
import { fetchCompensations, fetchJobs } from './streams/jobs.ts';
import { fetchPayrolls, pullPayrolls } from './streams/payrolls.ts';
import { fetchTimeSheets, pullTimeSheets } from './streams/time-sheets.ts';
import { createWebhooks } from './webhook.ts';

import { setupWebhooks } from './setup-webhooks.ts';

export { setupWebhooks, type SetupWebhooksOptions, type WebhookSetup } from './setup-webhooks.ts';
export { GUSTO_API_VERSION } from './manifest.ts';
export { paidHours, type PaidHours } from './payroll-hours.ts';

/**
 * What the Gusto instance offers beyond the contract: Gusto's webhook handshake (see webhook.ts).
 * The hub's webhook route calls it for an unsigned delivery before refusing it.
 */
export interface GustoInstance extends ConnectorInstance {
  acceptWebhookHandshake(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Promise<boolean>;
}

/** Gusto (payroll): employees, jobs, compensations, time sheets, payrolls. See README.md in this folder. */
export const gusto = defineConnector({
  manifest,
  create: (ctx, parsed) => createGusto(ctx, parsed),
  payrollFile: gustoPayrollFile,
  actions: {
    setupWebhooks: async (ctx, url) => {
      const setup = await setupWebhooks(ctx, url);
      // The verification token is the HMAC key: kept in the hub state by setupWebhooks, never printed.
      return { subscriptionUuid: setup.subscriptionUuid, status: setup.status, verificationToken: 'kept in the hub state' };
    },
  },
});

function createGusto(ctx: ConnectorContext, parsed: ConnectorManifest): GustoInstance {
  const client = createGustoClient(ctx, parsed);
  const webhooks = createWebhooks(ctx);
  return {
    pullPage: (request) => pullPage(client, request),
    fetchByIds: (entity, ids) => fetchByIds(client, entity, ids),
    push: (request) => push(client, request),
    verifyWebhook: (rawBody, headers) => webhooks.verify(rawBody, headers),
    parseWebhook: (rawBody, headers) => webhooks.parse(rawBody, headers),
    acceptWebhookHandshake: (rawBody, headers) => webhooks.acceptHandshake(rawBody, headers),
    pollEvents: (againBatchId, lastDoneBatchId) => pollFeed(client, againBatchId, lastDoneBatchId),
    requestStats: () => client.http.stats(),
  };
}

async function pullPage(client: GustoClient, request: PullRequest): Promise<PullPage> {
  switch (request.entity) {
    case ENTITY.employees:
      return pullEmployees(client, request);
    case ENTITY.timeSheets:
      return pullTimeSheets(client, request);
    case ENTITY.payrolls:
      return pullPayrolls(client, request);
    default:
      throw unknownEntity(client, request.entity, 'pulled');
  }
}

async function fetchByIds(client: GustoClient, entity: string, ids: readonly string[]): Promise<VendorRecord[]> {
  if (ids.length === 0) return [];
  switch (entity) {
    case ENTITY.employees:
      return fetchEmployees(client, ids);
    case ENTITY.timeSheets:
      return fetchTimeSheets(client, ids);
    case ENTITY.payrolls:
      return fetchPayrolls(client, ids);
    case ENTITY.jobs:
      return fetchJobs(client, ids);
    case ENTITY.compensations:
      return fetchCompensations(client, ids);
    default:
      throw unknownEntity(client, entity, 'read');
  }
}

function unknownEntity(client: GustoClient, entity: string, what: string): ConnectorConfigError {
  return ConnectorConfigError.forSystem(client.ctx.systemId, `Gusto ${entity} cannot be ${what} (entities: ${Object.values(ENTITY).join(', ')})`, 'misconfigured');
}
