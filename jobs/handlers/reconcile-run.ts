import { ConfigError } from '../../src/engine/index.ts';
import type { Hub } from '../../src/hub.ts';
import { nowIso } from '../../src/lib/time.ts';
import { chainJobId, pageJobId } from '../../src/queue/ids.ts';
import {
  DEFAULT_SETTINGS, failRun, inboundMappings, runStep, startOrJoinRun, type ReconcileCursor, type ReconcileDeps, type ReconcileSettings,
} from '../../src/reconcile/index.ts';
import type { JobPayload } from '../catalog.ts';
import type { Handler, JobContext } from '../context.ts';

/**
 * One step of a reconcile run, then the next step's job. A fresh job (no runId) starts the run of
 * its system and vendor entity, or hands over to the one already running. Each job ends after its
 * first step that called the vendor, so the queue's per-system limiter paces the listing; steps that
 * only touch SQLite (the gate, an empty diff page, the finish) run on in the same job. Every step
 * commits with the run's cursor, whose `page` names the next job (`reconcile:<runId>:<page>`, the
 * id the relay uses too): a crash resumes at the last committed step, a duplicate job does nothing.
 */
export const reconcileRun: Handler<'reconcile.run'> = async (payload, ctx) => runReconcileJob(payload, ctx, {});

/**
 * The handler with settings the config does not carry (a listing page size, a clock): tests and
 * benchmarks drive a run with small pages through it.
 */
export function createReconcileHandler(options: { settings?: Partial<ReconcileSettings>; now?: () => string }): Handler<'reconcile.run'> {
  return (payload, ctx) => runReconcileJob(payload, ctx, options);
}

async function runReconcileJob(
  payload: JobPayload<'reconcile.run'>,
  ctx: JobContext,
  options: { settings?: Partial<ReconcileSettings>; now?: () => string },
): Promise<void> {
  const deps = reconcileDepsFor(ctx.hub, payload.system, payload.entity, { jobId: ctx.jobId, ...options });
  let runId = payload.runId;
  let page = payload.page;
  if (runId === null) {
    const { run, created } = await startOrJoinRun(deps.store, {
      system: payload.system,
      vendorEntity: payload.entity,
      entities: deps.mappings.map((m) => m.entity),
      then: payload.then,
      now: deps.now(),
      purgeChunk: deps.settings.purgeChunk,
    });
    if (!created) {
      // Joined a run in progress: make sure its next step is queued (a no-op when it is) and leave it to that chain.
      const cursor = run.cursor as ReconcileCursor;
      await ctx.enqueue('reconcile.run', { system: payload.system, entity: payload.entity, runId: run.id, page: cursor.page, then: [...cursor.then] }, {
        jobId: pageJobId('reconcile', run.id, cursor.page),
      });
      return;
    }
    runId = run.id;
    page = 0;
  }

  try {
    for (;;) {
      const result = await runStep(deps, runId, page);
      if (!result?.committed) return;
      const cursor = result.cursor;
      await ctx.progress({ entity: payload.entity, phase: cursor.phase, step: cursor.page, pages: cursor.listingPages, ...(cursor.total !== undefined && { total: cursor.total }) });
      if (cursor.phase === 'done') {
        await enqueueThen(ctx, payload.system, runId, cursor.then);
        return;
      }
      page = cursor.page;
      if (result.calledVendor || ctx.signal.aborted) {
        await ctx.enqueue('reconcile.run', { system: payload.system, entity: payload.entity, runId, page, then: [...cursor.then] }, {
          jobId: pageJobId('reconcile', runId, page),
        });
        return;
      }
    }
  } catch (err) {
    // The last try: the run ends failed with a report (a listing that never completed tombstones
    // nothing), and the chain goes on: one broken entity must not keep the others unreconciled.
    if (ctx.finalAttempt) {
      const run = await deps.store.repos.runs.get(runId);
      await failRun(deps, runId, err instanceof Error ? err.message : String(err));
      await enqueueThen(ctx, payload.system, runId, (run?.cursor as ReconcileCursor | null)?.then ?? payload.then);
    }
    throw err;
  }
}

async function enqueueThen(ctx: JobContext, system: string, runId: string, then: readonly string[]): Promise<void> {
  const [next, ...rest] = then;
  if (next === undefined) return;
  await ctx.enqueue('reconcile.run', { system, entity: next, then: rest }, { jobId: chainJobId('reconcile', runId) });
}

/** A run's dependencies from the hub: the system's connector and mappings, the config's thresholds, its rate limit. */
export function reconcileDepsFor(
  hub: Hub,
  system: string,
  vendorEntity: string,
  options: { jobId?: string; now?: () => string; settings?: Partial<ReconcileSettings> } = {},
): ReconcileDeps {
  const registry = hub.registry();
  const mappings = inboundMappings(registry.allByVendorEntity(system, vendorEntity));
  if (mappings.length === 0) throw new ConfigError(`no mapping reads ${vendorEntity} from ${system}`);
  const config = hub.system(system);
  return {
    store: hub.store(),
    engine: hub.engine(),
    connector: hub.connector(system),
    system,
    systemKind: config.kind,
    vendorEntity,
    mappings,
    settings: { ...DEFAULT_SETTINGS, ...hub.config.reconcile, ...options.settings },
    rateLimit: hub.rateLimitFor(system) ?? null,
    payrollEntities: new Set(registry.all().filter((m) => m.system === system).map((m) => m.entity)),
    now: options.now ?? nowIso,
    ...(options.jobId !== undefined && { jobId: options.jobId }),
  };
}
