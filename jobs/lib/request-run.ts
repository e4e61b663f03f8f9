import type { Hub } from '../../src/hub.ts';
import { pageJobId } from '../../src/queue/ids.ts';
import { startOrJoinRun, type ReconcileCursor } from '../../src/reconcile/index.ts';
import { pageJobOf, startOrJoinPull } from '../handlers/sync-pull.ts';
import { reconcileDepsFor } from '../handlers/reconcile-run.ts';

/** A run someone asked for: its row, written before anything was queued, and the job queued for it. */
export interface RequestedRun {
  readonly runId: string;
  readonly jobId: string;
  /** The vendor entities the chain will read, first one first. */
  readonly entities: readonly string[];
}

/**
 * A pull asked for by a person (API, CLI, demo). The run row is written first and the job id comes
 * from it, so a request acknowledged is never only in Redis: lose the job and the relay resumes the
 * run (see Relay). A request for a system and entity already running joins that run.
 */
export async function requestPull(hub: Hub, system: string, options: { entity?: string | undefined; full: boolean }): Promise<RequestedRun> {
  const entities = hub.pullOrder(system, options.entity);
  const [first, ...then] = entities as [string, ...string[]];
  const run = await startOrJoinPull(hub.store(), { system, entity: first, full: options.full, then });
  const payload = pageJobOf(run);
  const jobId = pageJobId('pull', run.id, payload.page ?? 0);
  await hub.queue().enqueue('sync.pull', payload, { jobId });
  return { runId: run.id, jobId, entities };
}

/** A reconciliation asked for by a person: durable first, like `requestPull`. */
export async function requestReconcile(hub: Hub, system: string, options: { entity?: string | undefined }): Promise<RequestedRun> {
  const entities = hub.pullOrder(system, options.entity);
  const [first, ...then] = entities as [string, ...string[]];
  const deps = reconcileDepsFor(hub, system, first);
  const { run } = await startOrJoinRun(deps.store, {
    system, vendorEntity: first, entities: deps.mappings.map((m) => m.entity), then, now: deps.now(), purgeChunk: deps.settings.purgeChunk,
  });
  // Written by startOrJoinRun just above (or by the run being joined): a reconcile run's cursor.
  const cursor = run.cursor as ReconcileCursor;
  const jobId = pageJobId('reconcile', run.id, cursor.page);
  await hub.queue().enqueue('reconcile.run', { system, entity: first, runId: run.id, page: cursor.page, then: [...cursor.then] }, { jobId });
  return { runId: run.id, jobId, entities };
}
