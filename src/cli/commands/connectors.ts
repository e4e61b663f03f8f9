import type { Command } from 'commander';
import { connectorErrorKind } from '../../../connectors/kit/index.ts';
import type { Hub } from '../../hub.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';

interface Options {
  json?: boolean;
  url?: string;
}

/**
 * `crosswalk connectors setup-webhooks <system> [--url U]` and `crosswalk connectors
 * check-credentials <system>`: the one-off actions a connector offers (ConnectorActions in its
 * index), run with the credentials, options and state the hub gives the system.
 */
export function registerConnectors(program: Command, ctx: CliContext): void {
  const group = program.command('connectors').description('one-off connector actions: webhook subscription, credential check');

  group
    .command('setup-webhooks <system>')
    .description('subscribe the hub\'s webhook URL at the vendor and complete its handshake (the hub must be serving to receive it)')
    .option('--url <url>', 'the public URL of /webhooks/<system> (default: the configured http host and port)')
    .option('--json', 'machine-readable output')
    .action(async (systemId: string, opts: Options) => {
      const hub = ctx.hub();
      const { connector, ctx: connectorCtx } = hub.connectorContext(hub.system(systemId).id);
      const setup = connector.actions?.setupWebhooks;
      if (setup === undefined) {
        const how = connector.manifest.events?.mode ?? 'pulls';
        throw new UsageError(`${connector.manifest.displayName} (${systemId}) has no webhook subscription to set up: it reports changes by ${how}`);
      }
      const url = opts.url ?? `http://${hub.config.http.host}:${hub.config.http.port}/webhooks/${encodeURIComponent(systemId)}`;
      const result = await setup(connectorCtx, url);
      emit(opts, { system: systemId, url, ...result }, () => {
        process.stdout.write(`webhooks of ${systemId} point at ${url}\n`);
        for (const [key, value] of Object.entries(result)) process.stdout.write(`  ${key}: ${value}\n`);
      });
    });

  group
    .command('check-credentials <system>')
    .description('prove the system\'s credentials work with one cheap call; exits 1 when they do not')
    .option('--json', 'machine-readable output')
    .action(async (systemId: string, opts: Options) => {
      const hub = ctx.hub();
      const outcome = await checkCredentials(hub, hub.system(systemId).id);
      emit(opts, { system: systemId, ...outcome }, () => {
        process.stdout.write(outcome.ok ? `${systemId}: credentials work (${outcome.detail})\n` : `${systemId}: credentials refused: ${outcome.detail}\n`);
      });
      if (!outcome.ok) process.exitCode = 1;
    });
}

/** The connector's own check, else one record of its first pulled entity. */
export async function checkCredentials(hub: Hub, systemId: string): Promise<{ ok: boolean; kind?: string; detail: string }> {
  try {
    const { connector, ctx } = hub.connectorContext(systemId);
    const own = connector.actions?.checkCredentials;
    if (own !== undefined) {
      const result = await own(ctx);
      return { ok: true, detail: Object.entries(result).map(([k, v]) => `${k} ${v}`).join(', ') };
    }
    const entity = connector.manifest.entities.find((e) => e.pull);
    if (entity === undefined) return { ok: false, detail: `${connector.manifest.id} reads nothing to check with` };
    const page = await connector.create(ctx).pullPage({ entity: entity.name, since: null, cursor: null, pageSize: 1 });
    return { ok: true, detail: `read ${page.records.length} ${entity.name} record(s)` };
  } catch (err) {
    const kind = connectorErrorKind(err);
    return { ok: false, ...(kind === null ? {} : { kind }), detail: err instanceof Error ? err.message : String(err) };
  }
}
