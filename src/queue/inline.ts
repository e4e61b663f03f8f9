import type { JobInput, JobName } from '../../jobs/catalog.ts';
import type { EnqueueOptions, Handlers } from '../../jobs/context.ts';
import { runAttempt, type AttemptDeps } from './attempt.ts';
import { resolveSpec, validateJob, type EnqueueItem, type JobSpecOverrides, type ValidJob } from './jobs.ts';
import { errField, silentQueueLogger, type QueueLogger } from './logger.ts';
import type { InlineDriverOptions, JobState, QueueCounts, QueueDriver, QueueStats, RateLimit, WorkOptions } from './types.ts';

interface Entry {
  readonly name: JobName;
  readonly jobId: string;
  readonly data: unknown;
  readonly priority: number;
  /** Arrival order: FIFO among equal priorities, kept across retries and rate-limit pauses. */
  readonly seq: number;
  readonly attempts: number;
  attempt: number;
  readyAt: number;
}

interface Running {
  readonly entry: Entry;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** One system's FIFO: its jobs run one at a time, in priority then arrival order. */
interface Lane {
  readonly system: string;
  readonly entries: Entry[];
  running: Running | null;
  /** Set by a rate-limit error: nothing starts on this system before then. */
  pausedUntil: number;
  /** Start times inside the current limiter window. */
  starts: number[];
  timer: NodeJS.Timeout | null;
  timerAt: number;
  completed: number;
  failed: number;
}

/**
 * The in-process driver, for the demo, one-shot commands and single-machine installs. Same
 * contract as BullMQ where it matters: per-system queues, jobId dedupe while a job is queued or
 * running, the catalog's attempts and backoff, rate-limit pauses and the same error steering. Jobs
 * live in memory only: whatever was queued when the process stops comes back through the relay,
 * because every job derives from a SQLite row or a claimed schedule slot.
 */
export class InlineDriver implements QueueDriver {
  readonly kind = 'inline';
  private readonly lanes = new Map<string, Lane>();
  /** Every job not finished (queued, delayed or running), by id: the dedupe set and drain's measure. */
  private readonly live = new Map<string, Entry>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly logger: QueueLogger;
  private readonly overrides: JobSpecOverrides;
  private readonly random: () => number;
  private readonly backoffScale: number;
  private readonly rateLimitFor: (systemId: string) => RateLimit | undefined;
  private deps: AttemptDeps | null = null;
  private seq = 0;
  private closed = false;

  constructor(options: InlineDriverOptions = {}) {
    this.logger = (options.logger ?? silentQueueLogger).child({ queue: 'inline' });
    this.overrides = options.overrides ?? {};
    this.random = options.random ?? Math.random;
    this.backoffScale = options.backoffScale ?? 1;
    this.rateLimitFor = options.rateLimitFor ?? (() => undefined);
  }

  async enqueue<K extends JobName>(name: K, payload: JobInput<K>, options: EnqueueOptions): Promise<void> {
    this.add(validateJob(name, payload, options));
  }

  async enqueueBulk(items: readonly EnqueueItem[]): Promise<void> {
    const valid = items.map((item) => validateJob(item.name, item.payload, item.options));
    for (const job of valid) this.add(job);
  }

  async work(handlers: Handlers, options: WorkOptions): Promise<void> {
    if (this.deps) throw new Error('inline driver: work() was already called');
    if (this.closed) throw new Error('inline driver: closed');
    this.deps = {
      handlers,
      hub: options.hub,
      logger: this.logger,
      overrides: this.overrides,
      enqueue: (name, payload, opts) => this.enqueue(name, payload, opts),
      onFailed: options.onFailed,
      random: this.random,
    };
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  async drain(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.live.size === 0) return;
    if (!this.deps) throw new Error(`inline driver: ${this.live.size} job(s) queued but work() was never called`);
    const timeoutMs = options.timeoutMs ?? 300_000;
    await new Promise<void>((resolve, reject) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(waiter);
        reject(new Error(`inline driver: not drained after ${timeoutMs} ms (${this.live.size} job(s) left)`));
      }, timeoutMs);
      this.idleWaiters.add(waiter);
    });
  }

  /** The inline driver keeps no finished jobs: a job is live while queued or running, else absent. */
  async jobState(_system: string, jobId: string): Promise<JobState> {
    return this.live.has(jobId) ? 'live' : 'absent';
  }

  async forgetCompleted(): Promise<void> {}

  async stats(): Promise<QueueStats> {
    const now = Date.now();
    const out: QueueStats = {};
    for (const lane of this.lanes.values()) {
      const counts: QueueCounts = { waiting: 0, active: lane.running ? 1 : 0, delayed: 0, failed: lane.failed, completed: lane.completed };
      for (const e of lane.entries) {
        if (e.readyAt > now) counts.delayed++;
        else counts.waiting++;
      }
      out[lane.system] = counts;
    }
    return out;
  }

  queues(): [] {
    return [];
  }

  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running: Running[] = [];
    let dropped = 0;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
      dropped += lane.entries.length;
      if (lane.running) running.push(lane.running);
    }
    if (dropped > 0) this.logger.info({ dropped }, 'inline driver closing: queued jobs dropped (the relay re-creates them from SQLite)');
    if (running.length === 0) return;
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(running.map((r) => r.done)).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn({ running: running.length, timeoutMs }, 'inline driver closing: jobs still running after the timeout; signalling them to abort');
      for (const r of running) r.controller.abort(new Error('queue closing'));
    }
  }

  private add(job: ValidJob): void {
    if (this.closed) throw new Error('inline driver: closed');
    if (this.live.has(job.jobId)) {
      this.logger.debug({ jobId: job.jobId }, 'job already queued or running: not added again');
      return;
    }
    const spec = resolveSpec(job.name, this.overrides);
    const entry: Entry = {
      name: job.name,
      jobId: job.jobId,
      data: job.data,
      priority: spec.priority,
      seq: this.seq++,
      attempts: spec.attempts,
      attempt: 1,
      readyAt: Date.now() + job.delayMs,
    };
    this.live.set(job.jobId, entry);
    const lane = this.lane(job.system);
    lane.entries.push(entry);
    this.pump(lane);
  }

  private lane(system: string): Lane {
    let lane = this.lanes.get(system);
    if (!lane) {
      lane = { system, entries: [], running: null, pausedUntil: 0, starts: [], timer: null, timerAt: 0, completed: 0, failed: 0 };
      this.lanes.set(system, lane);
    }
    return lane;
  }

  /** Starts the lane's next job if it may start now, or arms a timer for when one may. */
  private pump(lane: Lane): void {
    if (this.closed || !this.deps || lane.running) return;
    const now = Date.now();
    const gate = Math.max(lane.pausedUntil, this.limiterGate(lane, now));
    if (gate > now) {
      this.arm(lane, gate);
      return;
    }
    let next: Entry | null = null;
    let earliest = Infinity;
    for (const e of lane.entries) {
      if (e.readyAt > now) {
        earliest = Math.min(earliest, e.readyAt);
        continue;
      }
      if (!next || e.priority < next.priority || (e.priority === next.priority && e.seq < next.seq)) next = e;
    }
    if (!next) {
      if (earliest !== Infinity) this.arm(lane, earliest);
      return;
    }
    lane.entries.splice(lane.entries.indexOf(next), 1);
    lane.starts.push(now);
    const controller = new AbortController();
    const entry = next;
    const done = this.run(lane, entry, controller.signal, this.deps).catch((err: unknown) => {
      // run() handles every outcome; reaching here is a bug, not a job failure.
      this.logger.error({ err: errField(err), jobId: entry.jobId }, 'inline driver: internal error');
      this.live.delete(entry.jobId);
    });
    lane.running = { entry, controller, done };
    void done.then(() => {
      lane.running = null;
      this.notifyIfIdle();
      this.pump(lane);
    });
  }

  private async run(lane: Lane, entry: Entry, signal: AbortSignal, deps: AttemptDeps): Promise<void> {
    const outcome = await runAttempt(
      {
        name: entry.name,
        jobId: entry.jobId,
        data: entry.data,
        attempt: entry.attempt,
        attempts: entry.attempts,
        progress: async () => undefined,
        signal,
      },
      deps,
    );
    switch (outcome.kind) {
      case 'completed':
        lane.completed++;
        this.live.delete(entry.jobId);
        return;
      case 'failed':
        lane.failed++;
        this.live.delete(entry.jobId);
        return;
      case 'retry':
        entry.attempt++;
        entry.readyAt = Date.now() + Math.round(outcome.delayMs * this.backoffScale);
        break;
      case 'rate_limited':
        // The try does not count: the vendor refused before doing anything.
        lane.pausedUntil = Math.max(lane.pausedUntil, Date.now() + outcome.retryAfterMs);
        break;
    }
    if (this.closed) {
      this.live.delete(entry.jobId);
      return;
    }
    lane.entries.push(entry);
  }

  /** When the lane's limiter next lets a job start (0: now). */
  private limiterGate(lane: Lane, now: number): number {
    const limit = this.rateLimitFor(lane.system);
    if (!limit) {
      lane.starts.length = 0;
      return 0;
    }
    while (lane.starts.length > 0 && (lane.starts[0] ?? 0) <= now - limit.duration) lane.starts.shift();
    if (lane.starts.length < limit.max) return 0;
    return (lane.starts[0] ?? now) + limit.duration;
  }

  private arm(lane: Lane, at: number): void {
    if (lane.timer && lane.timerAt <= at) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timerAt = at;
    // Referenced on purpose: a one-shot command awaiting drain() must not exit while a retry waits.
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.pump(lane);
    }, Math.max(0, at - Date.now()));
  }

  private notifyIfIdle(): void {
    if (this.live.size > 0) return;
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const w of waiters) w();
  }
}
