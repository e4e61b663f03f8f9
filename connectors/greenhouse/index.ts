import {
  ConnectorConfigError, defineConnector, type ConnectorContext, type ConnectorInstance, type ConnectorManifest, type PullPage, type PullRequest,
  type VendorRecord,
} from '../kit/index.ts';
import { createGreenhouseClient, type GreenhouseClient } from './client.ts';
import { ENTITY, manifest, type GreenhouseEntity } from './manifest.ts';
import { fetchList, pullList } from './streams/listing.ts';
import { createWebhooks } from './webhook.ts';

/** Greenhouse Harvest (ATS): jobs, candidates, applications; recruiting webhooks. See README.md in this folder. */
export const greenhouse = defineConnector({
  manifest,
  create: (ctx, parsed) => createGreenhouse(ctx, parsed),
});

function createGreenhouse(ctx: ConnectorContext, parsed: ConnectorManifest): ConnectorInstance {
  const client = createGreenhouseClient(ctx, parsed);
  const webhooks = createWebhooks(ctx, parsed);
  return {
    pullPage: (request: PullRequest): Promise<PullPage> => pullList(client, entityOf(client, request.entity, 'pulled'), request),
    fetchByIds: (entity: string, ids: readonly string[]): Promise<VendorRecord[]> => fetchList(client, entityOf(client, entity, 'read'), ids),
    push: () => Promise.reject(ConnectorConfigError.forSystem(ctx.systemId, 'the hub does not write to Greenhouse (requisitions, candidates and submissions start in the ATS)', 'misconfigured')),
    verifyWebhook: (rawBody, headers) => webhooks.verify(rawBody, headers),
    parseWebhook: (rawBody, headers) => webhooks.parse(rawBody, headers),
    requestStats: () => client.http.stats(),
  };
}

function entityOf(client: GreenhouseClient, entity: string, what: string): GreenhouseEntity {
  const known = Object.values(ENTITY) as readonly string[];
  if (known.includes(entity)) return entity as GreenhouseEntity; // checked against ENTITY just above
  throw ConnectorConfigError.forSystem(client.ctx.systemId, `Greenhouse ${entity} cannot be ${what} (entities: ${known.join(', ')})`, 'misconfigured');
}
