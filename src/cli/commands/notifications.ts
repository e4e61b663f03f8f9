import { filesRoot } from '../../config/index.ts';
import type { Command } from 'commander';
import { nowIso } from '../../lib/time.ts';
import { notificationRelayFromEnv } from '../../notify/index.ts';
import { DELIVERY_STATUSES, type DeliveryChannel, type DeliveryStatus } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { parseLimit } from './parse.ts';

const CHANNELS: readonly DeliveryChannel[] = ['email', 'webhook', 'digest'];

/** `crosswalk notifications list|replay|send`: the delivery record, dead letters, and one sweep by hand. */
export function registerNotifications(program: Command, ctx: CliContext): void {
  const cmd = program.command('notifications').description('e-mail and webhook deliveries of portal events: list, replay, send');

  cmd
    .command('list')
    .description('deliveries, newest first (every status unless --status)')
    .option('--status <status>', DELIVERY_STATUSES.join(' | '))
    .option('--channel <channel>', CHANNELS.join(' | '))
    .option('--contact <id>', 'deliveries to one contact')
    .option('--subscription <id>', 'deliveries to one webhook subscriber')
    .option('--entity <name>', 'deliveries about records of this entity (with --id: one record)')
    .option('--id <canonicalId>')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { status?: string; channel?: string; contact?: string; subscription?: string; entity?: string; id?: string; limit: string; json?: boolean }) => {
      if (opts.status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(opts.status)) throw new UsageError(`--status must be one of ${DELIVERY_STATUSES.join(', ')}`);
      if (opts.channel !== undefined && !(CHANNELS as readonly string[]).includes(opts.channel)) throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
      const rows = await ctx.store().repos.notifications.deliveries({
        limit: parseLimit(opts.limit),
        // Checked against the lists just above.
        ...(opts.status !== undefined && { status: opts.status as DeliveryStatus }),
        ...(opts.channel !== undefined && { channel: opts.channel as DeliveryChannel }),
        ...(opts.contact !== undefined && { contactId: opts.contact }),
        ...(opts.subscription !== undefined && { subscriptionId: opts.subscription }),
        ...(opts.entity !== undefined && { entity: opts.entity }),
        ...(opts.id !== undefined && { canonicalId: opts.id }),
      });
      emit(opts, rows, () =>
        printTable(rows.map((r) => ({
          id: r.id, event: r.eventType, channel: r.channel, to: r.address, record: `${r.entity ?? ''} ${(r.canonicalId ?? '').slice(-12)}`.trim(),
          status: r.status, attempts: r.attempts, error: r.lastError ?? '', updated: r.updatedAt.slice(0, 19),
        }))),
      );
    });

  cmd
    .command('replay [ids...]')
    .description('send deliveries again (all dead letters with --dead, narrowed by --subscription / --channel)')
    .option('--dead', 'every dead delivery matching the filters')
    .option('--subscription <id>')
    .option('--channel <channel>', CHANNELS.join(' | '))
    .option('--json', 'machine-readable output')
    .action(async (ids: string[], opts: { dead?: boolean; subscription?: string; channel?: string; json?: boolean }) => {
      const store = ctx.store();
      let targets = ids;
      if (opts.dead) {
        const rows = await store.repos.notifications.deliveries({
          status: 'dead', limit: 100_000, ...(opts.subscription !== undefined && { subscriptionId: opts.subscription }),
          ...(opts.channel !== undefined && (CHANNELS as readonly string[]).includes(opts.channel) && { channel: opts.channel as DeliveryChannel }),
        });
        targets = rows.map((r) => r.id);
      } else if (ids.length === 0) {
        throw new UsageError('give delivery ids, or --dead');
      }
      const replayed = await store.unitOfWork(async (tx) => {
        let n = 0;
        for (const id of targets) if (await tx.notifications.requeue(id, nowIso())) n++;
        return n;
      });
      emit(opts, { replayed, asked: targets.length }, () =>
        process.stdout.write(`${replayed} of ${targets.length} deliver${targets.length === 1 ? 'y' : 'ies'} queued again (sent by the next notification sweep, or \`crosswalk notifications send\`)\n`),
      );
    });

  cmd
    .command('send')
    .description('one sweep now: fan new portal events out, queue due digests, send what is due')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const hub = ctx.hub();
      const relay = notificationRelayFromEnv(hub.store(), filesRoot(hub.config));
      const result = await relay.sweep({ digests: true });
      emit(opts, result, () =>
        process.stdout.write(
          `fanned out ${result.fanOut.events} event(s) into ${result.fanOut.deliveries} deliver(ies); ${result.digests} digest(s) queued; ` +
            `sent ${result.delivered.sent}, failed ${result.delivered.failed}, bounced ${result.delivered.bounced}, dead ${result.delivered.dead}\n`,
        ),
      );
    });
}
