import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobInput, JobName } from '../../jobs/catalog.ts';
import type { EnqueueOptions, Handlers } from '../../jobs/context.ts';
import { runAttempt, type AttemptDeps } from './attempt.ts';
import { classifyJobError } from './classify.ts';
import { resolveSpec, retryDelayMs, validateJob, type EnqueueItem, type JobSpecOverrides, type ValidJob } from './jobs.ts';
import { errField, silentQueueLogger, type QueueLogger } from './logger.ts';
import { checkEvictionPolicy, closeRedis, createRedis } from './redis.ts';
import { sweepStallFailures } from './stall-failures.ts';
import type { BullmqDriverOptions, JobState, QueueCounts, QueueDriver, QueueStats, RateLimit, WorkOptions } from './types.ts';

/** Our backoff strategy's name in job options; the workers' `settings.backoffStrategy` computes it. */
const BACKOFF_TYPE = 'crosswalk';

/** addBulk size: 500 per call measured as the sweet spot (18 k jobs/s). */
const BULK_CHUNK = 500;

/**
 * The limiter a system without a configured limit still gets. BullMQ honours a manual rate limit
 * (`queue.rateLimit`, our 429 path) only on a queue whose worker has a limiter: without one a
 * vendor's Retry-After would be ignored.
 */
const NO_LIMIT: RateLimit = { max: 1_000_000, duration: 1_000 };

/**
 * Job ids use `:` as separator (`outbox:<id>:<attempts>`), but BullMQ refuses custom ids with a
 * colon unless they have exactly three parts (legacy repeatable ids). Every `:` becomes `|` on the
 * way in and back on the way out; `checkJobId` reserves `|`, so the mapping is one-to-one.
 */
export function toBullmqJobId(jobId: string): string {
  return jobId.replaceAll(':', '|');
}

export function fromBullmqJobId(id: string): string {
  return id.replaceAll('|', ':');
}

/** BullMQ queue names may not contain `:`; system ids never do, `csv:<name>` sources would. */
export function queueNameFor(systemId: string): string {
  return encodeURIComponent(systemId);
}

type AnyQueue = Queue<unknown, unknown, string>;
type AnyWorker = Worker<unknown, unknown, string>;
type AnyJob = Job<unknown, unknown, string>;

/**
 * BullMQ 6 on ioredis 6: one queue per system (`<prefix>:<systemId>` in Redis), each with its own
 * worker and rate limiter, created on first use. Completed and failed jobs are kept in bounded
 * numbers. Redis is never the system of record: see relay.ts.
 */
export class BullmqDriver implements QueueDriver {
  readonly kind = 'bullmq';
  private readonly logger: QueueLogger;
  private readonly prefix: string;
  private readonly overrides: JobSpecOverrides;
  private readonly random: () => number;
  private readonly rateLimitFor: (systemId: string) => RateLimit | undefined;
  private readonly keep: { readonly completed: number; readonly failed: number };
  private readonly queueRedis: Redis;
  private workerRedis: Redis | null = null;
  private readonly queueMap = new Map<string, AnyQueue>();
  private readonly workers = new Map<string, { worker: AnyWorker; ready: Promise<void> }>();
  private working: { deps: AttemptDeps; concurrency: number } | null = null;
  private stallSweep: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: BullmqDriverOptions) {
    this.logger = (options.logger ?? silentQueueLogger).child({ queue: 'bullmq' });
    this.prefix = options.prefix ?? 'crosswalk';
    this.overrides = options.overrides ?? {};
    this.random = options.random ?? Math.random;
    this.rateLimitFor = options.rateLimitFor ?? (() => undefined);
    this.keep = options.keep ?? { completed: 1_000, failed: 5_000 };
    this.queueRedis = createRedis(options.redisUrl, 'queue', this.logger);
  }

  async enqueue<K extends JobName>(name: K, payload: JobInput<K>, options: EnqueueOptions): Promise<void> {
    const job = validateJob(name, payload, options);
    this.assertOpen();
    await this.queue(job.system).add(job.name, job.data, this.jobOptions(job));
  }

  async enqueueBulk(items: readonly EnqueueItem[]): Promise<void> {
    const valid = items.map((item) => validateJob(item.name, item.payload, item.options));
    this.assertOpen();
    const bySystem = new Map<string, ValidJob[]>();
    for (const job of valid) {
      const list = bySystem.get(job.system);
      if (list) list.push(job);
      else bySystem.set(job.system, [job]);
    }
    for (const [system, jobs] of bySystem) {
      const queue = this.queue(system);
      for (let i = 0; i < jobs.length; i += BULK_CHUNK) {
        const chunk = jobs.slice(i, i + BULK_CHUNK);
        await queue.addBulk(chunk.map((job) => ({ name: job.name, data: job.data, opts: this.jobOptions(job) })));
      }
    }
  }

  async work(handlers: Handlers, options: WorkOptions): Promise<void> {
    this.assertOpen();
    if (this.working) throw new Error('bullmq driver: work() was already called');
    await checkEvictionPolicy(this.queueRedis, this.logger);
    this.workerRedis = createRedis(this.options.redisUrl, 'worker', this.logger);
    this.working = {
      concurrency: options.concurrency ?? 8,
      deps: {
        handlers,
        hub: options.hub,
        logger: this.logger,
        overrides: this.overrides,
        enqueue: (name, payload, opts) => this.enqueue(name, payload, opts),
        onFailed: options.onFailed,
        random: this.random,
      },
    };
    const systems = new Set([...(options.systems ?? []), ...this.queueMap.keys()]);
    await Promise.all([...systems].map((system) => this.ensureWorker(system)));
    const onFailed = options.onFailed;
    if (onFailed) {
      // As often as BullMQ's own stalled-job check, which is what fails such jobs.
      const every = this.options.stalled?.stalledIntervalMs ?? 30_000;
      this.stallSweep = setInterval(() => {
        this.sweepStalls(onFailed).catch((err: unknown) => this.logger.warn({ err: errField(err) }, 'stall-failure sweep failed; next one retries'));
      }, every);
      this.stallSweep.unref();
    }
  }

  /** Reports jobs BullMQ failed for stalling too often to `onFailed` and frees their ids (see stall-failures.ts). */
  async sweepStalls(onFailed: NonNullable<WorkOptions['onFailed']>): Promise<number> {
    let swept = 0;
    for (const [system, queue] of this.queueMap) swept += await sweepStallFailures(queue, system, fromBullmqJobId, onFailed, this.logger);
    return swept;
  }

  async drain(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const stats = await this.stats();
      const left = Object.values(stats).reduce((n, c) => n + c.waiting + c.active + c.delayed, 0);
      if (left === 0) return;
      if (Date.now() >= deadline) throw new Error(`bullmq driver: not drained in time (${left} job(s) left)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stats(): Promise<QueueStats> {
    const out: QueueStats = {};
    await Promise.all(
      [...this.queueMap].map(async ([system, queue]) => {
        const c = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed', 'completed');
        const counts: QueueCounts = {
          waiting: (c['wait'] ?? 0) + (c['prioritized'] ?? 0),
          active: c['active'] ?? 0,
          delayed: c['delayed'] ?? 0,
          failed: c['failed'] ?? 0,
          completed: c['completed'] ?? 0,
        };
        out[system] = counts;
      }),
    );
    return out;
  }

  async jobState(system: string, jobId: string): Promise<JobState> {
    this.assertOpen();
    const job = await this.queue(system).getJob(toBullmqJobId(jobId));
    if (!job) return 'absent';
    const state = await job.getState();
    if (state === 'completed') return 'completed';
    if (state === 'failed') return 'failed';
    // 'unknown' is a job removed between the two calls.
    return state === 'unknown' ? 'absent' : 'live';
  }

  async forgetCompleted(system: string, jobId: string): Promise<void> {
    this.assertOpen();
    const job = await this.queue(system).getJob(toBullmqJobId(jobId));
    if (job && (await job.getState()) === 'completed') await job.remove();
  }

  queues(systems: readonly string[] = []): Queue[] {
    for (const system of systems) this.queue(system);
    return [...this.queueMap.values()] as Queue[];
  }

  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stallSweep) clearInterval(this.stallSweep);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const workers = [...this.workers.values()].map((w) => w.worker);
    if (workers.length > 0) {
      const closing = Promise.all(workers.map((w) => w.close()));
      closing.catch((err: unknown) => this.logger.warn({ err: errField(err) }, 'worker close failed'));
      if (!(await settlesWithin(closing, timeoutMs))) {
        this.logger.warn({ timeoutMs }, 'jobs still running at shutdown: signalling them to abort');
        for (const w of workers) w.cancelAllJobs('worker shutting down');
        if (!(await settlesWithin(closing, 5_000))) {
          // Their locks expire and another worker takes them over as stalled jobs.
          this.logger.error('jobs ignored the abort signal: leaving them to the stalled-job check');
        }
      }
    }
    await Promise.all([...this.queueMap.values()].map((q) => q.close().catch(() => undefined)));
    await closeRedis(this.queueRedis);
    if (this.workerRedis) await closeRedis(this.workerRedis);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('bullmq driver: closed');
  }

  /** The system's queue, created on first use (and its worker, when this process works). */
  private queue(system: string): AnyQueue {
    const queue = this.queueMap.get(system) ?? this.createQueue(system);
    if (this.working && !this.workers.has(system)) {
      this.ensureWorker(system).catch((err: unknown) => this.logger.error({ err: errField(err), system }, 'could not start a worker'));
    }
    return queue;
  }

  private createQueue(system: string): AnyQueue {
    const queue = new Queue<unknown, unknown, string>(queueNameFor(system), {
      connection: this.queueRedis,
      prefix: this.prefix,
      // The event stream is for QueueEvents listeners, which we do not run: keep it short.
      streams: { events: { maxLen: 1_000 } },
    });
    queue.on('error', (err: Error) => this.logger.warn({ err: errField(err), system }, 'queue error'));
    this.queueMap.set(system, queue);
    return queue;
  }

  private jobOptions(job: ValidJob): JobsOptions {
    const spec = resolveSpec(job.name, this.overrides);
    return {
      jobId: toBullmqJobId(job.jobId),
      delay: job.delayMs,
      attempts: spec.attempts,
      backoff: { type: BACKOFF_TYPE, delay: spec.backoffMs },
      priority: spec.priority,
      removeOnComplete: { count: this.keep.completed },
      removeOnFail: { count: this.keep.failed },
    };
  }

  private ensureWorker(system: string): Promise<void> {
    const existing = this.workers.get(system);
    if (existing) return existing.ready;
    if (!this.working || !this.workerRedis) throw new Error('bullmq driver: work() has not been called');
    const { deps, concurrency } = this.working;
    if (!this.queueMap.has(system)) this.createQueue(system);
    const limiter = this.rateLimitFor(system) ?? NO_LIMIT;
    const worker = new Worker<unknown, unknown, string>(
      queueNameFor(system),
      (job: AnyJob, _token?: string, signal?: AbortSignal) => this.process(system, job, signal, deps),
      {
        connection: this.workerRedis,
        prefix: this.prefix,
        concurrency,
        limiter: { max: limiter.max, duration: limiter.duration },
        // A job whose worker dies (SIGKILL, OOM) stalls and is retried; BullMQ's default fails it on
        // the second stall. Three stalls still stop a job that kills every worker that takes it;
        // such a failure bypasses the processor, so the stall sweep reports it (stall-failures.ts).
        maxStalledCount: 3,
        ...(this.options.stalled && { lockDuration: this.options.stalled.lockDurationMs, stalledInterval: this.options.stalled.stalledIntervalMs }),
        removeOnComplete: { count: this.keep.completed },
        removeOnFail: { count: this.keep.failed },
        settings: { backoffStrategy: (attemptsMade, _type, err, job) => this.backoff(attemptsMade, err, job?.opts.backoff) },
      },
    );
    worker.on('error', (err: Error) => this.logger.warn({ err: errField(err), system }, 'worker error'));
    worker.on('stalled', (jobId: string) => this.logger.warn({ jobId: fromBullmqJobId(jobId), system }, 'job stalled: its worker stopped renewing the lock; retried'));
    const ready = worker.waitUntilReady();
    this.workers.set(system, { worker, ready });
    return ready;
  }

  /** The processor: one try through the shared runner, its outcome turned into what BullMQ expects. */
  private async process(system: string, job: AnyJob, signal: AbortSignal | undefined, deps: AttemptDeps): Promise<void> {
    const outcome = await runAttempt(
      {
        name: job.name,
        jobId: fromBullmqJobId(job.id ?? ''),
        data: job.data,
        attempt: job.attemptsMade + 1,
        attempts: job.opts.attempts ?? 1,
        progress: (value) => job.updateProgress(value),
        ...(signal ? { signal } : {}),
      },
      deps,
    );
    switch (outcome.kind) {
      case 'completed':
        return;
      case 'rate_limited':
        // Pauses the system's whole queue (every worker on every host), and puts this job back
        // without using up a try.
        await this.queue(system).rateLimit(outcome.retryAfterMs);
        throw Worker.RateLimitError();
      case 'retry':
        // BullMQ schedules the retry through our backoff strategy, which sees this same error.
        throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
      case 'failed':
        throw new UnrecoverableError(`${outcome.failure}: ${errField(outcome.error).message}`);
    }
  }

  private backoff(attemptsMade: number, err: Error | undefined, backoff: JobsOptions['backoff']): number {
    const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 1_000);
    const c = classifyJobError(err);
    return retryDelayMs(attemptsMade, base, c.kind === 'retry' ? c.minDelayMs : 0, this.random);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
