import type { Command } from 'commander';
import { ENTITY_NAMES } from '../../model/index.ts';
import type { CliContext } from '../context.ts';
import { emit, formatTable } from '../output.ts';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('what the hub holds: canonical counts, links, ledger, conflicts, queues, last runs')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const { repos } = ctx.store();
      const canonical: Record<string, number> = {};
      for (const entity of ENTITY_NAMES) canonical[entity] = await repos.canonical.count(entity);
      const systems: Array<Record<string, unknown>> = [];
      for (const system of config.systems) {
        const lastPull = await repos.runs.lastFinished('pull', system.id);
        const lastReconcile = await repos.runs.lastFinished('reconcile', system.id);
        systems.push({
          system: system.id,
          connector: system.connector,
          links: await repos.links.count(system.id),
          lastPull: lastPull?.finishedAt ?? null,
          lastReconcile: lastReconcile?.finishedAt ?? null,
        });
      }
      const report = {
        database: config.database,
        config: config.source,
        queue: config.queue.driver,
        canonical,
        links: await repos.links.countByState(),
        ledger: await repos.ledger.countByOutcome(),
        openConflicts: await repos.conflicts.countOpen(),
        outbox: await repos.outbox.countByStatus(),
        inbox: await repos.inbox.countByStatus(),
        systems,
        cursors: await repos.cursors.all(),
      };
      emit(opts, report, () => {
        const kv = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
        process.stdout.write(
          [
            `database  ${report.database}  (config ${report.config}, queue ${report.queue})`,
            `canonical ${kv(canonical)}`,
            `links     ${kv(report.links)}`,
            `ledger    ${kv(report.ledger)}`,
            `conflicts ${report.openConflicts} open`,
            `outbox    ${kv(report.outbox)}`,
            `inbox     ${kv(report.inbox)}`,
            '',
            formatTable(systems),
            '',
          ].join('\n'),
        );
      });
    });
}
