import type { RunRow, Store } from '../store/index.ts';
import { isReport } from './report.ts';

/** Same shape as the HTTP layer's metric family (src/http/metrics/exposition.ts), so the lead can merge them. */
export interface ReconcileFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly samples: ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly value: number }>;
}

/** How many recent reconcile runs are looked at to find each system and entity's last one. */
const RECENT_RUNS = 1_000;

const GAUGES = [
  ['seen', 'crosswalk_reconcile_last_seen', 'Records the last finished reconciliation listed, per system and vendor entity.'],
  ['repaired', 'crosswalk_reconcile_last_repaired', 'Canonical rows the last finished reconciliation created or changed.'],
  ['conflicts', 'crosswalk_reconcile_last_conflicts', 'Conflicts the last finished reconciliation opened.'],
  ['tombstoned', 'crosswalk_reconcile_last_tombstoned', 'Links the last finished reconciliation tombstoned.'],
  ['deleted', 'crosswalk_reconcile_last_deleted', 'Canonical rows the last finished reconciliation soft-deleted after the grace period.'],
  ['orphans', 'crosswalk_reconcile_last_orphans', 'Cross-system orphans the last finished reconciliation listed.'],
] as const;

/**
 * Gauges of the last finished reconcile run per system and vendor entity, and when the last
 * successful one finished. For the `/metrics` hook: `await reconcileMetrics(store)` is Prometheus
 * text (format 0.0.4) to append to the rest.
 */
export async function reconcileMetricFamilies(store: Store): Promise<ReconcileFamily[]> {
  const runs = await store.repos.runs.page({ kind: 'reconcile', limit: RECENT_RUNS });
  const last = new Map<string, RunRow>();
  const lastSuccess = new Map<string, RunRow>();
  for (const run of runs) {
    if (run.status === 'running') continue;
    const key = `${run.system}\u0000${run.entity ?? ''}`;
    if (!last.has(key)) last.set(key, run);
    if (run.status === 'succeeded' && !lastSuccess.has(key)) lastSuccess.set(key, run);
  }
  const labels = (run: RunRow) => ({ system: run.system, entity: run.entity ?? '' });
  const families: ReconcileFamily[] = GAUGES.map(([count, name, help]) => ({
    name,
    help,
    type: 'gauge',
    samples: [...last.values()].map((run) => ({
      labels: labels(run),
      value: isReport(run.report) ? run.report.counts[count] : (run.counts[count] ?? 0),
    })),
  }));
  families.push(
    {
      name: 'crosswalk_reconcile_last_tombstones_skipped',
      help: 'Whether the last finished reconciliation skipped tombstones (failed, partial or suspiciously small listing): 1 or 0.',
      type: 'gauge',
      samples: [...last.values()].map((run) => ({
        labels: labels(run),
        value: run.status === 'failed' || (isReport(run.report) && run.report.tombstones.skipped) ? 1 : 0,
      })),
    },
    {
      name: 'crosswalk_reconcile_last_duration_seconds',
      help: 'Wall time of the last finished reconciliation.',
      type: 'gauge',
      samples: [...last.values()].map((run) => ({ labels: labels(run), value: isReport(run.report) ? run.report.durationMs / 1000 : 0 })),
    },
    {
      name: 'crosswalk_reconcile_last_success_timestamp_seconds',
      help: 'When the last successful reconciliation finished (Unix time).',
      type: 'gauge',
      samples: [...lastSuccess.values()].flatMap((run) => {
        const at = run.finishedAt === null ? Number.NaN : Date.parse(run.finishedAt);
        return Number.isNaN(at) ? [] : [{ labels: labels(run), value: at / 1000 }];
      }),
    },
  );
  return families;
}

export async function reconcileMetrics(store: Store): Promise<string> {
  return (await reconcileMetricFamilies(store)).map(renderFamily).join('');
}

function renderFamily(family: ReconcileFamily): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const s of family.samples) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
    lines.push(`${family.name}{${labels.join(',')}} ${String(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
