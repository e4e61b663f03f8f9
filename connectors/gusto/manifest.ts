import type { ConnectorManifestInput } from '../kit/index.ts';

/** Gusto's date-based API version, sent on every call (omitted, Gusto falls back to the app's minimum version). */
export const GUSTO_API_VERSION = '2025-06-15';

/** Vendor entity names, as the mapping files in `mappings/gusto/` name them. */
export const ENTITY = {
  employees: 'employees',
  jobs: 'jobs',
  compensations: 'compensations',
  timeSheets: 'time_sheets',
  payrolls: 'payrolls',
} as const;

/**
 * What the Gusto connector declares. `incremental` on employees, time sheets and payrolls is served
 * from the `/v1/events` feed (Gusto has no modified-since filter on these listings): see README.md.
 * Jobs and compensations are only written (their changes are announced as `employee.updated`).
 */
export const manifest = {
  id: 'gusto' as const,
  kind: 'payroll',
  displayName: 'Gusto',
  entities: [
    { name: ENTITY.employees, pull: true, incremental: true, push: ['create', 'update'], events: true },
    { name: ENTITY.jobs, pull: false, push: ['create', 'update'] },
    { name: ENTITY.compensations, pull: false, push: ['create', 'update'] },
    { name: ENTITY.timeSheets, pull: true, incremental: true, push: ['create', 'update'], events: true },
    // Read-only: reconciliation compares hours paid with hours approved.
    { name: ENTITY.payrolls, pull: true, incremental: true, events: true },
  ],
  auth: {
    scheme: 'oauth2-refresh',
    fields: [
      { key: 'clientId', env: 'CLIENT_ID', secret: false, description: 'OAuth application client id' },
      { key: 'clientSecret', env: 'CLIENT_SECRET', secret: true, description: 'OAuth application client secret' },
      {
        key: 'refreshToken', env: 'REFRESH_TOKEN', secret: true,
        description: 'refresh token of the company authorisation; Gusto rotates it on every refresh and the newest one is kept in the hub state',
      },
      { key: 'companyUuid', env: 'COMPANY_UUID', secret: false, required: false, description: 'the company; read from /v1/token_info when unset' },
      { key: 'apiToken', env: 'API_TOKEN', secret: true, required: false, description: 'organization API token: only for setting up webhook subscriptions' },
      { key: 'verificationToken', env: 'WEBHOOK_TOKEN', secret: true, required: false, description: 'webhook subscription verification token (signs deliveries)' },
      { key: 'previousVerificationToken', env: 'WEBHOOK_TOKEN_PREVIOUS', secret: true, required: false, description: 'the previous token during a rotation' },
      { key: 'timeZone', env: 'TIME_ZONE', secret: false, required: false, description: 'IANA zone of pushed time sheets; default America/New_York' },
    ],
  },
  webhook: {
    scheme: 'gusto-hmac',
    signatureHeader: 'X-Gusto-Signature',
    timestampSigned: false,
    secretFields: ['verificationToken', 'previousVerificationToken'],
    eventTypes: ['Employee', 'TimeSheet', 'Payroll'],
  },
  // The feed is a safety net behind webhooks (missed deliveries), not the primary path.
  events: { mode: 'feed', intervalMs: 300_000 },
  rateLimit: {
    requests: 200,
    windowMs: 60_000,
    resetHeader: 'X-RateLimit-Reset',
    source: 'https://docs.gusto.com/embedded-payroll/docs/rate-limits',
  },
  baseUrl: 'https://api.gusto-demo.com',
} satisfies ConnectorManifestInput;
