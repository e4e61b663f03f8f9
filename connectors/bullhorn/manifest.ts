import type { ConnectorManifestInput } from '../kit/index.ts';
import { ENTITY_NAMES, PUSHABLE } from './entities.ts';

/**
 * What the Bullhorn connector declares (docs/vendors.md §1). Every entity is pulled
 * incrementally on `dateLastModified` and reported by the event subscription; JobOrder,
 * ClientContact and Placement also take writes.
 */
export const BULLHORN_MANIFEST: ConnectorManifestInput & { readonly id: 'bullhorn' } = {
  id: 'bullhorn',
  kind: 'ats',
  displayName: 'Bullhorn',
  entities: ENTITY_NAMES.map((name) => ({
    name,
    pull: true,
    incremental: true,
    push: PUSHABLE.has(name) ? ['create' as const, 'update' as const] : [],
    events: true,
  })),
  auth: {
    // loginInfo → OAuth authorize (headless) → token → REST login (BhRestToken + restUrl), §1.1.
    scheme: 'bullhorn-rest-login',
    fields: [
      { key: 'clientId', env: 'CLIENT_ID', secret: false, description: 'OAuth client id of the API key' },
      { key: 'clientSecret', env: 'CLIENT_SECRET', secret: true, description: 'OAuth client secret' },
      { key: 'username', env: 'USERNAME', secret: false, description: 'the API user' },
      { key: 'password', env: 'PASSWORD', secret: true, description: "the API user's password (headless authorize)" },
      {
        key: 'loginUrl', env: 'LOGIN_URL', secret: false, required: false,
        description: 'full loginInfo URL to ask for data-center discovery; default <baseUrl>/rest-services/loginInfo',
      },
      {
        key: 'subscriptionId', env: 'SUBSCRIPTION_ID', secret: false, required: false,
        description: 'event subscription name; default crosswalk-<system>',
      },
    ],
  },
  // Fetched events leave Bullhorn's queue; a failed batch is read again by its requestId.
  events: { mode: 'queue', intervalMs: 60_000 },
  rateLimit: {
    requests: 1_500,
    windowMs: 60_000,
    source: 'https://kb.bullhorn.com/ats/Content/BHATS/Topics/understandingBHAPIUsageLimitsVersioningBackwardCompatibility.htm',
  },
  baseUrl: 'https://rest.bullhornstaffing.com',
};
