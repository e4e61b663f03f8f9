import type { Queue } from 'bullmq';
import type { JobInput, JobName } from '../../jobs/catalog.ts';
import type { EnqueueOptions, Handlers } from '../../jobs/context.ts';
import type { Hub } from '../hub.ts';
import type { FailureKind } from './classify.ts';
import type { EnqueueItem, JobSpecOverrides } from './jobs.ts';
import type { QueueLogger } from './logger.ts';

/** A system's share of its vendor's rate limit: at most `max` job starts per `duration` ms. */
export interface RateLimit {
  readonly max: number;
  readonly duration: number;
}

/** Counts of one system's queue. `waiting` includes prioritized jobs (ours all carry a priority). */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** Per system id. */
export type QueueStats = Record<string, QueueCounts>;

/** A job that will not be tried again: its attempts ran out, or retrying cannot help. */
export interface FailedJob {
  readonly name: JobName;
  readonly jobId: string;
  readonly system: string;
  /** The parsed payload, or the raw data when it failed to parse. */
  readonly payload: unknown;
  /** The try that failed, 1-based. */
  readonly attempt: number;
  readonly failure: FailureKind;
  readonly error: unknown;
}

export interface WorkOptions {
  readonly hub: Hub;
  /**
   * Systems whose queues this process works from the start. A system first enqueued to by this
   * process later gets a worker then. The inline driver works every system it holds jobs for.
   * @defaultValue []
   */
  readonly systems?: readonly string[];
  /**
   * Jobs a BullMQ worker runs at once, per system queue. Inline runs one job per system at a time.
   * @defaultValue 8
   */
  readonly concurrency?: number;
  /**
   * Called once, and awaited, when a job will not be tried again, before the queue records it as
   * failed: the hub parks the work in SQLite for ops (Redis is never the system of record). A hook
   * that throws is logged; the job still fails.
   */
  readonly onFailed?: (job: FailedJob) => Promise<void>;
}

export type JobState = 'live' | 'completed' | 'failed' | 'absent';

export interface QueueDriver {
  readonly kind: 'inline' | 'bullmq';
  /**
   * Queues one job on its system's queue. The payload is validated with the catalog schema first:
   * a bad payload throws `JobPayloadError` and nothing is queued. A job whose id is already queued
   * or running is not queued again (BullMQ: nor while it is kept as completed or failed).
   */
  enqueue<K extends JobName>(name: K, payload: JobInput<K>, options: EnqueueOptions): Promise<void>;
  /** Many jobs at once (BullMQ `addBulk`, ≤ 500 per call). Every item is validated before any is queued. */
  enqueueBulk(items: readonly EnqueueItem[]): Promise<void>;
  /** Starts processing; resolves once the workers are running. */
  work(handlers: Handlers, options: WorkOptions): Promise<void>;
  /**
   * Resolves when no job is queued, running or delayed (inline), or when the known queues are empty
   * (BullMQ); rejects after `timeoutMs`. For one-shot commands and tests.
   * @defaultValue timeoutMs 300_000
   */
  drain(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Counts per system queue, for /metrics and /health. */
  stats(): Promise<QueueStats>;
  /**
   * Where the job with this id stands on its system's queue: `live` (waiting, delayed or running),
   * `completed` or `failed` (kept for inspection; its id cannot be queued again until forgotten),
   * or `absent`. The relay asks before resuming a run, so a run whose job Redis lost resumes at
   * the next sweep instead of after a fixed quiet time.
   */
  jobState(system: string, jobId: string): Promise<JobState>;
  /** Removes a completed job kept under this id, so the id can be queued again; no-op otherwise. */
  forgetCompleted(system: string, jobId: string): Promise<void>;
  /**
   * BullMQ Queue objects for Bull Board (inline: none). Queues for `systems` are created if this
   * process has not used them yet.
   */
  queues(systems?: readonly string[]): Queue[];
  /**
   * Graceful: stops taking jobs, lets running ones finish for up to `timeoutMs` (then signals them
   * to abort), closes connections.
   * @defaultValue timeoutMs 30_000
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

export interface CommonDriverOptions {
  readonly logger?: QueueLogger;
  /** Each system's limit (the lead passes the connector's documented limit or the config override). */
  readonly rateLimitFor?: (systemId: string) => RateLimit | undefined;
  /** Changes to the catalog's attempts, backoff, timeout and priority. */
  readonly overrides?: JobSpecOverrides;
  /** Randomness for backoff jitter (tests pin it). @defaultValue Math.random */
  readonly random?: () => number;
}

export interface InlineDriverOptions extends CommonDriverOptions {
  /**
   * Multiplies every retry delay: tests run the catalog's real backoff in milliseconds.
   * @defaultValue 1
   */
  readonly backoffScale?: number;
}

export interface BullmqDriverOptions extends CommonDriverOptions {
  readonly redisUrl: string;
  /**
   * Key prefix in Redis: a system's queue lives under `<prefix>:<systemId>`.
   * @defaultValue 'crosswalk'
   */
  readonly prefix?: string;
  /**
   * Completed and failed jobs kept per queue (bounded memory; failed jobs are kept longer
   * because ops read them in Bull Board).
   * @defaultValue { completed: 1000, failed: 5000 }
   */
  readonly keep?: { readonly completed: number; readonly failed: number };
  /**
   * How a dead worker's jobs come back. A worker holds a lock on each running job for
   * `lockDurationMs`, renewed every half of it; every `stalledIntervalMs` workers look for running
   * jobs whose lock is gone (their worker was SIGKILLed, ran out of memory, lost its host) and run
   * them again. Such a job waits about `lockDurationMs + stalledIntervalMs` before it is taken
   * over. A shorter lock costs more Redis round trips, and a process that blocks its event loop
   * for longer than the lock loses the job to another worker while still running it.
   * @defaultValue { lockDurationMs: 30_000, stalledIntervalMs: 30_000 } (BullMQ's own)
   * @see https://docs.bullmq.io/guide/workers/stalled-jobs
   */
  readonly stalled?: { readonly lockDurationMs: number; readonly stalledIntervalMs: number };
}

export type QueueDriverOptions =
  | ({ readonly driver: 'inline' } & InlineDriverOptions)
  | ({ readonly driver: 'bullmq' } & BullmqDriverOptions);
