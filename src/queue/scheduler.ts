import { createTask, validate, type ScheduledTask, type TaskContext } from 'node-cron';
import type { JobName } from '../../jobs/catalog.ts';
import type { SystemConfig } from '../config/index.ts';
import { ConfigError } from '../engine/errors.ts';
import type { Store } from '../store/index.ts';
import { slotJobId, type ScheduleKind } from './ids.ts';
import { validateJob } from './jobs.ts';
import { errField, silentQueueLogger, type QueueLogger } from './logger.ts';
import type { QueueDriver } from './types.ts';

export interface SchedulerOptions {
  readonly store: Store;
  readonly driver: Pick<QueueDriver, 'enqueue'>;
  /** The configured systems; only their `id` and `schedules` are read. */
  readonly systems: ReadonlyArray<Pick<SystemConfig, 'id' | 'schedules'>>;
  /** Entities to pull or reconcile for a system, in order (parents first). */
  readonly entitiesFor: (systemId: string) => readonly string[] | Promise<readonly string[]>;
  readonly logger?: QueueLogger;
  /**
   * How long a claimed slot may wait for its enqueue before another scheduler sends it (the
   * claimer died between claim and enqueue). Looked at on start and on every fire.
   * @defaultValue 60_000
   */
  readonly unsentAfterMs?: number;
  /**
   * Claimed slots older than this are forgotten at start-up: their cron times will not come again.
   * @defaultValue 35 days
   */
  readonly keepSlotsMs?: number;
  readonly now?: () => Date;
}

export type FireResult = 'enqueued' | 'taken' | 'nothing';

const JOB_FOR: Readonly<Record<ScheduleKind, JobName>> = { pull: 'sync.pull', events: 'events.poll', reconcile: 'reconcile.run' };

/**
 * `crosswalk scheduler`: one node-cron task per configured system schedule (pull, events,
 * reconcile), in UTC. A task only enqueues: it claims the slot in SQLite (`schedule_slots`, primary
 * key = the job id) and enqueues only if this process won the claim, so several schedulers, or one
 * restarted, never run one slot twice, even after BullMQ has dropped the completed job. Slots are
 * per minute (pull, events) and per UTC day (reconcile): a cron finer than a minute collapses into
 * one job a minute. Never uses BullMQ job schedulers (`upsertJobScheduler`, BullMQ #3085).
 */
export class Scheduler {
  private readonly logger: QueueLogger;
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => Date;
  private readonly unsentAfterMs: number;
  private readonly keepSlotsMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.logger = (options.logger ?? silentQueueLogger).child({ component: 'scheduler' });
    this.now = options.now ?? (() => new Date());
    this.unsentAfterMs = options.unsentAfterMs ?? 60_000;
    this.keepSlotsMs = options.keepSlotsMs ?? 35 * 24 * 3_600_000;
  }

  /** Every configured schedule as `{ kind, system, cron }`; throws ConfigError on an expression node-cron refuses. */
  schedules(): Array<{ kind: ScheduleKind; system: string; cron: string }> {
    const out: Array<{ kind: ScheduleKind; system: string; cron: string }> = [];
    for (const system of this.options.systems) {
      for (const kind of ['pull', 'events', 'reconcile'] as const) {
        const cron = system.schedules[kind];
        if (cron === undefined) continue;
        if (!validate(cron)) throw new ConfigError(`systems.${system.id}.schedules.${kind}: "${cron}" is not a cron expression node-cron accepts`);
        out.push({ kind, system: system.id, cron });
      }
    }
    return out;
  }

  /** Prunes old slots, sends claims left unsent, and starts one cron task per schedule. */
  async start(): Promise<void> {
    const schedules = this.schedules();
    const now = this.now();
    const pruned = await this.options.store.unitOfWork((tx) => tx.slots.prune(new Date(now.getTime() - this.keepSlotsMs).toISOString()));
    if (pruned > 0) this.logger.debug({ pruned }, 'old schedule slots forgotten');
    await this.sendUnsent();
    for (const s of schedules) {
      const task = createTask(s.cron, (ctx: TaskContext) => this.track(this.onTick(s.kind, s.system, ctx)), {
        timezone: 'UTC',
        name: `${s.kind}:${s.system}`,
        // An enqueue that hangs (Redis down) must not stack a second fire of the same task on it.
        noOverlap: true,
      });
      await task.start();
      this.tasks.push(task);
    }
    this.logger.info({ schedules: schedules.map((s) => `${s.kind}:${s.system} "${s.cron}"`) }, 'scheduler started (UTC)');
  }

  /** Stops the cron tasks and waits for fires in progress. */
  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /**
   * What a cron tick does for the slot `at` falls in: claim it, and enqueue the job if the claim
   * was ours. Public so `crosswalk scheduler --once` and tests can fire a slot directly.
   */
  async fire(kind: ScheduleKind, systemId: string, at: Date): Promise<FireResult> {
    const jobId = slotJobId(kind, systemId, at);
    const payload = await this.payloadFor(kind, systemId);
    if (payload === null) {
      this.logger.warn({ kind, system: systemId }, 'no entities to schedule for this system: slot skipped');
      return 'nothing';
    }
    const name = JOB_FOR[kind];
    // Validate before claiming: a slot claimed for a job that cannot be queued would be lost.
    validateJob(name, payload, { jobId });
    const store = this.options.store;
    const won = await store.unitOfWork((tx) => tx.slots.claim({ id: jobId, job: name, system: systemId, payload }, this.now().toISOString()));
    if (!won) {
      this.logger.debug({ jobId }, 'slot already claimed by another scheduler');
      return 'taken';
    }
    await this.send(jobId, name, payload);
    return 'enqueued';
  }

  private async onTick(kind: ScheduleKind, systemId: string, ctx: TaskContext): Promise<void> {
    try {
      const result = await this.fire(kind, systemId, ctx.date);
      if (result === 'enqueued') this.logger.info({ kind, system: systemId, slot: slotJobId(kind, systemId, ctx.date) }, 'scheduled job enqueued');
      await this.sendUnsent();
    } catch (err) {
      this.logger.error({ err: errField(err), kind, system: systemId }, 'scheduled fire failed');
    }
  }

  private async payloadFor(kind: ScheduleKind, systemId: string): Promise<Record<string, unknown> | null> {
    if (kind === 'events') return { system: systemId };
    const [entity, ...then] = await this.options.entitiesFor(systemId);
    if (entity === undefined) return null;
    return { system: systemId, entity, then };
  }

  private async send(jobId: string, name: JobName, payload: unknown): Promise<void> {
    // The payload was validated (or was stored after validation); the driver validates it again.
    await this.options.driver.enqueue(name, payload as never, { jobId });
    await this.options.store.unitOfWork((tx) => tx.slots.markEnqueued(jobId, this.now().toISOString()));
  }

  /**
   * Claims whose enqueue never happened (the claimer died, or Redis was down): sent now. The job id
   * is the slot id, so if the claimer did enqueue after all, BullMQ keeps one job.
   */
  private async sendUnsent(): Promise<void> {
    const now = this.now().getTime();
    const rows = await this.options.store.repos.slots.unenqueued(
      new Date(now - 24 * 3_600_000).toISOString(),
      new Date(now - this.unsentAfterMs).toISOString(),
      100,
    );
    for (const row of rows) {
      try {
        await this.send(row.id, row.job as JobName, row.payload);
        this.logger.warn({ jobId: row.id }, 'schedule slot claimed earlier but never enqueued: enqueued now');
      } catch (err) {
        this.logger.error({ err: errField(err), jobId: row.id }, 'could not enqueue a claimed schedule slot');
      }
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }
}
