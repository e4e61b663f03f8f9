import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { ConflictResolver, type ResolveRequest } from '../../engine/index.ts';
import { isEntityName } from '../../model/index.ts';
import type { ConflictRow, Scalar } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, formatTable, printTable } from '../output.ts';
import { parseLimit } from './parse.ts';

interface ListOpts {
  status: string;
  entity?: string;
  system?: string;
  field?: string;
  id?: string;
  after?: string;
  limit: string;
  json?: boolean;
}

export function registerConflicts(program: Command, ctx: CliContext): void {
  const conflicts = program.command('conflicts').description('conflicts waiting for a person, and their resolution');

  conflicts
    .command('list')
    .description('list conflicts (open by default)')
    .option('--status <status>', 'open | resolved', 'open')
    .option('--entity <name>')
    .option('--system <id>')
    .option('--field <name>')
    .option('--id <canonicalId>', 'conflicts of one canonical record')
    .option('--after <conflictId>', 'paging')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: ListOpts) => {
      const rows = await listConflicts(ctx, opts);
      emit(opts, rows, () => printTable(rows.map(brief)));
    });

  conflicts
    .command('show <conflictId>')
    .description('one conflict with base, current and incoming values, and the record around it')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { repos } = ctx.store();
      const conflict = await repos.conflicts.get(id);
      if (!conflict) throw new UsageError(`no conflict ${id}`);
      const record = await repos.canonical.get(conflict.entity, conflict.canonicalId);
      const history = await repos.ledger.query({ entity: conflict.entity, canonicalId: conflict.canonicalId, limit: 20 });
      emit(opts, { conflict, record, history }, () => {
        process.stdout.write(
          [
            `conflict ${conflict.id} (${conflict.status})`,
            `  ${conflict.entity} ${conflict.canonicalId} field ${conflict.field}`,
            `  from ${conflict.system} record ${conflict.externalId}, opened ${conflict.openedAt}` +
              (conflict.sourceModifiedAt ? `, changed there at ${conflict.sourceModifiedAt}` : ''),
            `  base (last agreed)  ${show(conflict.base)}`,
            `  current (canonical) ${show(record?.fields[conflict.field] ?? conflict.current)}`,
            `  incoming            ${show(conflict.incoming)}`,
            conflict.status === 'resolved'
              ? `  resolved by ${conflict.resolvedBy ?? '?'} at ${conflict.resolvedAt ?? '?'}: ${conflict.resolution ?? '?'} → ${show(conflict.resolvedValue)}${conflict.resolutionReason ? ` (${conflict.resolutionReason})` : ''}`
              : `  resolve with: crosswalk conflicts resolve ${conflict.id} --take incoming|current  or  --value <v>`,
            '',
            'recent ledger of this record:',
            formatTable(history.map((h) => ({ seq: h.seq, at: h.at.slice(0, 19), system: h.system, action: h.action, outcome: h.outcome, reason: h.reason ?? '' }))),
            '',
          ].join('\n'),
        );
      });
    });

  conflicts
    .command('resolve [conflictIds...]')
    .description('resolve one or more conflicts: take the incoming value, keep the current one, or set a value')
    .option('--take <side>', 'incoming | current')
    .option('--value <value>', 'set this value (JSON for numbers and null, otherwise text)')
    .option('--all', 'every open conflict matching the filters below (bulk)')
    .option('--entity <name>', 'with --all')
    .option('--system <id>', 'with --all')
    .option('--field <name>', 'with --all')
    .option('--by <who>', 'who decides (recorded in the ledger)', defaultActor())
    .option('--reason <why>', 'why (recorded in the ledger)')
    .option('--json', 'machine-readable output')
    .action(async (ids: string[], opts: { take?: string; value?: string; all?: boolean; entity?: string; system?: string; field?: string; by: string; reason?: string; json?: boolean }) => {
      const request = resolveRequest(opts);
      let targets = ids;
      if (opts.all) {
        if (ids.length > 0) throw new UsageError('give conflict ids or --all with filters, not both');
        const open = await listConflicts(ctx, { status: 'open', limit: '100000', ...pick(opts, ['entity', 'system', 'field']) });
        targets = open.map((c) => c.id);
      } else if (ids.length === 0) {
        throw new UsageError('give at least one conflict id, or --all');
      }
      const resolver = new ConflictResolver(ctx.store(), ctx.policy());
      const outcomes = await resolver.resolveMany(targets, request);
      const failed = outcomes.filter((o) => !o.ok);
      emit(opts, outcomes, () => {
        process.stdout.write(`${outcomes.length - failed.length} resolved, ${failed.length} refused\n`);
        // Reasons in full: they say who resolved it before, or what the engine refused.
        for (const f of failed) process.stdout.write(`  ${f.conflictId}: ${f.error ?? 'refused'}\n`);
      });
      if (failed.length > 0) process.exitCode = 1;
    });
}

async function listConflicts(ctx: CliContext, opts: Omit<ListOpts, 'json'>): Promise<ConflictRow[]> {
  if (opts.status !== 'open' && opts.status !== 'resolved') throw new UsageError('--status must be open or resolved');
  if (opts.entity !== undefined && !isEntityName(opts.entity)) throw new UsageError(`unknown entity "${opts.entity}"`);
  return ctx.store().repos.conflicts.list({
    status: opts.status,
    limit: parseLimit(opts.limit),
    ...(opts.entity !== undefined && isEntityName(opts.entity) && { entity: opts.entity }),
    ...(opts.system !== undefined && { system: opts.system }),
    ...(opts.field !== undefined && { field: opts.field }),
    ...(opts.id !== undefined && { canonicalId: opts.id }),
    ...(opts.after !== undefined && { after: opts.after }),
  });
}

function resolveRequest(opts: { take?: string; value?: string; by: string; reason?: string }): ResolveRequest {
  if ((opts.take === undefined) === (opts.value === undefined)) throw new UsageError('give exactly one of --take incoming|current or --value <v>');
  const base = { by: opts.by, ...(opts.reason !== undefined && { reason: opts.reason }) };
  if (opts.value !== undefined) return { ...base, choice: 'value', value: parseValue(opts.value) };
  if (opts.take !== 'incoming' && opts.take !== 'current') throw new UsageError('--take must be incoming or current');
  return { ...base, choice: opts.take };
}

/** `42` and `null` are JSON; anything that is not valid JSON (a name, a date) is text. */
export function parseValue(raw: string): Scalar {
  try {
    const v: unknown = JSON.parse(raw);
    if (v === null || typeof v === 'number' || typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
  } catch {
    // not JSON: text
  }
  return raw;
}

function brief(c: ConflictRow): Record<string, unknown> {
  return {
    id: c.id, entity: c.entity, record: c.canonicalId.slice(-12), field: c.field, system: c.system, base: show(c.base),
    current: show(c.current), incoming: show(c.incoming), opened: c.openedAt.slice(0, 19), status: c.status,
  };
}

function show(v: unknown): string {
  return v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);
}

function defaultActor(): string {
  try {
    return `ops:${userInfo().username}`;
  } catch {
    return 'ops';
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
