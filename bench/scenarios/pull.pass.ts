import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GuardRegistry } from '../../connectors/kit/index.ts';
import { startBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { obtainSession } from '../../fixtures/bullhorn/testing/client.ts';
import { generateDataset } from '../../fixtures/dataset/index.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { newId } from '../../src/lib/ids.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * The processes of the pull scenario (see pull.ts), one side per process:
 * - emulator: the Bullhorn emulator seeded at `scale`, its clock running `clock`× fast (so a
 *   rate-limit window is 60 s / clock of real time), taking commands on stdin;
 * - seed: a hub pulls every parent of Placement (clients … candidates) into a template database;
 * - bare: a plain fetch loop pages through `search/Placement` — the same query, fields and page
 *   size the connector sends — and waits one (emulated) second on a 429, as Bullhorn advises;
 * - hub: from a copy of the template, `sync.pull` of Placement through connector, mapping, merge
 *   engine and SQLite on the inline queue.
 */

export interface PullArgs {
  readonly side: 'emulator' | 'seed' | 'bare' | 'hub';
  readonly scale: number;
  readonly baseUrl: string;
  /** Template database the seed side writes and the hub side copies. */
  readonly template: string;
  readonly pageSize: number;
  /** The vendor's limit in requests per window of `windowMs` real milliseconds; null: none. */
  readonly limit: { readonly requests: number; readonly windowMs: number } | null;
  /** How many times faster than real time the emulator's clock runs. */
  readonly clock: number;
}

export const EMULATOR_CREDENTIALS = {
  CROSSWALK_BULLHORN_CLIENT_ID: 'crosswalk-emulator-client',
  CROSSWALK_BULLHORN_CLIENT_SECRET: 'emulator-secret-not-real',
  CROSSWALK_BULLHORN_USERNAME: 'crosswalk.api',
  CROSSWALK_BULLHORN_PASSWORD: 'emulator-password-not-real',
};

/** The fields the shipped assignment mapping reads (what the hub's pull asks for). */
const PLACEMENT_FIELDS = 'id,dateLastModified,candidate(id),jobOrder(id,title),location(id),approvingClientContact(id),dateBegin,dateEnd,status';
const PARENTS = ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate'];
const MAPPINGS = fileURLToPath(new URL('../../mappings/bullhorn/', import.meta.url));

const args = passArgs<PullArgs>();
if (args.side === 'emulator') await runEmulator();
else if (args.side === 'seed') await runSeed();
else if (args.side === 'bare') await runBare();
else await runHub();

async function runEmulator(): Promise<void> {
  const start = Date.now();
  const now = (): number => start + (Date.now() - start) * args.clock;
  // Token and session lifetimes in real time as in production, whatever the clock speed.
  const ttl = 600_000 * args.clock;
  const emu = await startBullhornEmulator({
    dataset: generateDataset({ scale: args.scale }), port: 0, now, rateLimitPerMinute: 1_000_000_000,
    accessTokenTtlMs: ttl, sessionTtlMs: ttl, authCodeTtlMs: 120_000 * args.clock,
  });
  process.stdout.write(`${JSON.stringify({ baseUrl: emu.baseUrl, placements: emu.control.count('Placement') })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as { cmd: 'limit'; perMinute: number } | { cmd: 'stats' } | { cmd: 'close' };
    if (command.cmd === 'limit') emu.control.setRateLimit(command.perMinute);
    if (command.cmd === 'close') break;
    const stats = emu.control.stats();
    process.stdout.write(`${JSON.stringify({ requests: stats.requests, rateLimited: stats.byStatus['429'] ?? 0 })}\n`);
  }
  await emu.close();
  process.exit(0);
}

function hubOn(database: string, dir: string): Hub {
  cpSync(MAPPINGS, join(dir, 'mappings', 'bullhorn'), { recursive: true });
  const limit = args.limit;
  const parsed = CrosswalkConfig.parse({
    database,
    mappings: join(dir, 'mappings'),
    queue: { driver: 'inline' },
    systems: [{
      id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: args.baseUrl,
      ...(limit === null ? {} : { rateLimit: { requests: limit.requests, perMs: limit.windowMs } }),
    }],
  });
  const config: LoadedConfig = { ...parsed, queue: { ...parsed.queue, driver: 'inline' }, source: '(bench)', root: dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
  return new Hub(config, {
    env: EMULATOR_CREDENTIALS,
    logger: silentLogger(),
    // The client enforces the vendor's limit as it would the documented one (the window is shorter: the emulator's clock is fast).
    http: { guards: new GuardRegistry(), ...(limit === null ? {} : { rateLimit: limit }) },
  });
}

async function pull(hub: Hub, entities: readonly string[]): Promise<void> {
  const [first, ...then] = entities as [string, ...string[]];
  await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity: first, full: true, then: [...then] }, { jobId: `pull:bench:${newId()}` });
  await hub.queue().drain({ timeoutMs: 3_600_000 });
  const failed = (await hub.store().repos.runs.list({ kind: 'pull', system: 'bullhorn', limit: 100 })).filter((r) => r.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`pull runs did not succeed: ${JSON.stringify(failed.map((r) => [r.entity, r.status, r.error]))}`);
}

async function runSeed(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-pull-seed-'));
  const hub = hubOn(args.template, dir);
  try {
    await hub.work();
    const t0 = performance.now();
    await pull(hub, PARENTS);
    const rows = (await hub.store().query.value<number>(`SELECT count(*) FROM links`)) ?? 0;
    reportPass(rows, performance.now() - t0);
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runHub(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-pull-hub-'));
  const database = join(dir, 'hub.sqlite');
  copyFileSync(args.template, database);
  const hub = hubOn(database, dir);
  try {
    await hub.work();
    const connector = hub.connector('bullhorn');
    // Log in before the clock starts, as the bare loop does; then let the limiter's window pass,
    // so the login's calls (which the client counts too) do not eat into the timed run's budget.
    await connector.fetchByIds('Placement', ['30001']);
    if (args.limit !== null) await new Promise((resolve) => setTimeout(resolve, (args.limit?.windowMs ?? 0) + 100));
    const before = connector.requestStats?.();
    const t0 = performance.now();
    await pull(hub, ['Placement']);
    const ms = performance.now() - t0;
    const after = connector.requestStats?.();
    const run = (await hub.store().repos.runs.list({ kind: 'pull', system: 'bullhorn', limit: 100 })).find((r) => r.entity === 'Placement');
    const created = run?.counts['created'] ?? 0;
    const pulled = run?.counts['pulled'] ?? 0;
    if (created !== pulled) throw new Error(`hub pull: ${pulled} pulled but ${created} created (${JSON.stringify(run?.counts)})`);
    reportPass(pulled, ms, {
      requests: (after?.requests ?? 0) - (before?.requests ?? 0),
      rateLimited: (after?.rateLimited ?? 0) - (before?.rateLimited ?? 0),
      throttledMs: (after?.throttledMs ?? 0) - (before?.throttledMs ?? 0),
    });
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBare(): Promise<void> {
  const session = await obtainSession(args.baseUrl, {
    clientId: EMULATOR_CREDENTIALS.CROSSWALK_BULLHORN_CLIENT_ID,
    clientSecret: EMULATOR_CREDENTIALS.CROSSWALK_BULLHORN_CLIENT_SECRET,
    username: EMULATOR_CREDENTIALS.CROSSWALK_BULLHORN_USERNAME,
    password: EMULATOR_CREDENTIALS.CROSSWALK_BULLHORN_PASSWORD,
  });
  const oneEmulatedSecondMs = 1_000 / args.clock;
  let rows = 0;
  let pages = 0;
  let requests = 0;
  let rateLimited = 0;
  let start = 0;
  const t0 = performance.now();
  for (;;) {
    const url = new URL('search/Placement', session.restUrl);
    url.search = new URLSearchParams({ query: 'id:[0 TO *]', sort: 'id', fields: PLACEMENT_FIELDS, start: String(start), count: String(args.pageSize) }).toString();
    requests += 1;
    const response = await fetch(url, { headers: { BhRestToken: session.BhRestToken } });
    if (response.status === 429) {
      await response.body?.cancel();
      rateLimited += 1;
      await new Promise((resolve) => setTimeout(resolve, oneEmulatedSecondMs));
      continue;
    }
    if (response.status !== 200) throw new Error(`bare loop: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { total: number; data: unknown[] };
    pages += 1;
    rows += page.data.length;
    start += page.data.length;
    if (page.data.length === 0 || start >= page.total) break;
  }
  reportPass(rows, performance.now() - t0, { pages, requests, rateLimited });
}
