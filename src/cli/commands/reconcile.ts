import type { Command } from 'commander';
import type { Hub } from '../../hub.ts';
import { isReport, REPORT_COLUMNS, reportRow, type ReconcileReport } from '../../reconcile/index.ts';
import type { RunRow } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { emit, printTable } from '../output.ts';
import { pullOrder } from './sync.ts';
import { watchRuns } from './watch.ts';
import { requestReconcile } from '../../../jobs/lib/request-run.ts';

/** A nightly reconcile of a large ATS at its documented rate limit takes hours, not days. */
const INLINE_TIMEOUT_MS = 12 * 3_600_000;

interface Options {
  entity?: string;
  wait: boolean;
  json?: boolean;
}

/**
 * `crosswalk reconcile [<system>] [--entity E]`: a full listing of each entity, compared with what
 * the hub holds, drift repaired, deletes tombstoned safely, orphans listed; one report per system
 * and entity. Every system when none is named: ATS systems first, payroll last, one system at a
 * time, so the payroll run's orphan check sees the ATS already repaired.
 */
export function registerReconcile(program: Command, ctx: CliContext): void {
  program
    .command('reconcile [system]')
    .description('compare every record of a system (or of all systems) with the hub, repair drift, tombstone deletes safely, report')
    .option('--entity <name>', 'one vendor entity (Placement) or canonical entity (assignment)')
    .option('--no-wait', 'with a Redis queue: enqueue and return')
    .option('--json', 'machine-readable output')
    .action(async (systemId: string | undefined, opts: Options) => {
      const hub = ctx.hub();
      const systems = systemId === undefined ? reconcileOrder(hub) : [hub.system(systemId).id];
      const plans = systems.map((system) => ({ system, entities: pullOrder(hub, system, opts.entity) }));
      const inline = hub.config.queue.driver === 'inline';
      if (inline) await hub.work();
      const runs: RunRow[] = [];
      for (const { system, entities } of plans) {
        const started = new Date().toISOString();
        await requestReconcile(hub, system, { entity: opts.entity });
        if (!opts.wait && !inline) continue;
        // Inline: the whole chain runs in this process; wait for all of it, failed entities included.
        if (inline) await hub.queue().drain({ timeoutMs: INLINE_TIMEOUT_MS });
        runs.push(...(await watchRuns(hub, { kind: 'reconcile', system, since: started, expect: entities, json: opts.json ?? false })));
      }
      if (!opts.wait && !inline) {
        emit(opts, { enqueued: plans }, () => {
          for (const p of plans) process.stdout.write(`enqueued a reconciliation of ${p.entities.join(', ')} in ${p.system}\n`);
        });
        return;
      }
      print(opts, runs);
      // A failed run, or one that skipped its tombstones, needs a person: scripts and cron see it.
      if (runs.some((r) => r.status !== 'succeeded')) process.exitCode = 1;
    });
}

/** Configured systems with a mapping, ATS before payroll. */
export function reconcileOrder(hub: Hub): string[] {
  const mapped = new Set(hub.registry().systems());
  const systems = hub.config.systems.filter((s) => mapped.has(s.id));
  return [...systems.filter((s) => s.kind === 'ats'), ...systems.filter((s) => s.kind !== 'ats')].map((s) => s.id);
}

function print(opts: { json?: boolean }, runs: readonly RunRow[]): void {
  const reports = runs.map((r) => (isReport(r.report) ? r.report : null));
  emit(opts, { runs: runs.map((r, i) => ({ id: r.id, system: r.system, entity: r.entity, status: r.status, error: r.error, report: reports[i] ?? null })) }, () => {
    printTable(runs.map(reportRow), REPORT_COLUMNS);
    for (const [i, run] of runs.entries()) notes(run, reports[i] ?? null);
  });
}

/** What the table cannot say: why tombstones were skipped, which orphans, why a run failed. */
function notes(run: RunRow, report: ReconcileReport | null): void {
  const where = `${run.system} ${run.entity ?? ''}`;
  if (run.error) process.stdout.write(`${where}: failed: ${run.error}\n`);
  if (!report) return;
  for (const reason of report.tombstones.reasons) process.stdout.write(`${where}: ${reason}\n`);
  for (const [kind, list] of Object.entries(report.orphans ?? {})) {
    if (!list || list.count === 0) continue;
    const ids = list.items.slice(0, 10).map((o) => o.externalId ?? o.canonicalId);
    process.stdout.write(`${where}: ${list.count} ${kind.replace(/_/g, ' ')}: ${ids.join(', ')}${list.count > ids.length ? ', …' : ''}\n`);
  }
}
