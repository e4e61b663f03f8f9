import { z } from 'zod';
import type { ConnectorContext } from './context.ts';
import { ConnectorConfigError } from './errors.ts';
import type { ConnectorInstance } from './types.ts';
import type { PayrollFile } from './payroll-file.ts';
import { WEBHOOK_SCHEME_NAMES, WEBHOOK_SCHEMES } from './webhooks/schemes.ts';

/**
 * What a connector declares about its vendor, checked when the connector module is imported so a
 * wrong manifest fails the first test run, not the first sync in production.
 */

const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export const EntitySpec = z.strictObject({
  /** The vendor's entity name, as mapping files name it (`Placement`, `employees`, `time_sheets`). */
  name: z.string().min(1),
  /** Full listing by pages. */
  pull: z.boolean(),
  /** The listing honours `since` (records modified at or after it). */
  incremental: z.boolean().default(false),
  push: z.array(z.enum(['create', 'update'])).default([]),
  /** Changes to it arrive as webhook or polled events. */
  events: z.boolean().default(false),
});

export const CredentialField = z.strictObject({
  /** Key in `ConnectorContext.credentials` (`clientSecret`). */
  key: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase'),
  /**
   * Suffix of the environment variable the hub reads it from: `CROSSWALK_<SYSTEM>_<env>`, e.g.
   * `CROSSWALK_BULLHORN_CLIENT_SECRET` for system `bullhorn` (see `credentialEnvVar`).
   */
  env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'UPPER_SNAKE_CASE'),
  /** Secrets are never logged, echoed by the API or shown by the CLI. */
  secret: z.boolean(),
  required: z.boolean().default(true),
  description: z.string().optional(),
});

export const AuthSpec = z.strictObject({
  /** How the connector authenticates, for ops (`oauth2-refresh`, `basic`, `bullhorn-rest-login`, …). */
  scheme: z.string().regex(kebab, 'kebab-case'),
  fields: z.array(CredentialField),
});

export const WebhookSpec = z.strictObject({
  scheme: z.enum(WEBHOOK_SCHEME_NAMES),
  signatureHeader: z.string().optional(),
  /** Delivery id header used as the inbox dedupe key when the body has no id. */
  idHeader: z.string().optional(),
  timestampHeader: z.string().optional(),
  timestampSigned: z.boolean(),
  /** Credential keys holding the secret: the current one, then optionally the previous one during a rotation. */
  secretFields: z.array(z.string()).max(2).default([]),
  eventTypes: z.array(z.string()).optional(),
});

export const EventsSpec = z.strictObject({
  /** `queue`: fetched events are gone and a batch is re-read by id (Bullhorn, ADP); `feed`: a cursor over a log (Gusto /v1/events). */
  mode: z.enum(['queue', 'feed']),
  /** How often the scheduler polls. @defaultValue 60_000 */
  intervalMs: z.number().int().positive().default(60_000),
});

export const RateLimitSpecSchema = z.strictObject({
  /** At most this many requests … */
  requests: z.number().int().positive(),
  /** … in any window of this many milliseconds. */
  windowMs: z.number().int().positive(),
  retryAfterHeader: z.string().default('Retry-After'),
  /** Read on a 429 as well, when the vendor sends one (`X-RateLimit-Reset`). */
  resetHeader: z.string().optional(),
  /** False when the vendor publishes no limit and this one is a conservative choice. */
  documented: z.boolean().default(true),
  /** Where the figure comes from (a documentation URL). */
  source: z.string().optional(),
});

export const ConnectorManifestSchema = z
  .strictObject({
    id: z.string().regex(kebab, 'kebab-case'),
    kind: z.enum(['ats', 'payroll']),
    displayName: z.string().min(1),
    entities: z.array(EntitySpec).min(1),
    auth: AuthSpec,
    webhook: WebhookSpec.optional(),
    events: EventsSpec.optional(),
    rateLimit: RateLimitSpecSchema,
    baseUrl: z.url({ protocol: /^https?$/ }),
    /**
     * A payroll that keeps workers and no jobs (ADP) sets `candidate`: a pushed record's reference to
     * an assignment resolves to the link of the assignment's candidate (its worker). @defaultValue 'assignment'
     */
    workerLinks: z.enum(['assignment', 'candidate']).default('assignment'),
    /** More headers whose values never reach a log line (the webhook signature header is always one). */
    redactHeaders: z.array(z.string().min(1)).default([]),
  })
  .superRefine((manifest, ctx) => {
    const names = new Set<string>();
    manifest.entities.forEach((entity, index) => {
      if (names.has(entity.name)) ctx.addIssue({ code: 'custom', path: ['entities', index, 'name'], message: `duplicate entity ${entity.name}` });
      names.add(entity.name);
      if (entity.incremental && !entity.pull) ctx.addIssue({ code: 'custom', path: ['entities', index, 'incremental'], message: 'incremental needs pull' });
    });
    const keys = new Set<string>();
    manifest.auth.fields.forEach((field, index) => {
      if (keys.has(field.key)) ctx.addIssue({ code: 'custom', path: ['auth', 'fields', index, 'key'], message: `duplicate credential ${field.key}` });
      keys.add(field.key);
    });
    if (manifest.entities.some((entity) => entity.events) && manifest.webhook === undefined && manifest.events === undefined) {
      ctx.addIssue({ code: 'custom', path: ['entities'], message: 'an entity has events but the manifest declares neither webhook nor events' });
    }
    if (manifest.webhook !== undefined) checkWebhook(manifest.webhook, manifest.auth, ctx);
  });

/** The webhook block must say what the kit's verifier for that scheme actually reads. */
function checkWebhook(webhook: z.output<typeof WebhookSpec>, auth: z.output<typeof AuthSpec>, ctx: z.RefinementCtx): void {
  const path = ['webhook'];
  if (webhook.scheme === 'none') {
    if (webhook.signatureHeader !== undefined || webhook.timestampSigned || webhook.secretFields.length > 0) {
      ctx.addIssue({ code: 'custom', path, message: 'scheme none has no signature header, signed timestamp or secret' });
    }
    return;
  }
  const info = WEBHOOK_SCHEMES[webhook.scheme];
  const same = (a: string | undefined, b: string | undefined): boolean => a?.toLowerCase() === b?.toLowerCase();
  if (!same(webhook.signatureHeader, info.signatureHeader)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'signatureHeader'], message: `${webhook.scheme} signs in ${info.signatureHeader}` });
  }
  if (webhook.timestampSigned !== info.timestampSigned) {
    ctx.addIssue({ code: 'custom', path: [...path, 'timestampSigned'], message: `${webhook.scheme} ${info.timestampSigned ? 'signs' : 'does not sign'} a timestamp` });
  }
  if (info.timestampHeader !== undefined && !same(webhook.timestampHeader, info.timestampHeader)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'timestampHeader'], message: `${webhook.scheme} sends its timestamp in ${info.timestampHeader}` });
  }
  if (webhook.secretFields.length === 0) ctx.addIssue({ code: 'custom', path: [...path, 'secretFields'], message: 'name the credential holding the webhook secret' });
  for (const key of webhook.secretFields) {
    const field = auth.fields.find((candidate) => candidate.key === key);
    if (field?.secret !== true) ctx.addIssue({ code: 'custom', path: [...path, 'secretFields'], message: `${key} is not a secret credential field` });
  }
}

export type ConnectorManifestInput = z.input<typeof ConnectorManifestSchema>;
export type ConnectorManifest = z.output<typeof ConnectorManifestSchema>;
export type EntitySpec = z.output<typeof EntitySpec>;

/** A manifest the kit refused; the message lists every issue with its path. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(readonly connectorId: string, readonly issues: readonly string[]) {
    super(`connector manifest ${connectorId} is invalid:\n  ${issues.join('\n  ')}`);
  }
}

export function parseManifest(input: unknown): ConnectorManifest {
  const parsed = ConnectorManifestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const id = typeof input === 'object' && input !== null && 'id' in input && typeof input.id === 'string' ? input.id : '(no id)';
  throw new ManifestError(id, parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
}

/**
 * One-off operations ops run from the CLI (`crosswalk connectors <action> <system>`), beside the
 * sync contract. Each returns a plain summary to print; secrets it learns go to `ctx.state`.
 */
export interface ConnectorActions {
  /** Subscribes the hub's webhook URL at the vendor and completes any handshake. */
  readonly setupWebhooks?: (ctx: ConnectorContext, url: string) => Promise<Readonly<Record<string, string>>>;
  /**
   * Proves the credentials work with the cheapest call the vendor offers. Without it, the CLI reads
   * one record of the manifest's first pulled entity.
   */
  readonly checkCredentials?: (ctx: ConnectorContext) => Promise<Readonly<Record<string, string>>>;
}

export interface Connector<Id extends string = string> {
  readonly manifest: ConnectorManifest & { readonly id: Id };
  /** Makes the instance for one configured system; throws `ConnectorConfigError` for missing credentials. */
  create(ctx: ConnectorContext): ConnectorInstance;
  /** @defaultValue none (`defineConnector` sets `{}`) */
  readonly actions?: ConnectorActions;
  /** A payroll connector's import file layout (`crosswalk export time --format <id>`). */
  readonly payrollFile?: PayrollFile;
}

export interface ConnectorDefinition<Id extends string> {
  readonly manifest: ConnectorManifestInput & { readonly id: Id };
  create(ctx: ConnectorContext, manifest: ConnectorManifest): ConnectorInstance;
  readonly actions?: ConnectorActions;
  readonly payrollFile?: PayrollFile;
}

/**
 * Validates the manifest now (at import) and returns the connector. `create` is guarded: required
 * credentials must be present, so a connector never starts half-configured.
 */
export function defineConnector<const Id extends string>(definition: ConnectorDefinition<Id>): Connector<Id> {
  const manifest = { ...parseManifest(definition.manifest), id: definition.manifest.id };
  return {
    manifest,
    actions: definition.actions ?? {},
    ...(definition.payrollFile === undefined ? {} : { payrollFile: definition.payrollFile }),
    create(ctx) {
      const missing = manifest.auth.fields.filter((field) => field.required && (ctx.credentials[field.key] ?? '') === '');
      if (missing.length > 0) {
        throw ConnectorConfigError.forSystem(
          ctx.systemId,
          `missing credentials: ${missing.map((field) => `${field.key} (${credentialEnvVar(ctx.systemId, field.env)})`).join(', ')}`,
          'missing_credentials',
        );
      }
      return definition.create(ctx, manifest);
    },
  };
}

/** `CROSSWALK_<SYSTEM>_<SUFFIX>`: system `gusto-demo`, suffix `CLIENT_ID` → `CROSSWALK_GUSTO_DEMO_CLIENT_ID`. */
export function credentialEnvVar(systemId: string, envSuffix: string): string {
  return `CROSSWALK_${systemId.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${envSuffix}`;
}

/**
 * Reads a system's credentials from the environment by the manifest's convention. Missing required
 * ones are named (by variable, never by value) in one `ConnectorConfigError`.
 */
export function readCredentials(
  manifest: ConnectorManifest,
  systemId: string,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const credentials: Record<string, string> = {};
  const missing: string[] = [];
  for (const field of manifest.auth.fields) {
    const name = credentialEnvVar(systemId, field.env);
    const value = env[name];
    if (value !== undefined && value !== '') credentials[field.key] = value;
    else if (field.required) missing.push(name);
  }
  if (missing.length > 0) throw ConnectorConfigError.forSystem(systemId, `missing environment variables: ${missing.join(', ')}`, 'missing_credentials');
  return credentials;
}

/** Credential keys whose values must never be logged or shown. */
export function secretCredentialKeys(manifest: ConnectorManifest): string[] {
  return manifest.auth.fields.filter((field) => field.secret).map((field) => field.key);
}
