/**
 * The hub on many hosts, for real (issue 16): three `crosswalk worker`-equivalent processes, each on
 * its own virtual host (a network namespace with its own address, made by this test), share one
 * PostgreSQL and one Redis over the virtual network and pull 10,000 Bullhorn placements together;
 * one worker is SIGKILLed twice at random pages and restarted on its host. The end state must equal
 * a clean single-process run: the same assignments and links by Bullhorn id, one `create` ledger row
 * per record, the same ledger, no outbox rows or conflicts, one run that succeeded with the same counts.
 *
 * Where namespaces cannot be made (not root, no `ip`), the same test runs the workers as separate
 * processes on loopback and prints that it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { generateDataset, Rng } from '../../fixtures/dataset/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { RunRow } from '../../src/store/index.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from '../queue/support.ts';
import { createSchema, dropSchema, freshSchemaName, TEST_PG_URL } from '../support/stores.ts';
import { tempDir } from '../support/temp-store.ts';
import { makeVirtualHosts, type VirtualHosts } from './support/netns.ts';
import { ROOT, start, type Running } from './support/process.ts';
import { differences, pullState, writeBullhornConfig, type PullState } from './support/pull-state.ts';
import { copySchema } from './support/pg-copy.ts';
import { sleep } from './support/world.ts';
import { EMULATOR_SECRETS } from './support/secrets.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { fileURLToPath } from 'node:url';

const PLACEMENTS = 10_000;
const PAGES = Math.ceil(PLACEMENTS / 500) + 1;
const PARENTS = ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate'];
const WORKERS = 3;
const KILLS = 2;
const SEED = Number(process.env['CROSSWALK_KILL_SEED'] ?? Date.now() % 1_000_000);
const WORKER = fileURLToPath(new URL('./support/pull-worker.ts', import.meta.url));
const PG = new URL(TEST_PG_URL);
const PG_PORT = Number(PG.port || 5432);
const REDIS_PORT = Number(new URL(SHARED_REDIS_URL).port || 6379);
/** One key ring for every process: the workers are not on loopback, so no demo key is generated for them. */
const SECRET_KEY = Keyring.generate().serialize();

let dir: { dir: string; dispose(): void };
let bullhorn: RunningBullhornEmulator;
let hosts: VirtualHosts;
const schemas: string[] = [];
const prefixes: string[] = [];
let template: string;
let clean: PullState;

function pgUrl(host: string, schema: string): string {
  const url = new URL(TEST_PG_URL);
  url.hostname = host;
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function newSchema(name: string): Promise<string> {
  const schema = `${freshSchemaName()}_${name}`;
  await createSchema(schema);
  schemas.push(schema);
  return schema;
}

async function hubOn(file: string, work: boolean): Promise<Hub> {
  const hub = new Hub(loadConfig({ file, env: { REDIS_URL: SHARED_REDIS_URL, CROSSWALK_SECRET_KEY: SECRET_KEY } }), { env: {}, logger: silentLogger() });
  if (work) await hub.work();
  return hub;
}

async function pullInline(file: string, entities: readonly string[]): Promise<void> {
  const hub = await hubOn(file, true);
  try {
    for (const entity of entities) {
      await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity, full: true }, { jobId: `pull:bullhorn:${entity}` });
      await hub.queue().drain({ timeoutMs: 120_000 });
    }
  } finally {
    await hub.close();
  }
}

beforeAll(async () => {
  dir = tempDir();
  const dataset = generateDataset({ scale: PLACEMENTS / 1_500, weeks: 0 });
  bullhorn = await startBullhornEmulator({ dataset, port: 0, rateLimitPerMinute: 1_000_000, sessionTtlMs: 3_600_000 });
  const emulatorPort = Number(new URL(bullhorn.baseUrl).port);
  hosts = await makeVirtualHosts(WORKERS, [
    { port: PG_PORT, to: { host: PG.hostname, port: PG_PORT } },
    { port: REDIS_PORT, to: { host: '127.0.0.1', port: REDIS_PORT } },
    { port: emulatorPort, to: { host: '127.0.0.1', port: emulatorPort } },
  ]);
  if (hosts.fallbackReason) process.stdout.write(`many-hosts: ${hosts.fallbackReason}\n`);

  template = await newSchema('template');
  await pullInline(writeBullhornConfig(dir.dir, 'template', { database: pgUrl(PG.hostname, template), baseUrl: bullhorn.baseUrl, queue: { driver: 'inline' } }), PARENTS);
  const cleanSchema = await newSchema('clean');
  await copySchema(TEST_PG_URL, template, cleanSchema);
  const cleanFile = writeBullhornConfig(dir.dir, 'clean', { database: pgUrl(PG.hostname, cleanSchema), baseUrl: bullhorn.baseUrl, queue: { driver: 'inline' } });
  await pullInline(cleanFile, ['Placement']);
  const hub = await hubOn(cleanFile, false);
  clean = await pullState(hub.store());
  await hub.close();
  expect(clean.runs).toEqual([{ status: 'succeeded', counts: { created: PLACEMENTS, pulled: PLACEMENTS, pages: PAGES }, error: null }]);
}, 240_000);

afterAll(async () => {
  await hosts?.dispose();
  await bullhorn?.close();
  for (const s of schemas) await dropSchema(s);
  for (const prefix of prefixes) await deletePrefix(SHARED_REDIS_URL, prefix);
  dir?.dispose();
});

function placementRun(hub: Hub): Promise<RunRow | undefined> {
  return hub.store().repos.runs.list({ kind: 'pull', system: 'bullhorn', limit: 10 }).then((runs) => runs.find((r) => r.entity === 'Placement'));
}
const pagesOf = (run: RunRow | undefined): number => (run?.cursor as { page?: number } | null)?.page ?? 0;

async function waitForRun(hub: Hub, what: string, done: (run: RunRow | undefined) => boolean, timeoutMs: number, output: () => string): Promise<RunRow | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await placementRun(hub);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`seed ${SEED}: timed out waiting for ${what} (run ${run?.status}, page ${pagesOf(run)})\n${output()}`);
    await sleep(10);
  }
}

describe(`the hub on ${WORKERS} hosts sharing PostgreSQL and Redis`, () => {
  it(`pulls ${PLACEMENTS} placements with one worker SIGKILLed ${KILLS}× at random pages, and ends equal to a clean run`, async () => {
    const rng = Rng.for(SEED);
    bullhorn.control.faults.set({ latency: { fixedMs: 40, jitterMs: 60 } });
    const schema = await newSchema('hosts');
    await copySchema(TEST_PG_URL, template, schema);
    const prefix = uniquePrefix('hosts');
    prefixes.push(prefix);
    // The workers' config names the bridge address: PostgreSQL, Redis and Bullhorn over the virtual network.
    const emulatorUrl = new URL(bullhorn.baseUrl);
    emulatorUrl.hostname = hosts.hostIp;
    const workerFile = writeBullhornConfig(dir.dir, 'hosts-worker', { database: pgUrl(hosts.hostIp, schema), baseUrl: emulatorUrl.toString().replace(/\/$/, ''), queue: { driver: 'bullmq', prefix } });
    const watchFile = writeBullhornConfig(dir.dir, 'hosts-watch', { database: pgUrl(PG.hostname, schema), baseUrl: bullhorn.baseUrl, queue: { driver: 'bullmq', prefix } });
    const redisForWorkers = `redis://${hosts.hostIp}:${REDIS_PORT}`;
    const startOn = (i: number): Running => start(['--import', 'tsx', WORKER, workerFile, redisForWorkers], { cwd: ROOT, env: { ...process.env, ...EMULATOR_SECRETS, CROSSWALK_SECRET_KEY: SECRET_KEY, LOG_LEVEL: 'warn' }, prefix: hosts.prefix(i) });
    const workers = Array.from({ length: WORKERS }, (_, i) => startOn(i));
    const output = () => workers.map((w, i) => `--- worker ${i} (${hosts.addresses[i] ?? '?'})\n${w.output()}`).join('\n');
    const hub = await hubOn(watchFile, false);
    const kills: number[] = [];
    try {
      await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity: 'Placement', full: true }, { jobId: 'pull:bullhorn:hosts' });
      let after = 0;
      for (let k = 0; k < KILLS; k++) {
        const last = PAGES - 4;
        const span = Math.max(1, Math.floor((last - after) / (KILLS - k)));
        const target = Math.min(last, after + 1 + rng.int(0, span - 1));
        await waitForRun(hub, `page ${target}`, (run) => pagesOf(run) >= target, 90_000, output);
        await sleep(rng.int(0, 150));
        const atPage = pagesOf(await placementRun(hub));
        const victim = workers[0];
        if (!victim) throw new Error('no worker 0');
        await victim.kill();
        kills.push(atPage);
        workers[0] = startOn(0);
        const next = await waitForRun(hub, `progress after the kill at page ${atPage}`, (run) => pagesOf(run) > atPage || run?.status !== 'running', 90_000, output);
        after = pagesOf(next);
      }
      const run = await waitForRun(hub, 'the run to finish', (r) => r?.status !== 'running', 120_000, output);
      expect(run?.status, `seed ${SEED}: ${run?.error ?? ''}\n${output()}`).toBe('succeeded');
      for (const w of workers) expect((await w.stop()).code, output()).toBe(0);
      const state = await pullState(hub.store());
      const context = `seed ${SEED} (${hosts.kind}), kills at pages ${kills.join(', ')}`;
      expect(state.runs, context).toEqual(clean.runs);
      expect(state.assignments.size, context).toBe(PLACEMENTS);
      expect(differences(clean.assignments, state.assignments), context).toEqual([]);
      expect(differences(clean.links, state.links), context).toEqual([]);
      expect([...state.createsPerRecord.values()].filter((n) => n !== 1), context).toEqual([]);
      expect(state.createsPerRecord.size, context).toBe(PLACEMENTS);
      expect(state.ledger, context).toEqual(clean.ledger);
      expect([state.outbox, state.conflicts], context).toEqual([clean.outbox, clean.conflicts]);
      process.stdout.write(`many-hosts: ${context}; workers at ${hosts.addresses.join(', ')} → PostgreSQL/Redis/Bullhorn at ${hosts.hostIp}\n`);
    } finally {
      for (const w of workers) await w.kill();
      await hub.close();
    }
  }, 300_000);
});
