import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { IdentityReviews, RefusedError, type IdentityDecision } from '../../engine/index.ts';
import { isEntityName } from '../../model/index.ts';
import type { IdentityReviewRow, IdentityReviewStatus } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, formatTable } from '../output.ts';
import { parseLimit } from './parse.ts';

const STATUSES: readonly IdentityReviewStatus[] = ['open', 'linked', 'split'];

/**
 * The identity review queue: records from a new source that might be a canonical record the hub
 * already has, with the evidence (which keys matched which records, which differ). Ops link one to
 * the record it is, or split it off as a record of its own.
 */
export function registerIdentity(program: Command, ctx: CliContext): void {
  const identity = program.command('identity').description('records waiting for a person to say which canonical record they are');

  identity
    .command('list')
    .description('identity questions (open by default), with the evidence')
    .option('--status <status>', STATUSES.join(' | '), 'open')
    .option('--system <id>')
    .option('--entity <name>')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { status: string; system?: string; entity?: string; limit: string; json?: boolean }) => {
      if (!STATUSES.includes(opts.status as IdentityReviewStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      if (opts.entity !== undefined && !isEntityName(opts.entity)) throw new UsageError(`unknown entity "${opts.entity}"`);
      const rows = await ctx.store().repos.identity.list({
        // Checked against STATUSES just above.
        status: opts.status as IdentityReviewStatus,
        limit: parseLimit(opts.limit),
        ...(opts.system !== undefined && { system: opts.system }),
        ...(opts.entity !== undefined && isEntityName(opts.entity) && { entity: opts.entity }),
      });
      emit(opts, rows, () => {
        if (rows.length === 0) {
          process.stdout.write(`no ${opts.status} identity questions\n`);
          return;
        }
        for (const r of rows) process.stdout.write(describe(r));
      });
    });

  identity
    .command('link <reviewId> <canonicalId>')
    .description('the parked record is this canonical record: link it and merge under field ownership')
    .option('--by <who>', 'who decides (recorded in the ledger)', defaultActor())
    .option('--reason <why>', 'why (recorded in the ledger)')
    .option('--json', 'machine-readable output')
    .action(async (reviewId: string, canonicalId: string, opts: { by: string; reason?: string; json?: boolean }) => {
      const decision = await refusedAsUsage(() => new IdentityReviews(ctx.hub().engine()).link(reviewId, canonicalId, opts.by, opts.reason));
      emit(opts, decision, () => process.stdout.write(done(decision)));
    });

  identity
    .command('split <reviewId>')
    .description('the parked record is none of the candidates: keep it apart as a canonical record of its own')
    .option('--by <who>', 'who decides (recorded in the ledger)', defaultActor())
    .option('--reason <why>', 'why (recorded in the ledger)')
    .option('--json', 'machine-readable output')
    .action(async (reviewId: string, opts: { by: string; reason?: string; json?: boolean }) => {
      const decision = await refusedAsUsage(() => new IdentityReviews(ctx.hub().engine()).split(reviewId, opts.by, opts.reason));
      emit(opts, decision, () => process.stdout.write(done(decision)));
    });
}

async function refusedAsUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RefusedError) throw new UsageError(err.message);
    throw err;
  }
}

function describe(r: IdentityReviewRow): string {
  const keys = r.evidence.keys.map((k) => ({ key: k.key, strength: k.strength, value: k.value, matches: k.matches.join(', ') || '—' }));
  const candidates = r.evidence.candidates.map((c) => ({
    candidate: c.canonicalId,
    matched: c.matched.join(', '),
    differs: c.differs.map((d) => `${d.key}: ${d.incoming} here, ${d.current ?? '∅'} there`).join('; ') || '—',
  }));
  return [
    `${r.id}  ${r.system} ${r.entity} ${r.externalId}  (${r.status}${r.decidedBy ? ` by ${r.decidedBy}` : ''})`,
    `  ${r.reason}`,
    keys.length > 0 ? formatTable(keys).replace(/^/gm, '  ') : '  no natural keys on this record',
    candidates.length > 0 ? formatTable(candidates).replace(/^/gm, '  ') : '  no candidates',
    r.status === 'open' ? `  answer with: crosswalk identity link ${r.id} <canonicalId>  or  crosswalk identity split ${r.id}` : `  → ${r.canonicalId ?? '?'}`,
    '',
    '',
  ].join('\n');
}

function done(d: IdentityDecision): string {
  const r = d.review;
  return `${r.system} ${r.entity} ${r.externalId} ${r.status === 'split' ? 'kept apart as' : 'linked to'} ${r.entity} ${d.canonicalId}\n`;
}

function defaultActor(): string {
  try {
    return `ops:${userInfo().username}`;
  } catch {
    return 'ops';
  }
}
