import { addSummary, emptySummary, type ApplySummary, type IncomingRecord } from '../engine/index.ts';
import type { EntityName } from '../model/index.ts';
import type { LedgerEntry, Repos, RunRow } from '../store/index.ts';
import type { ReconcileDeps } from './deps.ts';
import type { Counts, ReconcileCursor } from './types.ts';

/** What every step gets: the run as read before the step, and where its cursor was. */
export interface StepInput {
  readonly deps: ReconcileDeps;
  readonly run: RunRow;
  readonly cursor: ReconcileCursor;
}

export interface StepResult {
  /** False when the step had already been committed by another job (a duplicate): stop there. */
  readonly committed: boolean;
  readonly cursor: ReconcileCursor;
  /** The step called the vendor: the handler ends its job here, so each job spends one request budget slot. */
  readonly calledVendor: boolean;
}

/**
 * Commits a step: in one unit of work, checks that the run is still at the step this job read
 * (a duplicate job, or the relay's copy, finds it moved on and changes nothing), does the step's
 * writes, and saves the advanced cursor with the counts. No vendor call ever runs in here.
 */
export async function commitStep(
  input: StepInput,
  patch: Partial<ReconcileCursor>,
  counts: Counts,
  calledVendor: boolean,
  work?: (tx: Repos) => Promise<Counts | void>,
): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const next: ReconcileCursor = { ...cursor, ...patch, page: cursor.page + 1, progressAt: deps.now() };
  const committed = await deps.store.unitOfWork(async (tx) => {
    const fresh = await tx.runs.get(run.id);
    if (fresh?.status !== 'running' || (fresh.cursor as ReconcileCursor | null)?.page !== cursor.page) return false;
    const more = work ? await work(tx) : undefined;
    await tx.runs.progress(run.id, next, nonZero(sumCounts(counts, more ?? {})));
    return true;
  });
  return { committed, cursor: next, calledVendor };
}

/**
 * Runs a vendor call and says how many requests it cost: the connector's own counter where it
 * keeps one (retries included), else one per call. The counter is per connector instance, so a
 * pull running beside the reconcile on the same system is counted too.
 */
export async function metered<T>(deps: ReconcileDeps, call: () => Promise<T>): Promise<{ value: T; requests: number }> {
  const before = deps.connector.requestStats?.().requests;
  const value = await call();
  const after = deps.connector.requestStats?.().requests;
  return { value, requests: before === undefined || after === undefined ? 1 : Math.max(0, after - before) };
}

/** Applies mapped batches through the engine, parents first, and returns the summed summary. */
export async function applyBatches(
  deps: ReconcileDeps,
  tx: Repos,
  runId: string,
  batches: ReadonlyArray<{ entity: EntityName; records: readonly IncomingRecord[] }>,
): Promise<ApplySummary> {
  const total = emptySummary();
  for (const b of batches) {
    if (b.records.length === 0) continue;
    addSummary(
      total,
      await deps.engine.applyIn(tx, { system: deps.system, entity: b.entity, records: b.records, runId, ...(deps.jobId !== undefined && { jobId: deps.jobId }) }),
    );
  }
  return total;
}

/** The engine's summary as run counts: repairs are the rows it created or changed. */
export function summaryCounts(s: ApplySummary): Counts {
  return {
    repaired: s.created + s.updated + s.released,
    conflicts: s.conflicts,
    rejected: s.rejected,
    held: s.held,
    parked: s.parked,
    tombstoned: s.tombstoned,
  };
}

/** A ledger row written by the reconciliation itself (tombstone, delete, restore). */
export function ledgerRow(
  deps: ReconcileDeps,
  runId: string,
  now: string,
  row: { entity: EntityName; canonicalId: string | null; externalId: string; action: LedgerEntry['action']; reason: string },
): LedgerEntry {
  return {
    at: now,
    direction: 'in',
    system: deps.system,
    entity: row.entity,
    canonicalId: row.canonicalId,
    externalId: row.externalId,
    action: row.action,
    outcome: 'applied',
    diff: null,
    reason: row.reason,
    sourceModifiedAt: null,
    actor: 'reconcile',
    runId,
    jobId: deps.jobId ?? null,
  };
}

export function sumCounts(a: Counts, b: Counts): Counts {
  const out: Counts = { ...a };
  for (const [k, v] of Object.entries(b) as Array<[keyof Counts, number]>) out[k] = (out[k] ?? 0) + v;
  return out;
}

function nonZero(counts: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) if (v !== undefined && v !== 0) out[k] = v;
  return out;
}
