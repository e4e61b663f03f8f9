import type { ConnectorManifestInput } from '../kit/index.ts';

/** Vendor entity names, as the mapping files in `mappings/greenhouse/` name them (Harvest's own list names). */
export const ENTITY = {
  jobs: 'jobs',
  candidates: 'candidates',
  applications: 'applications',
} as const;
export type GreenhouseEntity = (typeof ENTITY)[keyof typeof ENTITY];

/**
 * Greenhouse Harvest v1 (docs/vendors.md §2). Read-only: requisitions, candidates and submissions start
 * in the ATS, and the hub writes nothing back to Greenhouse. Incremental pulls use `updated_after`
 * (jobs, candidates) and `last_activity_after` (applications, which have no `updated_after`).
 */
export const manifest = {
  id: 'greenhouse' as const,
  kind: 'ats',
  displayName: 'Greenhouse Harvest',
  entities: [
    { name: ENTITY.jobs, pull: true, incremental: true, events: true },
    { name: ENTITY.candidates, pull: true, incremental: true, events: true },
    { name: ENTITY.applications, pull: true, incremental: true, events: true },
  ],
  auth: {
    scheme: 'basic',
    fields: [
      { key: 'apiKey', env: 'API_KEY', secret: true, description: 'Harvest API key: the Basic user name, with an empty password' },
      { key: 'webhookSecret', env: 'WEBHOOK_SECRET', secret: true, required: false, description: 'secret key of the recruiting webhook endpoint (signs deliveries)' },
      { key: 'previousWebhookSecret', env: 'WEBHOOK_SECRET_PREVIOUS', secret: true, required: false, description: 'the previous secret key during a rotation' },
    ],
  },
  webhook: {
    scheme: 'greenhouse-sha256',
    signatureHeader: 'Signature',
    idHeader: 'Greenhouse-Event-ID',
    timestampSigned: false,
    secretFields: ['webhookSecret', 'previousWebhookSecret'],
    eventTypes: ['hire_candidate', 'new_candidate_application', 'candidate_stage_change', 'reject_candidate', 'update_candidate', 'delete_candidate', 'job_updated'],
  },
  // The doc gives 50 per 10 seconds as an example: the real figure comes in X-RateLimit-Limit on
  // every response, and the client budgets by X-RateLimit-Remaining (client.ts).
  rateLimit: {
    requests: 50,
    windowMs: 10_000,
    resetHeader: 'X-RateLimit-Reset',
    source: 'https://developers.greenhouse.io/harvest.html#rate-limiting',
  },
  baseUrl: 'https://harvest.greenhouse.io',
} satisfies ConnectorManifestInput;
