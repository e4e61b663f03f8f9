import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { newId } from '../../src/lib/ids.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import type { Scenario } from '../run.ts';
import { runPass } from '../lib/child.ts';
import { boxCpuMs, cpuOf, cpuSpent, pidsNamed } from '../lib/cpu.ts';
import type { Figure } from '../lib/figures.ts';
import { BENCH_PG_URL, benchSchemaName, dropBenchSchema } from '../lib/pg.ts';
import { deleteRedisPrefix } from '../lib/redis.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'crosswalk.js');
const EMULATOR = new URL('./pull.pass.ts', import.meta.url);
const SEED = new URL('./scale.pass.ts', import.meta.url);
/** The emulators' fixed, not-secret credentials, from the shipped config's demoSecrets. */
const BULLHORN_SECRETS = Object.entries(loadConfig({ file: join(ROOT, 'crosswalk.config.yaml'), env: {} }).demoSecrets).filter(([name]) => name.startsWith('CROSSWALK_BULLHORN_'));
const REDIS_URL = process.env['CROSSWALK_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379';

/** Concurrent pull runs: the most pages that can be in flight at once, so the most workers that can help. */
const SYSTEMS = 4;
const WORKERS = [1, 2, 4] as const;

/**
 * Issue 16's scale-out benchmark: Placement pull throughput on PostgreSQL + Redis (BullMQ) with 1,
 * 2 and 4 `crosswalk worker` processes, the vendor limit lifted (emulator and client limits at a
 * billion a minute).
 *
 * A pull run is sequential by design: a page commits with the run's cursor and only then is the
 * next page enqueued (jobs/handlers/sync-pull.ts), so one run keeps one worker busy however many
 * there are. Workers scale out across runs: this scenario configures {@link SYSTEMS} Bullhorn
 * systems on one emulator (a firm with several Bullhorn instances) and pulls Placements from all
 * of them at once. The shipped Bullhorn mappings are copied with `owner: bullhorn` made `shared`
 * (with several Bullhorn systems the name is ambiguous); nothing else changes. Each system's
 * parents are pulled into a fresh schema first (untimed); the timed part is from enqueueing the
 * four pulls to the last run's success, workers already started and idle.
 *
 * Each worker count runs once, in a fresh schema and Redis prefix. Beside records/s and the ratio
 * to one worker, it prints the CPU each part used over the timed window as a share of one core
 * (workers summed; this run's PostgreSQL backends, by application_name; every postgres process on
 * the box, other users' included; redis-server; the emulator) and the box's busy share of all its
 * cores: on a small shared box, that is what bounds the ratio, so the ratio is information, not a gate.
 * CROSSWALK_BENCH_PROFILE=<dir> runs the workers with --cpu-prof into that folder.
 *
 * First run (2 shared cores, load average 4–11, `--quick`: 4 × 1,500 placements): 148, 152 and 101
 * records/s with 1, 2 and 4 workers (ratios 1.03 and 0.68). The box was 95–100% busy in every
 * run; the workers together used 56–61% of a core and this run's PostgreSQL backends 49–60%,
 * Redis 8%, the emulator 1%: adding workers adds no CPU to share, and PostgreSQL spends ~4 ms of
 * CPU a record on the link lookups the engine-pg scenario times (a nested-loop plan over
 * `IN (SELECT … json_array_elements_text(?))`), so those lookups, then the cores, bound it.
 */
export const scenario: Scenario = {
  name: 'scale',
  description: `Placement pulls from ${SYSTEMS} Bullhorn systems at once on PostgreSQL + BullMQ with 1, 2 and 4 worker processes, vendor limit lifted; records/s, ratio to 1 worker (info: bounded by the box's cores and PostgreSQL's CPU, see cpu_pct), CPU per part`,
  async run({ quick }) {
    const placements = quick ? 1_500 : 5_000;
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-scale-'));
    const emulator = await startEmulator(placements / 1_500);
    try {
      const mappings = sharedMappings(dir);
      const figures: Figure[] = [{ name: 'scale.load_average_1m_at_start', value: loadavg()[0] ?? 0, gate: false }];
      const rates = new Map<number, number>();
      for (const workers of WORKERS) {
        const result = await measure({ workers, dir, mappings, baseUrl: emulator.baseUrl, placements, emulator });
        rates.set(workers, result.rate);
        const p = `scale.workers_${workers}`;
        figures.push(
          { name: `${p}.records`, value: result.records, gate: false },
          { name: `${p}.records_per_s`, value: Math.round(result.rate), gate: false },
          ...(workers > 1 ? [{ name: `${p}.ratio_to_1`, value: result.rate / (rates.get(1) ?? Number.NaN), gate: false }] : []),
          { name: `${p}.cpu_pct.workers`, value: Math.round(result.cpu.workers), gate: false },
          { name: `${p}.cpu_pct.postgres_this_run`, value: Math.round(result.cpu.pgOurs), gate: false },
          { name: `${p}.cpu_pct.postgres_all`, value: Math.round(result.cpu.pgAll), gate: false },
          { name: `${p}.cpu_pct.redis`, value: Math.round(result.cpu.redis), gate: false },
          { name: `${p}.cpu_pct.emulator`, value: Math.round(result.cpu.emulator), gate: false },
          { name: `${p}.box_busy_pct`, value: Math.round(result.cpu.box), gate: false },
          { name: `${p}.load_average_1m`, value: result.load, gate: false },
          { name: `${p}.vendor_429s`, value: result.rateLimited, target: { op: '<=', value: 0 } },
        );
      }
      return figures;
    } finally {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

interface Emulator {
  readonly baseUrl: string;
  readonly pid: number;
  stats(): Promise<{ requests: number; rateLimited: number }>;
  close(): Promise<void>;
}

/** The Bullhorn emulator in its own process (pull.pass.ts's emulator side), real-time clock, no limit. */
async function startEmulator(scale: number): Promise<Emulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(EMULATOR), JSON.stringify({ side: 'emulator', scale, clock: 1 })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`bullhorn emulator process ended (exit ${String(child.exitCode)})`);
    return line.value;
  };
  const hello = JSON.parse(await next()) as { baseUrl: string };
  return {
    baseUrl: hello.baseUrl,
    pid: child.pid ?? -1,
    async stats() {
      child.stdin.write(`${JSON.stringify({ cmd: 'stats' })}\n`);
      return JSON.parse(await next()) as { requests: number; rateLimited: number };
    },
    async close() {
      child.stdin.end(`${JSON.stringify({ cmd: 'close' })}\n`);
      await exited(child);
    },
  };
}

/** The shipped Bullhorn mappings, every `owner: bullhorn` made `shared` (one owner name cannot name several systems). */
function sharedMappings(dir: string): string {
  const root = join(dir, 'mappings');
  const bullhorn = join(root, 'bullhorn');
  cpSync(join(ROOT, 'mappings', 'bullhorn'), bullhorn, { recursive: true });
  for (const name of readdirSync(bullhorn)) {
    const path = join(bullhorn, name);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll(/owner: bullhorn\b/g, 'owner: shared'));
  }
  return root;
}

interface Measured {
  readonly records: number;
  readonly rate: number;
  readonly rateLimited: number;
  readonly load: number;
  /** Percent of one core over the timed window; `box` is percent of all cores. */
  readonly cpu: { workers: number; pgOurs: number; pgAll: number; redis: number; emulator: number; box: number };
}

async function measure(o: { workers: number; dir: string; mappings: string; baseUrl: string; placements: number; emulator: Emulator }): Promise<Measured> {
  const schema = benchSchemaName('scale');
  const prefix = `cwbench-scale-${process.pid}-${o.workers}-${newId().slice(-6)}`;
  const application = `cw_${schema}`;
  const url = new URL(BENCH_PG_URL);
  url.searchParams.set('application_name', application);
  url.searchParams.set('schema', schema);
  const systems = Array.from({ length: SYSTEMS }, (_, i) => `bullhorn_${i + 1}`);
  const secrets: Record<string, string> = {};
  for (const id of systems) {
    for (const [name, value] of BULLHORN_SECRETS) secrets[name.replace('CROSSWALK_BULLHORN_', `CROSSWALK_${id.toUpperCase()}_`)] = value;
  }
  const config = join(o.dir, `scale-${o.workers}.config.yaml`);
  writeFileSync(config, stringify({
    database: url.toString(),
    mappings: o.mappings,
    queue: { driver: 'bullmq', prefix, concurrency: 8 },
    systems: systems.map((id) => ({ id, connector: 'bullhorn', kind: 'ats', baseUrl: o.baseUrl, rateLimit: { requests: 1_000_000_000, perMs: 60_000 } })),
    demoSecrets: secrets,
  }));
  const files = join(o.dir, `files-${o.workers}`);
  mkdirSync(files, { recursive: true });
  const env = { REDIS_URL, CROSSWALK_SECRET_KEY: Keyring.generate().serialize(), CROSSWALK_FILES: files, LOG_LEVEL: 'info' };
  const workers: Worker[] = [];
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  let hub: Hub | null = null;
  try {
    await runPass(SEED, { config, env, systems });
    await admin.connect();
    for (let i = 0; i < o.workers; i++) workers.push(startWorker(config, env));
    await Promise.all(workers.map((w) => w.ready));
    hub = new Hub(loadConfig({ file: config, env }), { env: {}, logger: silentLogger() });
    const queue = hub.queue();
    const before = await o.emulator.stats();
    const pids = { workers: workers.map((w) => w.pid), redis: pidsNamed('redis-server') };
    const cpu0 = { workers: cpuOf(pids.workers), pg: cpuOf(pidsNamed('postgres')), redis: cpuOf(pids.redis), emulator: cpuOf([o.emulator.pid]), box: boxCpuMs() };
    const t0 = performance.now();
    for (const system of systems) {
      await queue.enqueue('sync.pull', { system, entity: 'Placement', full: true, then: [] }, { jobId: `pull:scale:${system}` });
    }
    const runs = await waitForRuns(admin, schema, systems.length, workers);
    const ms = performance.now() - t0;
    const ours = (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [application])).rows.map((r) => r.pid);
    const cpu1 = { workers: cpuOf(pids.workers), pg: cpuOf(pidsNamed('postgres')), ours: cpuOf(ours), redis: cpuOf(pids.redis), emulator: cpuOf([o.emulator.pid]), box: boxCpuMs() };
    const after = await o.emulator.stats();
    let records = 0;
    for (const run of runs) {
      const counts = JSON.parse(run.counts) as Record<string, number>;
      // A few placements of each system but the first to pull a candidate wait on it: the other
      // systems' candidate was parked by the identity rules (a phone-only match), as it would be.
      if (run.status !== 'succeeded' || counts['pulled'] !== o.placements || (counts['created'] ?? 0) + (counts['held'] ?? 0) !== o.placements) {
        throw new Error(`scale: ${run.system} ended ${run.status} with ${run.counts} (${run.error ?? ''}); expected ${o.placements} pulled, each created or held`);
      }
      records += counts['pulled'] ?? 0;
    }
    const pct = (spent: number) => (spent / ms) * 100;
    const oursBefore = new Map([...cpu0.pg].filter(([pid]) => cpu1.ours.has(pid)));
    return {
      records,
      rate: records / (ms / 1000),
      rateLimited: after.rateLimited - before.rateLimited,
      load: loadavg()[0] ?? 0,
      cpu: {
        workers: pct(cpuSpent(cpu0.workers, cpu1.workers)),
        pgOurs: pct(cpuSpent(oursBefore, cpu1.ours)),
        pgAll: pct(cpuSpent(cpu0.pg, cpu1.pg)),
        redis: pct(cpuSpent(cpu0.redis, cpu1.redis)),
        emulator: pct(cpuSpent(cpu0.emulator, cpu1.emulator)),
        box: ((cpu1.box.busy - cpu0.box.busy) / (cpu1.box.total - cpu0.box.total)) * 100,
      },
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await hub?.close();
    await admin.end();
    await deleteRedisPrefix(REDIS_URL, prefix);
    await dropBenchSchema(schema);
  }
}

interface RunState {
  system: string;
  status: string;
  counts: string;
  error: string | null;
}

/** Polls the runs table until every Placement run has ended. */
async function waitForRuns(admin: pg.Client, schema: string, count: number, workers: readonly Worker[]): Promise<RunState[]> {
  const deadline = Date.now() + 1_800_000;
  for (;;) {
    const runs = (await admin.query<RunState>(`SELECT system, status, counts, error FROM ${schema}.runs WHERE kind = 'pull' AND entity = 'Placement'`)).rows;
    if (runs.length === count && runs.every((r) => r.status !== 'running')) return runs;
    const dead = workers.find((w) => w.exitCode() !== null);
    if (dead) throw new Error(`a worker exited (${String(dead.exitCode())}) during the run:\n${dead.output()}`);
    if (Date.now() > deadline) throw new Error(`scale: runs did not finish: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Worker {
  readonly pid: number;
  readonly ready: Promise<void>;
  exitCode(): number | null;
  output(): string;
  stop(): Promise<void>;
}

/** `crosswalk worker` on the pass's config, as production starts it; ready when it logs "worker started". */
function startWorker(config: string, env: Record<string, string>): Worker {
  const profile = process.env['CROSSWALK_BENCH_PROFILE'];
  const child = spawn(process.execPath, [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), CLI, 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, CROSSWALK_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let started: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited (${String(code)}) before it started:\n${tail.join('\n')}`)));
  });
  ready.catch(() => undefined);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.includes('"worker started"')) started();
    });
  }
  return {
    pid: child.pid ?? -1,
    ready,
    exitCode: () => child.exitCode,
    output: () => tail.join('\n'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
