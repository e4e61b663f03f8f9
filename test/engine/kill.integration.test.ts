import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

// A process SIGKILLed while it applies one large batch leaves all of the batch or none of it.
const RECORDS = 20_000;
const KILLS = 4;
const SEED = 20261125;
console.log(`kill test: ${RECORDS} records, ${KILLS} kills, delay seed ${SEED}`);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../support/kill-child.ts', import.meta.url));

interface ChildRun {
  /** The child said the transaction committed before it died or exited. */
  committed: boolean;
  killed: boolean;
  /** Milliseconds from the transaction's start to its commit, when it committed. */
  applyMs: number | null;
  summary: Record<string, number> | null;
}

/**
 * When to SIGKILL the child: a delay after it says its transaction began, or as soon as its WAL has
 * grown by some bytes since then (it is writing the batch's pages, uncommitted).
 */
type Kill = { afterMs: number } | { walGrowth: number };

/** Runs the child on `path`, killing it as `kill` says, or letting it finish. */
function runChild(path: string, kill?: Kill): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(RECORDS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let began = 0;
    let applyMs: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (began === 0 && out.includes('APPLYING\n')) {
        began = performance.now();
        if (kill && 'afterMs' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
        if (kill && 'walGrowth' in kill) {
          const baseline = walSize(path);
          poll = setInterval(() => {
            if (walSize(path) - baseline > kill.walGrowth) child.kill('SIGKILL');
          }, 2);
        }
      }
      if (applyMs === null && out.includes('COMMITTED')) applyMs = performance.now() - began;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const killed = signal === 'SIGKILL';
      if (!killed && code !== 0) {
        reject(new Error(`child exited ${code}: ${err}`));
        return;
      }
      if (!out.includes('APPLYING')) {
        reject(new Error(`child never began its transaction: ${out} ${err}`));
        return;
      }
      const line = out.split('\n').find((l) => l.startsWith('COMMITTED '));
      resolve({ committed: line !== undefined, killed, applyMs, summary: line ? (JSON.parse(line.slice('COMMITTED '.length)) as Record<string, number>) : null });
    });
  });
}

/** Deterministic delays: mulberry32. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function withStore<T>(path: string, fn: (store: SqliteStore) => T): T {
  const store = SqliteStore.open(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const count = (store: SqliteStore, table: string) => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function counts(store: SqliteStore) {
  return { clients: count(store, 'clients'), links: count(store, 'links'), ledger: count(store, 'ledger'), outbox: count(store, 'outbox') };
}

/** Everything the batch wrote, without generated ids: rows read through the external id. */
function state(store: SqliteStore): string[] {
  const q = (sql: string) => store.db.prepare(sql).all().map((r) => JSON.stringify(r));
  return [
    ...q(`SELECT l.external_id, l.state, l.base, l.source_hash, l.source_modified_at, l.reason, l.tombstoned_at, l.created_at, l.updated_at,
            c.name, c.status, c.city, c.address_line1, c.revision, c.changed_at, c.created_at AS c_created, c.updated_at AS c_updated
          FROM links l LEFT JOIN clients c ON c.id = l.canonical_id ORDER BY l.external_id`),
    ...q(`SELECT external_id, action, outcome, diff, reason, source_modified_at, at, run_id, (canonical_id IS NULL) AS no_id FROM ledger ORDER BY external_id`),
    ...q(`SELECT k.external_id, o.system, o.op, o.fields, o.reason, o.status FROM outbox o JOIN links k ON k.canonical_id = o.canonical_id ORDER BY k.external_id`),
    `clients ${count(store, 'clients')}`,
  ];
}

/** Size of the WAL a dead child left behind, read before anything opens (and so recovers) the file. */
function walSize(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

const dirs: Array<{ dispose(): void }> = [];
afterAll(() => {
  for (const d of dirs) d.dispose();
});

describe('a process killed mid-batch', () => {
  it('leaves all of the batch or none of it, a sound file, and a re-run that ends where a clean run does', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    dirs.push(dir);

    const cleanPath = join(dir.dir, 'clean.db');
    const clean = await runChild(cleanPath);
    expect(clean.committed).toBe(true);
    const full = withStore(cleanPath, counts);
    const expected = withStore(cleanPath, state);
    expect(full.links).toBe(RECORDS);
    expect(full.ledger).toBe(RECORDS);
    expect(full.clients).toBe(clean.summary?.['created']);
    expect(full.outbox).toBeGreaterThan(0);
    const applyMs = clean.applyMs ?? 0;
    console.log(`kill test: clean apply took ${Math.round(applyMs)} ms`);

    const random = rng(SEED);
    const path = join(dir.dir, 'killed.db');
    const outcomes: string[] = [];
    let maxUncommittedWal = 0;
    for (let i = 0; i < KILLS; i++) {
      // Even rounds kill at a time spread over the apply (stratified), wherever the engine is: merging
      // in memory, writing, or already committed. Odd rounds kill once uncommitted pages reach the
      // WAL, so the write phase is always hit however fast or loaded the machine is.
      const kill: Kill = i % 2 === 0
        ? { afterMs: Math.floor(applyMs * (0.3 + (0.75 * (i / 2 + random())) / Math.ceil(KILLS / 2))) }
        : { walGrowth: i === 1 ? 1024 * 1024 : 8 * 1024 * 1024 };
      const delay = 'afterMs' in kill ? `${kill.afterMs}ms` : `wal+${kill.walGrowth / 1024 / 1024}MiB`;
      const run = await runChild(path, kill);
      const wal = walSize(path);
      const after = withStore(path, (store) => ({ ...counts(store), integrity: store.db.pragma('integrity_check', { simple: true }) }));
      expect(after.integrity, `run ${i}`).toBe('ok');
      const none = { clients: 0, links: 0, ledger: 0, outbox: 0 };
      const { integrity: _ok, ...got } = after;
      if (run.committed) expect(got, `run ${i} committed`).toEqual(full);
      else expect([none, full], `run ${i} (killed at ${delay})`).toContainEqual(got);
      const outcome = got.links === 0 ? 'none' : 'all';
      outcomes.push(`${delay}:${outcome}:wal ${Math.round(wal / 1024)} KiB${run.killed ? '' : ' (finished first)'}`);
      if (outcome === 'none') maxUncommittedWal = Math.max(maxUncommittedWal, wal);
      // Start the next kill on a fresh file when this one got the whole batch in.
      if (outcome === 'all' && i < KILLS - 1) removeDb(path);
    }
    console.log(`kill test: outcomes ${outcomes.join(', ')}`);
    expect(outcomes.some((o) => o.includes(':none')), 'no kill landed inside the transaction').toBe(true);
    // At least one kill hit the write phase: uncommitted pages were in the WAL, and recovery dropped them.
    expect(maxUncommittedWal, 'no kill left uncommitted frames in the WAL').toBeGreaterThan(1024 * 1024);

    const recovered = await runChild(path);
    expect(recovered.committed).toBe(true);
    const got = withStore(path, state);
    expect(got.length).toBe(expected.length);
    const firstDiff = got.findIndex((row, i) => row !== expected[i]);
    expect(firstDiff === -1 ? null : got[firstDiff]).toBe(firstDiff === -1 ? null : expected[firstDiff]);
  });
});
