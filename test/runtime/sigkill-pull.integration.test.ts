/**
 * Reliability, scaled to fit a test run: a worker process SIGKILLed in the
 * middle of a 10,000-record pull (Bullhorn Placements, 21 pages of 500) on BullMQ, restarted, killed
 * again, restarted; the run must finish and leave exactly what a clean, uninterrupted pull leaves —
 * same assignments and links by Bullhorn id, the same ledger, one `create` per record, one run
 * that succeeded with the same counts. Kill points are random (seeded; the seed is in every failure
 * message): inside a page's vendor call, its transaction, or between its commit and the next
 * page's enqueue.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { generateDataset, Rng } from '../../fixtures/dataset/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { RunRow } from '../../src/store/index.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from '../queue/support.ts';
import { tempDir } from '../support/temp-store.ts';
import { ROOT, start, type Running } from './support/process.ts';
import { differences, pullState, writeBullhornConfig, type PullState } from './support/pull-state.ts';
import { sleep } from './support/world.ts';

const PLACEMENTS = 10_000;
const PAGES = Math.ceil(PLACEMENTS / 500) + 1; // the last page is the empty one that ends the listing
const PARENTS = ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate'];
/** Rounds × kills per round: what fits in about a minute on two cores (a longer soak would do 20 kills). */
const ROUNDS = 4;
const KILLS_PER_ROUND = 2;
const SEED = Number(process.env['CROSSWALK_KILL_SEED'] ?? Date.now() % 1_000_000);
const WORKER = fileURLToPath(new URL('./support/pull-worker.ts', import.meta.url));

const prefixes: string[] = [];
let dir: { dir: string; dispose(): void };
let bullhorn: RunningBullhornEmulator;
let template: string;
let clean: PullState;

/** A hub on a config file, in this process; `work` runs its jobs here (the inline driver). */
async function hubOn(file: string, work: boolean): Promise<Hub> {
  const hub = new Hub(loadConfig({ file, env: { REDIS_URL: SHARED_REDIS_URL } }), { env: {}, logger: silentLogger() });
  if (work) await hub.work();
  return hub;
}

async function pullInline(file: string, entities: readonly string[]): Promise<void> {
  const hub = await hubOn(file, true);
  try {
    for (const entity of entities) {
      await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity, full: true }, { jobId: `pull:bullhorn:${entity}` });
      await hub.queue().drain({ timeoutMs: 60_000 });
    }
  } finally {
    await hub.close();
  }
}

/** A copy of the template store (parents pulled, no placements yet). */
function storeCopy(name: string): string {
  const path = join(dir.dir, `${name}.sqlite`);
  copyFileSync(template, path);
  return path;
}

beforeAll(async () => {
  dir = tempDir();
  const dataset = generateDataset({ scale: PLACEMENTS / 1_500, weeks: 0 });
  bullhorn = await startBullhornEmulator({ dataset, port: 0, rateLimitPerMinute: 1_000_000, sessionTtlMs: 3_600_000 });
  expect(bullhorn.control.count('Placement')).toBe(PLACEMENTS);
  template = join(dir.dir, 'template.sqlite');
  await pullInline(writeBullhornConfig(dir.dir, 'template', { database: template, baseUrl: bullhorn.baseUrl, queue: { driver: 'inline' } }), PARENTS);
  // Closed cleanly, the store is one file: a plain copy is a consistent snapshot.
  expect(existsSync(`${template}-wal`)).toBe(false);

  const cleanDb = storeCopy('clean');
  const cleanFile = writeBullhornConfig(dir.dir, 'clean', { database: cleanDb, baseUrl: bullhorn.baseUrl, queue: { driver: 'inline' } });
  await pullInline(cleanFile, ['Placement']);
  const hub = await hubOn(cleanFile, false);
  clean = await pullState(hub.store());
  await hub.close();
  expect(clean.runs).toEqual([{ status: 'succeeded', counts: { created: PLACEMENTS, pulled: PLACEMENTS, pages: PAGES }, error: null }]);
  expect(clean.assignments.size).toBe(PLACEMENTS);
}, 60_000);

afterAll(async () => {
  await bullhorn?.close();
  dir?.dispose();
  for (const prefix of prefixes) await deletePrefix(SHARED_REDIS_URL, prefix);
});

interface Kill {
  readonly round: number;
  /** Pages committed when the signal went. */
  readonly atPage: number;
  /** From the restart to the next committed page: how long the killed work took to come back. */
  recoveredMs: number;
}

function placementRun(hub: Hub): Promise<RunRow | undefined> {
  return hub.store().repos.runs.list({ kind: 'pull', system: 'bullhorn', limit: 10 }).then((runs) => runs.find((r) => r.entity === 'Placement'));
}

const pagesOf = (run: RunRow | undefined): number => (run?.cursor as { page?: number } | null)?.page ?? 0;

async function waitForRun(hub: Hub, what: string, done: (run: RunRow | undefined) => boolean, timeoutMs: number, worker: () => Running): Promise<RunRow | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await placementRun(hub);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`seed ${SEED}: timed out waiting for ${what} (run ${run?.status}, page ${pagesOf(run)})\n${worker().output()}`);
    await sleep(5);
  }
}

async function killRound(round: number, rng: Rng, kills: Kill[]): Promise<PullState> {
  const prefix = uniquePrefix(`kill${round}`);
  prefixes.push(prefix);
  const file = writeBullhornConfig(dir.dir, `round${round}`, { database: storeCopy(`round${round}`), baseUrl: bullhorn.baseUrl, queue: { driver: 'bullmq', prefix } });
  const hub = await hubOn(file, false);
  const startWorker = () => start(['--import', 'tsx', WORKER, file, SHARED_REDIS_URL], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
  let worker = startWorker();
  try {
    await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity: 'Placement', full: true }, { jobId: `pull:bullhorn:round${round}` });
    let after = 0;
    for (let k = 0; k < KILLS_PER_ROUND; k++) {
      // Somewhere in the run, leaving pages on both sides of each kill (the random wait below may
      // let a page or two more commit before the signal).
      const last = PAGES - 4;
      const span = Math.max(1, Math.floor((last - after) / (KILLS_PER_ROUND - k)));
      const target = Math.min(last, after + 1 + rng.int(0, span - 1));
      await waitForRun(hub, `page ${target}`, (run) => pagesOf(run) >= target, 30_000, () => worker);
      await sleep(rng.int(0, 150));
      const atPage = pagesOf(await placementRun(hub));
      await worker.kill();
      worker = startWorker();
      const restartedAt = Date.now();
      const kill: Kill = { round, atPage, recoveredMs: -1 };
      kills.push(kill);
      const next = await waitForRun(hub, `progress after the kill at page ${atPage}`, (run) => pagesOf(run) > atPage || run?.status !== 'running', 30_000, () => worker);
      kill.recoveredMs = Date.now() - restartedAt;
      after = pagesOf(next);
    }
    const run = await waitForRun(hub, 'the run to finish', (r) => r?.status !== 'running', 40_000, () => worker);
    expect(run?.status, `seed ${SEED} round ${round}: ${run?.error ?? ''}\n${worker.output()}`).toBe('succeeded');
    const stopped = await worker.stop();
    expect(stopped.code, `seed ${SEED}: the worker's graceful stop\n${worker.output()}`).toBe(0);
    return await pullState(hub.store());
  } finally {
    await worker.kill();
    await hub.close();
  }
}

describe('SIGKILL during a 10,000-record pull on BullMQ', () => {
  it(`${ROUNDS} runs, each killed ${KILLS_PER_ROUND}× at random pages and restarted, end equal to a clean run`, async () => {
    const rng = Rng.for(SEED);
    // Slow pages (60–120 ms a request), so a kill lands inside a page as often as between two.
    bullhorn.control.faults.set({ latency: { fixedMs: 60, jitterMs: 60 } });
    const kills: Kill[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const state = await killRound(round, rng, kills);
      const context = `seed ${SEED} round ${round}, kills at pages ${kills.filter((k) => k.round === round).map((k) => k.atPage).join(', ')}`;
      expect(state.runs, context).toEqual(clean.runs);
      expect(state.assignments.size, context).toBe(PLACEMENTS);
      expect(differences(clean.assignments, state.assignments), context).toEqual([]);
      expect(differences(clean.links, state.links), context).toEqual([]);
      expect(state.links.size, context).toBe(clean.links.size);
      expect([...state.createsPerRecord.values()].filter((n) => n !== 1), context).toEqual([]);
      expect(state.createsPerRecord.size, context).toBe(PLACEMENTS);
      expect(state.ledger.length, context).toBe(clean.ledger.length);
      expect(state.ledger, context).toEqual(clean.ledger);
      expect([state.outbox, state.conflicts], context).toEqual([clean.outbox, clean.conflicts]);
    }
    expect(kills).toHaveLength(ROUNDS * KILLS_PER_ROUND);
    expect(kills.every((k) => k.atPage >= 1 && k.atPage < PAGES), `seed ${SEED}: ${JSON.stringify(kills)}`).toBe(true);
  }, 150_000);
});
