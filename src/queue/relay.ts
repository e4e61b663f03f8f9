import type { Store } from '../store/index.ts';
import type { RunRow } from '../store/index.ts';
import { inboxJobId, outboxJobId, pageJobId } from './ids.ts';
import { validateJob, type EnqueueItem } from './jobs.ts';
import { errField, silentQueueLogger, type QueueLogger } from './logger.ts';
import type { QueueDriver } from './types.ts';
import { SweepLoop } from '../lib/sweep-loop.ts';

export interface RelayOptions {
  readonly store: Store;
  /**
   * Where the relay queues work. With `jobState` (both real drivers), a running run is resumed as
   * soon as its next page job is gone from the queue; without it (a test double), only after
   * `staleRunMs` without progress.
   */
  readonly driver: Pick<QueueDriver, 'enqueueBulk'> & Partial<Pick<QueueDriver, 'jobState' | 'forgetCompleted'>>;
  readonly logger?: QueueLogger;
  /**
   * Time between sweeps, counted from the end of the previous one.
   * @defaultValue 5_000 (a push waits at most this long after the write that caused it)
   */
  readonly intervalMs?: number;
  /**
   * Rows read per source (inbox, outbox, each run kind) in one sweep; the rest waits for the next.
   * @defaultValue 10_000
   */
  readonly maxPerSweep?: number;
  /**
   * A running run whose next page job the queue cannot vouch for (the driver cannot tell, or the
   * job failed for good without failing the run) is resumed after this long without progress.
   * Longer than the slowest page job's timeout (reconcile.run: 10 min), so a page that is merely
   * slow is not run twice at once.
   * @defaultValue 1_200_000 (20 min)
   */
  readonly staleRunMs?: number;
  /**
   * A run whose next page job is absent from the queue is resumed once its last progress is at
   * least this old: the page handler commits, then enqueues, and this leaves it the moment between.
   * (Were the relay first, the handler's enqueue of the same job id is a no-op.)
   * @defaultValue 2_000
   */
  readonly graceMs?: number;
  readonly now?: () => Date;
}

export interface SweepResult {
  readonly inbox: number;
  readonly outbox: number;
  readonly runs: number;
  readonly skipped: number;
}

/**
 * Redis is never the system of record. At start-up and every `intervalMs`, the relay re-enqueues
 * the work that SQLite says is pending, under job ids derived from row ids:
 *
 * - inbox rows `pending` → `webhook.process`, jobId `inbox:<id>`;
 * - outbox rows due (`outbox.due`) → `sync.push`, jobId `outbox:<id>:<attempts>`;
 * - pull and reconcile runs still `running` whose next page job is gone from the queue (or, when
 *   the queue cannot tell, whose last progress is older than `staleRunMs`) → their next page job, `sync.pull` / `reconcile.run` with `{ system, entity, runId, page, then }`
 *   and jobId `pull:<runId>:<page>` / `reconcile:<runId>:<page>`.
 *
 * The run's `cursor` JSON carries the coordination: `page` (the next page to run, a non-negative
 * integer; 0 when absent), `then` (entities still to run after this one, default []) and
 * `progressAt` (ISO time of the last committed page; the run's start time when absent). A page
 * handler sets all three in the unit of work that commits the page, then enqueues
 * `pageJobId(kind, runId, page)`; relay and handler thus name the same job.
 *
 * Re-enqueueing work that is still queued is harmless (a job whose id exists is not added again),
 * so a sweep is idempotent, and after Redis loses everything (FLUSHALL, a failover without
 * persistence) the next sweep brings it all back. Handlers must make a second delivery a no-op
 * (claim the row in SQLite), which they need anyway for at-least-once queues.
 */
export class Relay {
  private readonly logger: QueueLogger;
  private readonly intervalMs: number;
  private readonly maxPerSweep: number;
  private readonly staleRunMs: number;
  private readonly graceMs: number;
  private readonly now: () => Date;
  private readonly loop: SweepLoop;

  constructor(private readonly options: RelayOptions) {
    this.logger = (options.logger ?? silentQueueLogger).child({ component: 'relay' });
    this.intervalMs = options.intervalMs ?? 5_000;
    this.maxPerSweep = options.maxPerSweep ?? 10_000;
    this.staleRunMs = options.staleRunMs ?? 20 * 60_000;
    this.graceMs = options.graceMs ?? 2_000;
    this.now = options.now ?? (() => new Date());
    this.loop = new SweepLoop(
      () => this.sweep().then(
        () => undefined,
        (err: unknown) => this.logger.error({ err: errField(err) }, 'relay sweep failed; trying again next interval'),
      ),
      this.intervalMs,
    );
  }

  /** Sweeps once now, then every `intervalMs` until `stop()`. A failed sweep is logged and retried next time. */
  async start(): Promise<void> {
    await this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Same as stop(): the relay is a closeable for `installShutdown`. */
  async close(): Promise<void> {
    await this.stop();
  }

  /** One pass over inbox, outbox and runs. */
  async sweep(): Promise<SweepResult> {
    const repos = this.options.store.repos;
    const now = this.now();
    const items: EnqueueItem[] = [];
    let skipped = 0;
    const push = (item: EnqueueItem): boolean => {
      try {
        validateJob(item.name, item.payload, item.options);
        items.push(item);
        return true;
      } catch (err) {
        // One bad row must not hold back the others; it stays visible in SQLite for ops.
        skipped++;
        this.logger.warn({ err: errField(err), jobId: item.options.jobId }, 'relay: row skipped');
        return false;
      }
    };

    let inbox = 0;
    for (const row of await repos.inbox.pending(this.maxPerSweep)) {
      if (push({ name: 'webhook.process', payload: { system: row.system, inboxId: row.id }, options: { jobId: inboxJobId(row.id) } })) inbox++;
    }
    let outbox = 0;
    for (const row of await repos.outbox.due(now.toISOString(), this.maxPerSweep)) {
      if (push({ name: 'sync.push', payload: { system: row.system, outboxId: row.id }, options: { jobId: outboxJobId(row.id, row.attempts) } })) outbox++;
    }
    let runs = 0;
    for (const kind of ['pull', 'reconcile'] as const) {
      for (const run of await repos.runs.list({ kind, status: 'running', limit: this.maxPerSweep })) {
        const item = await this.resumeItem(run, kind, now.getTime());
        if (item && push(item)) runs++;
      }
    }

    await this.options.driver.enqueueBulk(items);
    const result = { inbox, outbox, runs, skipped };
    if (items.length > 0 || skipped > 0) this.logger.info(result, 'relay: pending work re-enqueued');
    else this.logger.debug(result, 'relay: nothing pending');
    return result;
  }

  /**
   * The next page job of a running run, when it should be queued again: its job is absent from the
   * queue (Redis lost it, or a worker died between committing a page and queueing the next) and
   * the run has been quiet for `graceMs`, or it completed without moving the run (its id is freed
   * first), or the queue cannot tell and the run has been quiet for `staleRunMs`.
   */
  private async resumeItem(run: RunRow, kind: 'pull' | 'reconcile', now: number): Promise<EnqueueItem | null> {
    const cursor = readRunCursor(run);
    if (run.entity === null) {
      this.logger.warn({ runId: run.id }, 'relay: running run without an entity cannot be resumed');
      return null;
    }
    const jobId = pageJobId(kind, run.id, cursor.page);
    const quietMs = now - Date.parse(cursor.progressAt ?? run.startedAt);
    const { jobState, forgetCompleted } = this.options.driver;
    const state = jobState ? await jobState.call(this.options.driver, run.system, jobId) : null;
    if (state === 'live') return null;
    if (state === 'absent' || state === 'completed') {
      if (quietMs < this.graceMs) return null;
      if (state === 'completed') await forgetCompleted?.call(this.options.driver, run.system, jobId);
    } else if (quietMs < this.staleRunMs) {
      return null;
    }
    const base = { system: run.system, entity: run.entity, runId: run.id, page: cursor.page, then: cursor.then };
    return kind === 'pull' ? { name: 'sync.pull', payload: base, options: { jobId } } : { name: 'reconcile.run', payload: base, options: { jobId } };
  }
}

/** The fields of a run's cursor the relay reads (see `Relay`). Anything malformed reads as absent. */
export function readRunCursor(run: Pick<RunRow, 'cursor'>): { page: number; then: string[]; progressAt: string | null } {
  const c = typeof run.cursor === 'object' && run.cursor !== null ? (run.cursor as Record<string, unknown>) : {};
  const page = typeof c['page'] === 'number' && Number.isInteger(c['page']) && c['page'] >= 0 ? c['page'] : 0;
  const then = Array.isArray(c['then']) && c['then'].every((e): e is string => typeof e === 'string') ? c['then'] : [];
  const progressAt = typeof c['progressAt'] === 'string' && !Number.isNaN(Date.parse(c['progressAt'])) ? c['progressAt'] : null;
  return { page, then, progressAt };
}
