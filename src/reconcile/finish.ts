import type { Store } from '../store/index.ts';
import type { ReconcileDeps } from './deps.ts';
import { findOrphans, orphanTotal } from './orphans.ts';
import { buildReport } from './report.ts';
import type { StepInput, StepResult } from './step.ts';
import type { ReconcileCursor } from './types.ts';

/**
 * The last step: orphans (for the run that ends a payroll system's chain, so each is listed once
 * per night), the report, the run's status; then the staging rows go, a chunk per unit of work.
 * `partial` when some entity's tombstones were skipped: the repairs ran, the deletes did not.
 */
export async function finishStep(input: StepInput): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const orphans = deps.systemKind === 'payroll' && cursor.then.length === 0 ? await findOrphans(deps) : null;
  const skipped = Object.values(cursor.gates).some((g) => g !== undefined && !g.tombstone);
  const next: ReconcileCursor = { ...cursor, phase: 'done', page: cursor.page + 1, progressAt: deps.now() };
  const committed = await deps.store.unitOfWork(async (tx) => {
    const fresh = await tx.runs.get(run.id);
    if (fresh?.status !== 'running' || (fresh.cursor as ReconcileCursor | null)?.page !== cursor.page) return false;
    const total = orphanTotal(orphans);
    await tx.runs.progress(run.id, next, total > 0 ? { orphans: total } : {});
    const counted = (await tx.runs.get(run.id)) ?? fresh;
    const now = deps.now();
    const status = skipped ? 'partial' : 'succeeded';
    const report = buildReport({ run: counted, cursor: next, status, finishedAt: now, rateLimit: deps.rateLimit, orphans, error: null });
    await tx.runs.finish(run.id, status, report, null, now);
    return true;
  });
  if (committed) await purgeStaging(deps.store, run.id, deps.settings.purgeChunk);
  return { committed, cursor: next, calledVendor: false };
}

/**
 * Marks a run failed with a report saying how far it got; staging goes. Nothing more is
 * tombstoned: deletes only ever follow a complete listing.
 */
export async function failRun(deps: ReconcileDeps, runId: string, error: string): Promise<void> {
  const done = await deps.store.unitOfWork(async (tx) => {
    const run = await tx.runs.get(runId);
    if (run?.status !== 'running') return false;
    const now = deps.now();
    const report = buildReport({
      run, cursor: run.cursor as ReconcileCursor | null, status: 'failed', finishedAt: now, rateLimit: deps.rateLimit, orphans: null, error,
    });
    await tx.runs.finish(runId, 'failed', report, error, now);
    return true;
  });
  if (done) await purgeStaging(deps.store, runId, deps.settings.purgeChunk);
}

/** Deletes a run's staging rows in chunks, each its own short unit of work. */
export async function purgeStaging(store: Store, runId: string, chunk: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await store.unitOfWork((tx) => tx.reconcile.purge(runId, chunk));
    total += n;
    if (n < chunk) return total;
  }
}

/** Staging rows left by runs that ended without purging (a crash in between): removed before a new run starts. */
export async function purgeLeftovers(store: Store, chunk: number): Promise<void> {
  for (const runId of await store.repos.reconcile.leftoverRuns(100)) await purgeStaging(store, runId, chunk);
}
