import type { Command } from 'commander';
import { isEntityName } from '../../model/index.ts';
import { nowIso } from '../../lib/time.ts';
import type { OutboxStatus } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { parseLimit } from './parse.ts';
import { outboxJobId } from '../../queue/ids.ts';

const STATUSES: readonly OutboxStatus[] = ['pending', 'processing', 'done', 'failed'];

export function registerOutbox(program: Command, ctx: CliContext): void {
  const outbox = program.command('outbox').description('pushes waiting for, or parked by, vendor systems');
  outbox
    .command('list')
    .description('list outbox rows (parked failures by default)')
    .option('--status <status>', STATUSES.join(' | '), 'failed')
    .option('--system <id>')
    .option('--entity <name>')
    .option('--after <id>', 'paging')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { status: string; system?: string; entity?: string; after?: string; limit: string; json?: boolean }) => {
      if (!STATUSES.includes(opts.status as OutboxStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      if (opts.entity !== undefined && !isEntityName(opts.entity)) throw new UsageError(`unknown entity "${opts.entity}"`);
      const rows = await ctx.store().repos.outbox.list({
        status: opts.status as OutboxStatus,
        limit: parseLimit(opts.limit),
        ...(opts.system !== undefined && { system: opts.system }),
        ...(opts.entity !== undefined && isEntityName(opts.entity) && { entity: opts.entity }),
        ...(opts.after !== undefined && { after: opts.after }),
      });
      emit(opts, rows, () =>
        printTable(rows.map((r) => ({ id: r.id, system: r.system, entity: r.entity, record: r.canonicalId.slice(-12), op: r.op, fields: r.fields.join(','), attempts: r.attempts, status: r.status, error: r.lastError ?? '', updated: r.updatedAt.slice(0, 19) }))),
      );
    });
  outbox
    .command('replay [ids...]')
    .description('put parked rows back in the queue (all parked rows of a system with --all --system)')
    .option('--all', 'every parked row matching --system/--entity')
    .option('--system <id>')
    .option('--entity <name>')
    .option('--json', 'machine-readable output')
    .action(async (ids: string[], opts: { all?: boolean; system?: string; entity?: string; json?: boolean }) => {
      const hub = ctx.hub();
      const store = hub.store();
      let targets = ids;
      if (opts.all) {
        const rows = await store.repos.outbox.list({
          status: 'failed', limit: 100_000, ...(opts.system !== undefined && { system: opts.system }),
          ...(opts.entity !== undefined && isEntityName(opts.entity) && { entity: opts.entity }),
        });
        targets = rows.map((r) => r.id);
      } else if (ids.length === 0) {
        throw new UsageError('give outbox ids, or --all');
      }
      const replayed = await store.unitOfWork((tx) => tx.outbox.replay(targets, nowIso()));
      // Queue them now; the relay would otherwise pick them up on its next sweep.
      const due = await store.repos.outbox.due(nowIso(), targets.length + 100);
      const wanted = new Set(targets);
      if (hub.queue().kind === 'bullmq') {
        for (const row of due.filter((r) => wanted.has(r.id))) {
          await hub.queue().enqueue('sync.push', { system: row.system, outboxId: row.id }, { jobId: outboxJobId(row.id, row.attempts) });
        }
      }
      emit(opts, { replayed, asked: targets.length }, () =>
        process.stdout.write(`${replayed} of ${targets.length} row(s) back in the queue${hub.queue().kind === 'inline' ? ' (pushed by the next `crosswalk serve` relay sweep)' : ''}\n`),
      );
    });
}
