import { z } from 'zod';

/**
 * The typed job catalog: each job name's payload schema, attempts, backoff and timeout. Every
 * worker parses `job.data` with the schema before calling the handler, and the handler map in
 * `jobs/index.ts` must have exactly these keys: adding a job without a handler does not compile.
 * Jobs are page-sized, never record-sized.
 */
export interface JobSpec {
  readonly schema: z.ZodType;
  /** Total tries including the first. */
  readonly attempts: number;
  /** Exponential backoff base, doubled per attempt, with jitter. */
  readonly backoffMs: number;
  /** A try that runs longer than this is abandoned and retried. */
  readonly timeoutMs: number;
  /** Relative priority on the system's queue: lower runs first (approvals before backfills). */
  readonly priority: number;
}

const SystemId = z.string().min(1);

export const catalog = {
  /** Process one verified webhook delivery from the inbox: re-fetch what changed and apply it. */
  'webhook.process': {
    schema: z.strictObject({ system: SystemId, inboxId: z.string().min(1) }),
    attempts: 8,
    backoffMs: 2_000,
    timeoutMs: 120_000,
    priority: 2,
  },
  /** Poll a vendor's event queue (Bullhorn subscriptions) once; re-fetches a batch by id after a failure. */
  'events.poll': {
    schema: z.strictObject({ system: SystemId, againBatchId: z.string().nullable().default(null) }),
    attempts: 5,
    backoffMs: 5_000,
    timeoutMs: 120_000,
    priority: 3,
  },
  /**
   * One page of a pull run. Without a runId it starts a run for the entity (incremental from the
   * stored cursor, or full); each page commits its records and the run's position together, then
   * enqueues the next page, then the next entity in `then`.
   */
  'sync.pull': {
    schema: z.strictObject({
      system: SystemId,
      /** The vendor entity, as in its mapping file. */
      entity: z.string().min(1),
      runId: z.string().nullable().default(null),
      /** The page this job is for; null = wherever the run's cursor is. A stale duplicate job sees the run moved on and does nothing. */
      page: z.number().int().min(0).nullable().default(null),
      full: z.boolean().default(false),
      /** Vendor entities to pull after this one, in order. */
      then: z.array(z.string()).default([]),
    }),
    attempts: 6,
    backoffMs: 5_000,
    timeoutMs: 300_000,
    priority: 5,
  },
  /** Push one outbox row to its system, confirm it, and record the result. */
  'sync.push': {
    schema: z.strictObject({ system: SystemId, outboxId: z.string().min(1) }),
    attempts: 8,
    backoffMs: 5_000,
    timeoutMs: 120_000,
    priority: 1,
  },
  /** One page of a reconciliation listing (streamed into staging), then the compare when the listing ends. */
  'reconcile.run': {
    schema: z.strictObject({
      system: SystemId,
      entity: z.string().min(1),
      runId: z.string().nullable().default(null),
      page: z.number().int().min(0).nullable().default(null),
      then: z.array(z.string()).default([]),
    }),
    attempts: 6,
    backoffMs: 10_000,
    timeoutMs: 600_000,
    priority: 8,
  },
} as const satisfies Record<string, JobSpec>;

export type JobName = keyof typeof catalog;
export type JobPayload<K extends JobName> = z.output<(typeof catalog)[K]['schema']>;
export type JobInput<K extends JobName> = z.input<(typeof catalog)[K]['schema']>;
export const JOB_NAMES = Object.keys(catalog) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(catalog, name);
}
