import type { RunRow } from '../store/index.ts';
import type { OrphanList } from '../store/repos/reconcile-repo.ts';
import type { RequestLimit } from './deps.ts';
import { COUNT_KEYS, type CountKey, type OrphanKind, type ReconcileCursor, type ReconcileReport } from './types.ts';

export interface ReportInput {
  readonly run: RunRow;
  readonly cursor: ReconcileCursor | null;
  readonly status: ReconcileReport['status'];
  readonly finishedAt: string;
  readonly rateLimit: RequestLimit | null;
  readonly orphans: Partial<Record<OrphanKind, OrphanList>> | null;
  readonly error: string | null;
}

/**
 * The run's report from its counts and cursor. `matched` is derived (staged rows that were not in
 * the diff) rather than counted by a second pass over the join. Requests allowed are what the
 * system's rate limit permits over the run's wall time: the share of the budget a run used is the
 * figure the reconcile benchmark reports.
 */
export function buildReport(input: ReportInput): ReconcileReport {
  const { run, cursor } = input;
  const c = Object.fromEntries(COUNT_KEYS.map((k) => [k, run.counts[k] ?? 0])) as Record<CountKey, number>;
  const matched = Math.max(0, c.staged - c.diff);
  const durationMs = Math.max(0, Date.parse(input.finishedAt) - Date.parse(run.startedAt));
  const limit = input.rateLimit;
  const gates = cursor?.gates ?? {};
  const reasons: string[] = [];
  for (const [entity, gate] of Object.entries(gates)) if (gate && !gate.tombstone && gate.reason) reasons.push(`${entity}: ${gate.reason}`);
  if (input.status === 'failed') reasons.push(`the run failed${cursor?.phase === 'listing' || cursor === null ? ' before its listing completed' : ''}: nothing more was tombstoned`);
  return {
    kind: 'reconcile',
    system: run.system,
    entity: run.entity ?? '',
    runId: run.id,
    status: input.status,
    counts: { ...c, matched },
    requests: {
      used: c.requests,
      allowed: limit === null ? null : Math.floor((limit.max * durationMs) / limit.duration),
      limit,
    },
    durationMs,
    listingMs: cursor?.listedAt === undefined ? null : Math.max(0, Date.parse(cursor.listedAt) - Date.parse(run.startedAt)),
    tombstones: { skipped: reasons.length > 0, reasons },
    entities: gates,
    orphans: input.orphans,
    error: input.error,
  };
}

/** The columns `crosswalk reconcile` prints, one row per run. */
export const REPORT_COLUMNS = [
  'system', 'entity', 'status', 'seen', 'matched', 'added', 'changed', 'repaired', 'conflicts', 'rejected', 'tombstoned', 'deleted',
  'restored', 'orphans', 'requests', 'allowed', 'seconds',
] as const;

/** A report (or a run without one yet) as a table row. */
export function reportRow(run: RunRow): Record<(typeof REPORT_COLUMNS)[number], string | number> {
  const report = isReport(run.report) ? run.report : null;
  const count = (k: CountKey | 'matched') => report?.counts[k] ?? (k === 'matched' ? 0 : (run.counts[k] ?? 0));
  return {
    system: run.system,
    entity: run.entity ?? '',
    status: run.status,
    seen: count('seen'),
    matched: count('matched'),
    added: count('added'),
    changed: count('changed'),
    repaired: count('repaired'),
    conflicts: count('conflicts'),
    rejected: count('rejected'),
    tombstoned: count('tombstoned'),
    deleted: count('deleted'),
    restored: count('restored'),
    orphans: count('orphans'),
    requests: report?.requests.used ?? run.counts['requests'] ?? 0,
    allowed: report?.requests.allowed ?? '',
    seconds: report ? Math.round(report.durationMs / 100) / 10 : '',
  };
}

export function isReport(value: unknown): value is ReconcileReport {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'reconcile';
}
