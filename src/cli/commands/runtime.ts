import { filesRoot } from '../../config/index.ts';
import type { Command } from 'commander';
import { installShutdown, Relay, Scheduler } from '../../queue/index.ts';
import { serveHub } from '../../serve.ts';
import { notificationRelayFromEnv } from '../../notify/index.ts';
import { pushOnCommit } from '../../../jobs/lib/push-due.ts';
import type { CliContext } from '../context.ts';

/** Long-running processes: the API, queue workers and the scheduler. Each stops cleanly on SIGTERM. */
export function registerRuntime(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the API, webhooks, /health, /metrics and Bull Board (and, without Redis, run jobs in-process)')
    .option('--port <n>', 'port (default from config, or PORT)')
    .option('--host <h>', 'interface to listen on')
    .action(async (opts: { port?: string; host?: string }) => {
      const hub = ctx.hub();
      const closeables: Array<{ name: string; close(): Promise<void> }> = [];
      // Without Redis the API process is also the worker; the relay keeps inbox and outbox moving.
      if (hub.queue().kind === 'inline') await hub.work();
      pushOnCommit(hub);
      const relay = new Relay({ store: hub.store(), driver: hub.queue(), logger: hub.logger.child({ component: 'relay' }) });
      await relay.start();
      const notifications = notificationRelayFromEnv(hub.store(), filesRoot(hub.config), { logger: hub.logger.child({ component: 'notifications' }) });
      await notifications.start();
      closeables.push({ name: 'notifications', close: () => notifications.stop() });
      const server = await serveHub(hub, { ...(opts.port !== undefined && { port: Number(opts.port) }), ...(opts.host !== undefined && { host: opts.host }) });
      hub.logger.info({ url: server.url }, 'crosswalk is serving');
      process.stderr.write(`crosswalk: serving ${server.url}  (API ${server.url}/api/v1, health ${server.url}/health)\n`);
      closeables.push({ name: 'http', close: () => server.close() }, { name: 'relay', close: () => relay.stop() }, { name: 'hub', close: () => hub.close() });
      installShutdown(closeables, hub.logger);
      await new Promise<never>(() => undefined);
    });

  program
    .command('worker')
    .description('process queued jobs from Redis (BullMQ); run as many as you like: on the host of a SQLite file, or on any hosts sharing PostgreSQL (CROSSWALK_DB=postgres://…)')
    .action(async () => {
      const hub = ctx.hub();
      if (hub.queue().kind !== 'bullmq') {
        process.stderr.write('crosswalk: worker needs REDIS_URL (without Redis, `crosswalk serve` runs jobs in-process)\n');
        process.exitCode = 2;
        return;
      }
      await hub.work();
      pushOnCommit(hub);
      const relay = new Relay({ store: hub.store(), driver: hub.queue(), logger: hub.logger.child({ component: 'relay' }) });
      await relay.start();
      const notifications = notificationRelayFromEnv(hub.store(), filesRoot(hub.config), { logger: hub.logger.child({ component: 'notifications' }) });
      await notifications.start();
      hub.logger.info({ systems: hub.config.systems.map((s) => s.id) }, 'worker started');
      installShutdown([{ name: 'relay', close: () => relay.stop() }, { name: 'notifications', close: () => notifications.stop() }, { name: 'hub', close: () => hub.close() }], hub.logger);
      await new Promise<never>(() => undefined);
    });

  program
    .command('scheduler')
    .description('enqueue scheduled pulls, event polls and the nightly reconciliation (never does the work itself)')
    .action(async () => {
      const hub = ctx.hub();
      const scheduler = new Scheduler({
        store: hub.store(),
        driver: hub.queue(),
        systems: hub.config.systems,
        entitiesFor: (systemId) => hub.pullOrder(systemId),
        logger: hub.logger.child({ component: 'scheduler' }),
      });
      if (hub.queue().kind === 'inline') await hub.work();
      await scheduler.start();
      hub.logger.info('scheduler started');
      installShutdown([{ name: 'scheduler', close: () => scheduler.stop() }, { name: 'hub', close: () => hub.close() }], hub.logger);
      await new Promise<never>(() => undefined);
    });
}
