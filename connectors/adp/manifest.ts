import type { ConnectorManifestInput } from '../kit/index.ts';

/** Vendor entity names, as the mapping files in `mappings/adp/` name them. */
export const ENTITY = { workers: 'workers', payDataInputs: 'payDataInputs' } as const;

/** The production token endpoint (§4.1); IAT is https://iat-accounts.adp.com/auth/oauth/v2/token. */
export const ADP_TOKEN_URL = 'https://accounts.adp.com/auth/oauth/v2/token';

/**
 * ADP Workforce Now (docs/vendors.md §4): OAuth 2 client credentials, and every call (token and API)
 * over mutual TLS with the certificate ADP signed for the firm. Workers are read with `$top` and
 * `$skip`; their changes come from the event notification queue, polled and acknowledged.
 */
export const manifest = {
  id: 'adp' as const,
  kind: 'payroll',
  displayName: 'ADP Workforce Now',
  entities: [
    { name: ENTITY.workers, pull: true, events: true },
    // Approved time as earnings in the worker's pay data batch; never listed (ADP has no listing of batches we rely on).
    { name: ENTITY.payDataInputs, pull: false, push: ['create', 'update'] },
  ],
  auth: {
    scheme: 'oauth2-client-credentials-mtls',
    fields: [
      { key: 'clientId', env: 'CLIENT_ID', secret: false, description: 'OAuth client id of the firm\'s ADP API Central / Marketplace app' },
      { key: 'clientSecret', env: 'CLIENT_SECRET', secret: true, description: 'OAuth client secret' },
      { key: 'certificate', env: 'CERTIFICATE', secret: false, description: 'PEM client certificate ADP signed from the firm\'s CSR (environment-specific)' },
      { key: 'privateKey', env: 'PRIVATE_KEY', secret: true, description: 'PEM private key of that certificate' },
      { key: 'caCertificate', env: 'CA_CERTIFICATE', secret: false, required: false, description: 'PEM CA of the server certificate, when not a public one (test environments)' },
      { key: 'tokenUrl', env: 'TOKEN_URL', secret: false, required: false, description: `token endpoint; default ${ADP_TOKEN_URL}` },
    ],
  },
  events: { mode: 'queue', intervalMs: 60_000 },
  // ADP publishes no limit: a conservative guess; 429 and 503 are waited out and retried.
  rateLimit: { requests: 10, windowMs: 1_000, documented: false },
  baseUrl: 'https://api.adp.com',
  // Pay data input names the worker (associateOID), never a job: an assignment is its candidate's worker.
  workerLinks: 'candidate',
} satisfies ConnectorManifestInput;
