import type { Command } from 'commander';
import { IdentityReviews, RefusedError, type IncomingRecord } from '../../engine/index.ts';
import { userInfo } from 'node:os';
import { isEntityName, type EntityName } from '../../model/index.ts';
import type { LinkRow, LinkState } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { parseLimit } from './parse.ts';

const STATES: readonly LinkState[] = ['held', 'rejected', 'parked', 'linked'];

/**
 * External records the hub could not apply on its own: held (a reference not known yet), rejected
 * (failed the schema or a rule), parked (identity needs a person). Ops list them, retry them after
 * a fix, or link a parked record to the canonical record it is.
 */
export function registerLinks(program: Command, ctx: CliContext): void {
  const links = program.command('links').description('external records held, rejected or parked, and what to do about them');

  links
    .command('list')
    .description('links in a state (parked by default)')
    .option('--state <state>', STATES.join(' | '), 'parked')
    .option('--system <id>')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { state: string; system?: string; limit: string; json?: boolean }) => {
      const state = parseState(opts.state);
      const rows = await ctx.store().repos.links.listByState(state, parseLimit(opts.limit), opts.system);
      emit(opts, rows, () => printTable(rows.map(brief)));
    });

  links
    .command('retry')
    .description('apply held and parked records again (after a parent arrived or a mapping changed); let rejected ones be re-evaluated on their next delivery')
    .option('--state <state>', 'held | parked | rejected', 'held')
    .option('--system <id>')
    .option('--json', 'machine-readable output')
    .action(async (opts: { state: string; system?: string; json?: boolean }) => {
      const state = parseState(opts.state);
      const hub = ctx.hub();
      const store = hub.store();
      const rows = await store.repos.links.listByState(state, 100_000, opts.system);
      if (state === 'rejected') {
        // The record itself is not kept; forgetting its hash makes the next pull or reconcile evaluate it again.
        const n = await store.unitOfWork((tx) => tx.links.forgetHashes(rows.map((r) => ({ system: r.system, entity: r.entity, externalId: r.externalId }))));
        emit(opts, { reset: n }, () => process.stdout.write(`${n} rejected record(s) will be evaluated again on their next pull or reconcile\n`));
        return;
      }
      // Forget the hashes first: the hash guard would otherwise see the same record and skip it.
      await store.unitOfWork((tx) => tx.links.forgetHashes(rows.map((r) => ({ system: r.system, entity: r.entity, externalId: r.externalId }))));
      const summaries = await reapply(ctx, rows, (r) => r);
      emit(opts, summaries, () => printTable(summaries));
    });

  links
    .command('link <system> <entity> <externalId> <canonicalId>')
    .description('tell the hub which canonical record a parked external record is, and apply it (its identity question is answered too)')
    .option('--by <who>', 'who decides (recorded in the ledger)', defaultActor())
    .option('--json', 'machine-readable output')
    .action(async (system: string, entity: string, externalId: string, canonicalId: string, opts: { by: string; json?: boolean }) => {
      if (!isEntityName(entity)) throw new UsageError(`unknown entity "${entity}"`);
      const store = ctx.store();
      const link = await store.repos.links.get(system, entity, externalId);
      if (!link) throw new UsageError(`no ${system} ${entity} ${externalId}`);
      if (link.state !== 'parked' || !link.pending) throw new UsageError(`${system} ${entity} ${externalId} is ${link.state}, not parked`);
      if (!(await store.repos.canonical.get(entity, canonicalId))) throw new UsageError(`no ${entity} ${canonicalId}`);
      // A parked record with an open identity question is answered through the review queue, so the
      // ledger says who linked it, as `crosswalk identity link` does.
      const review = await store.repos.identity.byRecord(system, entity, externalId);
      if (review?.status === 'open') {
        let decision;
        try {
          decision = await new IdentityReviews(ctx.hub().engine()).link(review.id, canonicalId, opts.by);
        } catch (err) {
          if (err instanceof RefusedError) throw new UsageError(err.message);
          throw err;
        }
        const summaries = [{ system, entity, records: 1, ...decision.summary }];
        emit(opts, summaries, () => printTable(summaries));
        return;
      }
      const summaries = await reapply(ctx, [link], (r) => ({ ...r, match: { canonicalId } }));
      emit(opts, summaries, () => printTable(summaries));
      if (summaries.some((s) => s.parked > 0)) process.exitCode = 1;
    });
}

async function reapply(ctx: CliContext, rows: readonly LinkRow[], adjust: (r: IncomingRecord) => IncomingRecord) {
  const hub = ctx.hub();
  const groups = new Map<string, { system: string; entity: EntityName; records: IncomingRecord[] }>();
  for (const row of rows) {
    if (!row.pending) continue;
    const key = `${row.system}|${row.entity}`;
    const group = groups.get(key) ?? { system: row.system, entity: row.entity, records: [] };
    group.records.push(adjust(JSON.parse(row.pending) as IncomingRecord));
    groups.set(key, group);
  }
  const out = [];
  for (const g of groups.values()) {
    const s = await hub.engine().apply({ system: g.system, entity: g.entity, records: g.records });
    out.push({ system: g.system, entity: g.entity, records: g.records.length, ...s });
  }
  return out;
}

function parseState(value: string): LinkState {
  if (!STATES.includes(value as LinkState)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
  return value as LinkState;
}

function brief(l: LinkRow): Record<string, unknown> {
  return { system: l.system, entity: l.entity, external: l.externalId, state: l.state, canonical: l.canonicalId ?? '', reason: l.reason ?? '', updated: l.updatedAt.slice(0, 19) };
}

function defaultActor(): string {
  try {
    return `ops:${userInfo().username}`;
  } catch {
    return 'ops';
  }
}
