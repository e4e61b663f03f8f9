import type { Command } from 'commander';
import { listTimeExceptions } from '../../engine/time/exceptions.ts';
import { nowIso } from '../../lib/time.ts';
import type { CliContext } from '../context.ts';
import { emit, printTable } from '../output.ts';

/** `crosswalk exceptions list`: the time exception queue (no approver, held after a cutoff). */
export function registerExceptions(program: Command, ctx: CliContext): void {
  const exceptions = program.command('exceptions').description('work waiting for ops: time nobody can approve, approvals held after a pay-period cutoff');
  exceptions
    .command('list', { isDefault: true })
    .description('every time exception, oldest first per kind')
    .option('--client <id>', 'only this client')
    .option('--json', 'machine-readable output')
    .action(async (opts: { client?: string; json?: boolean }) => {
      const rows = await listTimeExceptions(ctx.store().repos, nowIso(), opts.client === undefined ? {} : { clientId: opts.client });
      emit(opts, rows, () =>
        printTable(rows.map((r) => ({ entry: r.timeEntryId, reason: r.reason, workDate: r.workDate, worksite: r.worksiteId ?? '', client: r.clientId ?? '', waitingHours: r.waitingHours ?? '', heldUntil: r.heldUntil ?? '' }))),
      );
    });
}
