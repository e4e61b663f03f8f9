import { z } from 'zod';
import { TimeWorkflowSettings } from '../model/time-settings.ts';

/** A cron expression node-cron accepts (five or six fields). Checked again when the scheduler starts. */
const Cron = z.string().regex(/^(\S+\s+){4,5}\S+$/, 'a cron expression such as "*/15 * * * *"');

/** Environment variable names, never values: secrets stay out of the file. */
const EnvName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable NAME in capitals, such as BULLHORN_CLIENT_SECRET');

export const SystemConfig = z.strictObject({
  /** How the system is named in mappings, links, the ledger and commands. */
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ (e.g. bullhorn)')
    // Mappings name owners by system id; these two words mean something else there.
    .refine((id) => id !== 'portal' && id !== 'shared', '"portal" and "shared" are reserved owner names'),
  connector: z.string().min(1),
  kind: z.enum(['ats', 'payroll']),
  baseUrl: z.url(),
  /**
   * Credential field → environment variable that holds it, where it differs from the convention
   * `CROSSWALK_<SYSTEM>_<FIELD>` the connector's manifest documents.
   */
  secrets: z.record(z.string(), EnvName).default({}),
  schedules: z
    .strictObject({
      pull: Cron.optional(),
      events: Cron.optional(),
      reconcile: Cron.optional(),
    })
    .default({}),
  /** Entities to sync, in order (parents first); default: every entity with a mapping. */
  entities: z.array(z.string()).optional(),
  /** Override of the connector's documented rate limit, e.g. a lower share for this hub. */
  rateLimit: z.strictObject({ requests: z.number().int().positive(), perMs: z.number().int().positive() }).optional(),
  /** Options the connector documents (Gusto company uuid, Bullhorn subscription id…). */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type SystemConfig = z.infer<typeof SystemConfig>;

export const CrosswalkConfig = z.strictObject({
  /** SQLite file of the canonical store and sync state. */
  database: z.string().min(1).default('./data/crosswalk.sqlite'),
  mappings: z.string().min(1).default('./mappings'),
  queue: z
    .strictObject({
      /** `bullmq` needs REDIS_URL; `inline` runs jobs in-process. Default: bullmq when REDIS_URL is set. */
      driver: z.enum(['inline', 'bullmq']).optional(),
      /** Key prefix in Redis, so several hubs can share one server. */
      prefix: z.string().default('crosswalk'),
      concurrency: z.number().int().positive().default(8),
    })
    .default({ prefix: 'crosswalk', concurrency: 8 }),
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8600),
      /** Webhook body limit in bytes. */
      webhookBodyLimit: z.number().int().positive().default(1_048_576),
      /** CSV upload limit in bytes. */
      uploadBodyLimit: z.number().int().positive().default(200 * 1_048_576),
      // Socket limits of the HTTP server; unset means the default in src/http/server.ts (HTTP_SERVER_DEFAULTS).
      /** Milliseconds a client has to send a request's headers (default 15 s). */
      headersTimeoutMs: z.number().int().positive().optional(),
      /** Milliseconds a client has to send a whole request, body included (default 60 s); CSV uploads get `uploadTimeoutMs`. */
      requestTimeoutMs: z.number().int().positive().optional(),
      /** Milliseconds a client has to send a CSV upload (`POST /api/v1/imports`, default 10 minutes: 200 MiB at about 3 Mbit/s). */
      uploadTimeoutMs: z.number().int().positive().optional(),
      /** Milliseconds an idle keep-alive connection stays open (default 5 s). */
      keepAliveTimeoutMs: z.number().int().positive().optional(),
      /** Open connections the server accepts at once; more are closed on arrival (default 1024). */
      maxConnections: z.number().int().positive().optional(),
    })
    .default({ host: '127.0.0.1', port: 8600, webhookBodyLimit: 1_048_576, uploadBodyLimit: 200 * 1_048_576 }),
  reconcile: z
    .strictObject({
      /** A listing smaller than this share of the known records is suspicious: no tombstones. */
      shrinkThreshold: z.number().min(0).max(1).default(0.5),
      /** Days a tombstone waits before the canonical record is marked deleted. */
      graceDays: z.number().int().min(0).default(7),
    })
    .default({ shrinkThreshold: 0.5, graceDays: 7 }),
  access: z
    .strictObject({
      /** Days the access audit keeps its events; older ones are purged by `crosswalk serve` daily and `crosswalk audit purge`. */
      auditRetentionDays: z.number().int().min(1).default(400),
      /** Hours an `Idempotency-Key`'s stored answer is replayed. */
      idempotencyHours: z.number().int().min(1).default(24),
    })
    .default({ auditRetentionDays: 400, idempotencyHours: 24 }),
  /**
   * Where each client's invoices come from: `hub` (drafted from approved time, `crosswalk invoices
   * draft`) or `import` (billing's CSV files or a billing system of record). Keyed by client id;
   * unlisted clients take `source`. The hub never drafts an `import` client's invoices.
   */
  invoicing: z
    .strictObject({
      source: z.enum(['hub', 'import']).default('hub'),
      clients: z.record(z.string(), z.enum(['hub', 'import'])).default({}),
    })
    .default({ source: 'hub', clients: {} }),
  /** Pay-period cutoffs per payroll system and default reminder thresholds (decision 0018); absent: DEFAULT_TIME_SETTINGS. */
  time: TimeWorkflowSettings.optional(),
  systems: z.array(SystemConfig).default([]),
  /**
   * Which payroll system gets an assignment's time when the worker's links do not say (see
   * src/engine/payroll-route.ts and docs/decisions): a worker linked to one payroll is paid there.
   */
  payroll: z
    .strictObject({
      /** Canonical client id → payroll system id: for that client's workers linked to no payroll, or to several. */
      byClient: z.record(z.string(), z.string()).default({}),
      /** The payroll system of workers linked to none (a new hire), when the client has no entry. */
      default: z.string().optional(),
    })
    .optional(),
  /**
   * Credentials of the local emulators, used only when the variable is unset and every system's
   * base URL is on loopback: the demo runs with no set-up, and a real deployment cannot fall back.
   */
  demoSecrets: z.record(EnvName, z.string()).default({}),
});
export type CrosswalkConfig = z.infer<typeof CrosswalkConfig>;
