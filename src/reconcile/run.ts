import type { EntityName } from '../model/index.ts';
import type { RunRow, Store } from '../store/index.ts';
import { deletesStep, graceStep } from './deletes.ts';
import type { ReconcileDeps } from './deps.ts';
import { finishStep, purgeLeftovers } from './finish.ts';
import { gateStep, listingStep } from './listing.ts';
import { repairStep } from './repair.ts';
import type { StepInput, StepResult } from './step.ts';
import type { ReconcileCursor } from './types.ts';

export function initialCursor(entities: readonly EntityName[], then: readonly string[], now: string): ReconcileCursor {
  return { phase: 'listing', page: 0, then, progressAt: now, listing: null, listingPages: 0, entities, entityIndex: 0, after: null, gates: {} };
}

/**
 * The running reconcile of a system's vendor entity, or a new one. One run per system and entity at
 * a time: a second trigger (the nightly slot while ops ran one by hand) joins the run in progress.
 * Decided inside a unit of work, so two triggers cannot both start one.
 */
export async function startOrJoinRun(
  store: Store,
  options: { system: string; vendorEntity: string; entities: readonly EntityName[]; then: readonly string[]; now: string; purgeChunk: number },
): Promise<{ run: RunRow; created: boolean }> {
  await purgeLeftovers(store, options.purgeChunk);
  return store.unitOfWork(async (tx) => {
    const running = await tx.runs.latestRunning('reconcile', options.system, options.vendorEntity);
    if (running) return { run: running, created: false };
    const run = await tx.runs.start('reconcile', options.system, options.vendorEntity, options.now, initialCursor(options.entities, options.then, options.now));
    return { run, created: true };
  });
}

/**
 * Runs the run's next step if it is at `page` (null: wherever it is). Null when there is nothing to
 * do: the run is finished, unknown, or already past `page` (a duplicate or stale job).
 */
export async function runStep(deps: ReconcileDeps, runId: string, page: number | null): Promise<StepResult | null> {
  const run = await deps.store.repos.runs.get(runId);
  if (run?.kind !== 'reconcile' || run.status !== 'running') return null;
  const cursor = run.cursor as ReconcileCursor;
  if (page !== null && page !== cursor.page) return null;
  const input: StepInput = { deps, run, cursor };
  switch (cursor.phase) {
    case 'listing':
      return listingStep(input);
    case 'gate':
      return gateStep(input);
    case 'repair':
      return repairStep(input);
    case 'deletes':
      return deletesStep(input);
    case 'grace':
      return graceStep(input);
    case 'finish':
      return finishStep(input);
    case 'done':
      return null;
  }
}
