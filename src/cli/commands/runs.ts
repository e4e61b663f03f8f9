import type { Command } from 'commander';
import type { RunKind, RunStatus } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printJson, printTable } from '../output.ts';
import { parseLimit } from './parse.ts';

const KINDS: readonly RunKind[] = ['pull', 'reconcile', 'import', 'export', 'push'];

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program.command('runs').description('pulls, reconciliations, imports and exports, with their counts and reports');
  runs
    .command('list', { isDefault: true })
    .description('most recent runs first')
    .option('--kind <kind>', KINDS.join(' | '))
    .option('--system <id>')
    .option('--status <status>', 'running | succeeded | failed | partial')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'machine-readable output')
    .action(async (opts: { kind?: string; system?: string; status?: string; limit: string; json?: boolean }) => {
      if (opts.kind !== undefined && !KINDS.includes(opts.kind as RunKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
      const rows = await ctx.store().repos.runs.list({
        limit: parseLimit(opts.limit),
        ...(opts.kind !== undefined && { kind: opts.kind as RunKind }),
        ...(opts.system !== undefined && { system: opts.system }),
        ...(opts.status !== undefined && { status: opts.status as RunStatus }),
      });
      emit(opts, rows, () =>
        printTable(rows.map((r) => ({ id: r.id, kind: r.kind, system: r.system, entity: r.entity ?? '', status: r.status, started: r.startedAt.slice(0, 19), finished: r.finishedAt?.slice(0, 19) ?? '', counts: Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', '), error: r.error ?? '' }))),
      );
    });
  runs
    .command('show <runId>')
    .description('one run with its full report')
    .action(async (id: string) => {
      const run = await ctx.store().repos.runs.get(id);
      if (!run) throw new UsageError(`no run ${id}`);
      printJson(run);
    });
}
