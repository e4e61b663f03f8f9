import { ConfigError } from '../../src/engine/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import type { Repos, RunRow, Store } from '../../src/store/index.ts';
import type { PageCursor } from '../../connectors/kit/index.ts';
import type { Handler } from '../context.ts';
import type { JobPayload } from '../catalog.ts';
import { applyMapped, mapRecords, summaryCounts } from '../lib/map-records.ts';
import { pageJobId } from '../../src/queue/ids.ts';

/** Where a pull run is: stored in `runs.cursor`, committed with each page's records. */
export interface PullCursor {
  /** Records modified at or after this time (ISO); null for a full pull. */
  readonly since: string | null;
  /** The next incremental pull starts here: the source's time when this run started, less a safety margin. */
  readonly startedAt: string;
  /** Pages committed so far; the relay and duplicate jobs read it. */
  readonly page: number;
  /** The connector's position for the next page. */
  readonly cursor: PageCursor | null;
  readonly full: boolean;
  readonly then: readonly string[];
  readonly total?: number;
  /** When the last page committed: the relay resumes a run only after it has been quiet a while. */
  readonly progressAt?: string;
}

/**
 * Records modified while a run reads are caught by the next run because the next `since` is this
 * run's start; the margin covers clock skew between us and the vendor.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * One page of a pull: fetch it, map it, and apply it through the engine together with the run's new
 * position in one unit of work — so a crash resumes from the last committed page, and a duplicate
 * job for a page already committed does nothing.
 */
export const syncPull: Handler<'sync.pull'> = async (payload, ctx) => {
  const { hub } = ctx;
  const store = hub.store();
  const mappings = hub.registry().allByVendorEntity(payload.system, payload.entity).filter((m) => m.inboundFields().length > 0);
  if (mappings.length === 0) throw new ConfigError(`no mapping reads ${payload.entity} from ${payload.system}`);

  const run = await findOrStartRun(ctx.hub.store(), payload);
  if (run.status !== 'running') return;
  const position = run.cursor as PullCursor;
  if (payload.page !== null && payload.page !== position.page) return;

  const fields = [...new Set(mappings.flatMap((m) => m.sourcePaths()))];
  const page = await hub.connector(payload.system).pullPage({ entity: payload.entity, since: position.since, cursor: position.cursor, fields });
  const mapped = mapRecords(mappings, page.records);

  const done = page.next === null;
  const committed = await store.unitOfWork(async (tx): Promise<{ nextRun: RunRow | null } | null> => {
    const fresh = await tx.runs.get(run.id);
    if (fresh?.status !== 'running' || (fresh.cursor as PullCursor).page !== position.page) return null;
    const summary = await applyMapped(hub, tx, payload.system, mapped, { runId: run.id, jobId: ctx.jobId });
    const next: PullCursor = {
      ...position, page: position.page + 1, cursor: page.next, progressAt: nowIso(), ...(page.total !== undefined && { total: page.total }),
    };
    await tx.runs.progress(run.id, next, summaryCounts(summary, { pulled: page.records.length, pages: 1, unidentified: mapped.unidentified.length }));
    if (done) {
      await tx.cursors.set(payload.system, payload.entity, position.startedAt, nowIso());
      const counts = (await tx.runs.get(run.id))?.counts ?? {};
      await tx.runs.finish(run.id, 'succeeded', { counts, unidentified: mapped.unidentified.slice(0, 50) }, null, nowIso());
      // Creates held back until this system had been read can go now (see sync-push).
      await tx.outbox.wake(payload.system, `pull|${payload.system}`, nowIso());
      // The chain's next entity becomes a run row in this same commit: were its job lost with
      // Redis, the relay finds the run and resumes it (nothing requested lives only in Redis).
      const [next, ...rest] = position.then;
      if (next !== undefined) return { nextRun: await startOrJoinPullIn(tx, { system: payload.system, entity: next, full: position.full, then: rest }, Date.now()) };
    }
    return { nextRun: null };
  });
  if (!committed) return;
  await ctx.progress({ entity: payload.entity, page: position.page + 1, pulled: page.records.length, ...(page.total !== undefined && { total: page.total }) });

  if (!done) {
    await ctx.enqueue('sync.pull', { ...payload, runId: run.id, page: position.page + 1 }, { jobId: pageJobId('pull', run.id, position.page + 1) });
  } else if (committed.nextRun !== null) {
    await ctx.enqueue('sync.pull', pageJobOf(committed.nextRun), { jobId: pageJobId('pull', committed.nextRun.id, (committed.nextRun.cursor as PullCursor).page) });
  }
};

/** The payload of a pull run's next page job, from the run row alone (the relay builds the same). */
export function pageJobOf(run: RunRow): JobPayload<'sync.pull'> {
  const cursor = run.cursor as PullCursor;
  return { system: run.system, entity: run.entity ?? '', runId: run.id, page: cursor.page, full: cursor.full, then: [...cursor.then] };
}

async function findOrStartRun(store: Store, payload: JobPayload<'sync.pull'>): Promise<RunRow> {
  if (payload.runId !== null) {
    const run = await store.repos.runs.get(payload.runId);
    if (!run) throw new ConfigError(`pull run ${payload.runId} does not exist`);
    return run;
  }
  return startOrJoinPull(store, payload);
}

/** What a pull run is asked for: a system's vendor entity, full or since the last, and what follows it. */
export interface PullRequest {
  readonly system: string;
  readonly entity: string;
  readonly full: boolean;
  readonly then: readonly string[];
}

/** The running pull of this system and entity, or a new run row: a second trigger joins the one in progress. */
export async function startOrJoinPull(store: Store, request: PullRequest): Promise<RunRow> {
  return store.unitOfWork((tx) => startOrJoinPullIn(tx, request, Date.now()));
}

async function startOrJoinPullIn(tx: Repos, request: PullRequest, now: number): Promise<RunRow> {
  const running = await tx.runs.latestRunning('pull', request.system, request.entity);
  if (running) return running;
  const since = request.full ? null : await tx.cursors.get(request.system, request.entity);
  const cursor: PullCursor = {
    since,
    startedAt: new Date(now - CLOCK_SKEW_MS).toISOString(),
    page: 0,
    cursor: null,
    full: request.full,
    then: [...request.then],
  };
  return tx.runs.start('pull', request.system, request.entity, new Date(now).toISOString(), cursor);
}
