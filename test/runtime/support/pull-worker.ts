/**
 * `crosswalk worker` for the SIGKILL test (see runtime.ts: `hub.work()`, a relay, shutdown on
 * SIGTERM), with the two settings the CLI does not expose turned down for a test's time scale:
 *
 * - BullMQ's lock on a running job lasts 2 s and workers look for dead ones every second, so the
 *   page job of a killed worker is taken over in about 3 s (BullMQ's defaults: 30 s + 30 s);
 * - the relay sweeps every 250 ms and resumes a run with no progress for 3 s (the CLI: 5 s and
 *   20 minutes), which covers a kill between a page's commit and the enqueue of the next page.
 *
 * Usage: node --import tsx test/runtime/support/pull-worker.ts <config file> <redis url>
 */
import { loadConfig } from '../../../src/config/index.ts';
import { Hub } from '../../../src/hub.ts';
import { installShutdown, Relay } from '../../../src/queue/index.ts';

const [file, redisUrl] = process.argv.slice(2);
if (file === undefined || redisUrl === undefined) throw new Error('usage: pull-worker.ts <config file> <redis url>');

// A worker on another (virtual) host is not on loopback: the test hands it the key ring and the
// emulator's credentials in the environment, as a real deployment would.
const secretKey = process.env['CROSSWALK_SECRET_KEY'];
const hub = new Hub(loadConfig({ file, env: { REDIS_URL: redisUrl, LOG_LEVEL: 'warn', ...(secretKey && { CROSSWALK_SECRET_KEY: secretKey }) } }), {
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CROSSWALK_') && k !== 'CROSSWALK_SECRET_KEY')),
  queue: { stalled: { lockDurationMs: 2_000, stalledIntervalMs: 1_000 } },
});
await hub.work();
const relay = new Relay({ store: hub.store(), driver: hub.queue(), logger: hub.logger.child({ component: 'relay' }), intervalMs: 250, staleRunMs: 3_000 });
await relay.start();
installShutdown([{ name: 'relay', close: () => relay.stop() }, { name: 'hub', close: () => hub.close() }], hub.logger);
process.stdout.write('ready\n');
