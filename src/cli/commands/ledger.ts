import type { Command } from 'commander';
import { isEntityName } from '../../model/index.ts';
import type { LedgerEntry, LedgerOutcome } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { parseLimit, parseSince } from './parse.ts';

const OUTCOMES: readonly LedgerOutcome[] = ['applied', 'conflict', 'rejected', 'failed'];

export function registerLedger(program: Command, ctx: CliContext): void {
  program
    .command('ledger')
    .description('the sync ledger: every change in or out, with outcome and field diff')
    .option('--system <id>', 'only this system')
    .option('--entity <name>', 'only this canonical entity')
    .option('--id <canonicalId>', 'only this canonical record')
    .option('--outcome <outcome>', `one of ${OUTCOMES.join(', ')}`)
    .option('--run <runId>', 'only this run')
    .option('--since <when>', 'ISO time, or a duration back from now such as 2h or 7d')
    .option('--after <seq>', 'entries after this sequence number (paging)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { system?: string; entity?: string; id?: string; outcome?: string; run?: string; since?: string; after?: string; limit: string; json?: boolean }) => {
      if (opts.entity !== undefined && !isEntityName(opts.entity)) throw new UsageError(`unknown entity "${opts.entity}"`);
      if (opts.outcome !== undefined && !OUTCOMES.includes(opts.outcome as LedgerOutcome)) {
        throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`);
      }
      const entries = await ctx.store().repos.ledger.query({
        limit: parseLimit(opts.limit),
        ...(opts.system !== undefined && { system: opts.system }),
        ...(opts.entity !== undefined && isEntityName(opts.entity) && { entity: opts.entity }),
        ...(opts.id !== undefined && { canonicalId: opts.id }),
        ...(opts.outcome !== undefined && { outcome: opts.outcome as LedgerOutcome }),
        ...(opts.run !== undefined && { runId: opts.run }),
        ...(opts.since !== undefined && { since: parseSince(opts.since) }),
        ...(opts.after !== undefined && { afterSeq: parseLimit(opts.after) }),
      });
      emit(opts, entries, () => printTable(entries.map(summarise)));
    });
}

function summarise(e: LedgerEntry): Record<string, unknown> {
  const diff = (e.diff ?? []).map((d) => `${d.field}${d.result === 'applied' ? '' : `(${d.result})`}: ${show(d.from)} → ${show(d.to)}`).join('; ');
  return {
    seq: e.seq, at: e.at.slice(0, 19), dir: e.direction, system: e.system, entity: e.entity, id: e.canonicalId?.slice(-12) ?? '',
    ext: e.externalId ?? '', action: e.action, outcome: e.outcome, diff: diff || (e.reason ?? ''),
  };
}

function show(v: unknown): string {
  return v === null ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);
}
