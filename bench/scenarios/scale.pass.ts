import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * The scale scenario's set-up process (see scale.ts): a hub on the pass's config file, inline
 * queue, pulls every parent of Placement (clients … candidates) of every Bullhorn system into the
 * pass's fresh schema, so the timed Placement pulls resolve every reference as production does.
 */
interface Args {
  readonly config: string;
  readonly env: Record<string, string>;
  readonly systems: readonly string[];
}

const PARENTS = ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate'];

const args = passArgs<Args>();
const loaded = loadConfig({ file: args.config, env: args.env });
const hub = new Hub({ ...loaded, queue: { ...loaded.queue, driver: 'inline' }, redisUrl: null }, { env: {}, logger: silentLogger() });
try {
  await hub.work();
  const t0 = performance.now();
  const [first, ...then] = PARENTS as [string, ...string[]];
  for (const system of args.systems) {
    await hub.queue().enqueue('sync.pull', { system, entity: first, full: true, then }, { jobId: `pull:seed:${system}` });
  }
  await hub.queue().drain({ timeoutMs: 3_600_000 });
  const failed = (await hub.store().repos.runs.list({ kind: 'pull', limit: 1_000 })).filter((r) => r.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`seed pulls did not succeed: ${JSON.stringify(failed.map((r) => [r.system, r.entity, r.status, r.error]))}`);
  const rows = (await hub.store().query.value<number>('SELECT count(*) FROM links')) ?? 0;
  reportPass(rows, performance.now() - t0);
} finally {
  await hub.close();
}
