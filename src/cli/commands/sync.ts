import type { Command } from 'commander';
import { ConfigError } from '../../engine/index.ts';
import type { Hub } from '../../hub.ts';
import type { RunRow } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { watchRuns } from './watch.ts';
import { enqueueDuePushes } from '../../../jobs/lib/push-due.ts';
import { requestPull } from '../../../jobs/lib/request-run.ts';

const COLUMNS = ['pulled', 'created', 'updated', 'linked', 'unchanged', 'conflicts', 'rejected', 'held', 'parked', 'tombstoned', 'released', 'settled', 'unidentified'] as const;

export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command('sync <system>')
    .description('pull changes from a system and apply them through the merge engine (incremental unless --full)')
    .option('--entity <name>', 'one vendor entity (Placement) or canonical entity (assignment)')
    .option('--full', 'read everything, not only what changed since the last pull')
    .option('--no-wait', 'with a Redis queue: enqueue and return')
    .option('--no-push', 'without Redis: leave the pushes the pull caused for `crosswalk serve` to send')
    .option('--json', 'machine-readable output')
    .action(async (systemId: string, opts: { entity?: string; full?: boolean; wait: boolean; push: boolean; json?: boolean }) => {
      const hub = ctx.hub();
      hub.system(systemId);
      const entities = pullOrder(hub, systemId, opts.entity);
      const started = new Date().toISOString();
      if (hub.config.queue.driver === 'inline') await hub.work();
      await requestPull(hub, systemId, { entity: opts.entity, full: opts.full ?? false });
      if (!opts.wait && hub.config.queue.driver !== 'inline') {
        emit(opts, { enqueued: entities }, () => process.stdout.write(`enqueued a pull of ${entities.join(', ')} from ${systemId}\n`));
        return;
      }
      const runs = await watchRuns(hub, { kind: 'pull', system: systemId, since: started, expect: entities, json: opts.json ?? false });
      // In-process, the pushes the pull caused run now too (to the systems that must hear of it);
      // with Redis, the workers' relay queues them within seconds.
      if (hub.queue().kind === 'inline' && opts.push) {
        await enqueueDuePushes(hub, (name, payload, options) => hub.queue().enqueue(name, payload, options));
        await hub.queue().drain({ timeoutMs: 6 * 3_600_000 });
      }
      report(opts, systemId, runs, await hub.store().repos.outbox.countByStatus());
    });
}

/** The vendor entities to pull, parents first (see Hub.pullOrder); a wrong name is a usage error here. */
export function pullOrder(hub: Hub, systemId: string, only?: string): string[] {
  try {
    return hub.pullOrder(systemId, only);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function report(opts: { json?: boolean }, systemId: string, runs: RunRow[], outbox: Record<string, number>): void {
  const rows: Array<Record<string, string | number | null>> = runs.map((r) => ({
    entity: r.entity, status: r.status, ...Object.fromEntries(COLUMNS.map((c) => [c, r.counts[c] ?? 0])), error: r.error ?? '',
  }));
  const totals = Object.fromEntries(COLUMNS.map((c) => [c, runs.reduce((n, r) => n + (r.counts[c] ?? 0), 0)]));
  emit(opts, { system: systemId, runs, totals, outbox }, () => {
    printTable([...rows, { entity: 'total', status: '', ...totals, error: '' }], ['entity', 'status', ...COLUMNS, 'error']);
    const kv = Object.entries(outbox).map(([k, v]) => `${k} ${v}`).join(', ');
    process.stdout.write(`outbox: ${kv || 'empty'}${outbox['failed'] ? '  (parked pushes: crosswalk outbox list)' : ''}\n`);
  });
  if (runs.some((r) => r.status !== 'succeeded')) process.exitCode = 1;
}
