import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { entityFields } from '../../src/model/index.ts';
import { Engine, ownedFields, StaticPolicy } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { openDatabase } from '../../src/store/sqlite/database.ts';
import { passArgs, reportPass } from '../lib/child.ts';
import { engineData, floorBatches, placementRecords, rowHash, seedReferences, SYSTEM, writeFloor, type Row } from './engine-data.ts';

/**
 * One measured pass of the engine scenario, in its own process. Sides:
 * - raw-insert: better-sqlite3 prepared insert of the assignment rows into one table, 10k-row transactions;
 * - hub-apply: Engine.apply of the same rows as bullhorn placements (references resolved through links);
 * - raw-upsert: second pass of a hash-guarded upsert (`WHERE row_hash IS NOT excluded.row_hash`) of the same rows;
 * - hub-reapply: Engine.apply of the same, unchanged batch again;
 * - store-floor: not a gate. The rows the engine writes for a first apply (canonical row, link with
 *   base and hash, ledger row with the field diff), pre-built and written through the store's own
 *   repositories in the engine's transaction size: what the hub's schema (indexes, foreign keys)
 *   costs before any merge logic runs, so the note can say how much of the gap is the engine.
 */
interface Args {
  side: 'raw-insert' | 'hub-apply' | 'raw-upsert' | 'hub-reapply' | 'store-floor';
  rows: number;
  batch: number;
}

const args = passArgs<Args>();
const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-engine-'));
const { assignments, referenced, rows } = engineData(args.rows);

try {
  if (args.side === 'raw-insert' || args.side === 'raw-upsert') runRaw(args.side);
  else if (args.side === 'store-floor') await runFloor();
  else await runHub(args.side);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function runRaw(side: 'raw-insert' | 'raw-upsert'): void {
  const db = openDatabase(join(dir, 'raw.sqlite'));
  db.exec(`CREATE TABLE assignments_raw (id TEXT PRIMARY KEY, candidate_id TEXT, requisition_id TEXT, worksite_id TEXT,
    approver_contact_id TEXT, title TEXT, start_date TEXT, end_date TEXT, status TEXT, row_hash TEXT) WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO assignments_raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const upsert = db.prepare(`INSERT INTO assignments_raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET candidate_id = excluded.candidate_id, requisition_id = excluded.requisition_id,
      worksite_id = excluded.worksite_id, approver_contact_id = excluded.approver_contact_id, title = excluded.title,
      start_date = excluded.start_date, end_date = excluded.end_date, status = excluded.status, row_hash = excluded.row_hash
    WHERE row_hash IS NOT excluded.row_hash`);
  const hashOf = (r: Row) => rowHash(r);
  const pass = (stmt: typeof insert, hashed: boolean) => {
    for (let i = 0; i < rows.length; i += 10_000) {
      db.transaction(() => {
        for (const r of rows.slice(i, i + 10_000)) stmt.run(...r, hashed ? hashOf(r) : null);
      })();
    }
  };
  (globalThis as { gc?: () => void }).gc?.();
  if (side === 'raw-insert') {
    // The store's raw baseline: prepared inserts in 10k-row
    // transactions with a SHA-1 per row (the hash every hash-guarded store keeps).
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    pass(insert, true);
    const cpu = process.cpuUsage(cpu0);
    if (process.env['ENGINE_BENCH_CPU']) process.stderr.write(`raw cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${((cpu.user + cpu.system) / rows.length).toFixed(1)} µs/record)\n`);
    reportPass(rows.length, performance.now() - t0);
  } else {
    pass(insert, true);
    const t0 = performance.now();
    pass(upsert, true);
    const changes = db.prepare('SELECT total_changes() AS n').get() as { n: number };
    reportPass(rows.length, performance.now() - t0, { totalChanges: changes.n });
  }
  db.close();
}

async function runHub(side: 'hub-apply' | 'hub-reapply'): Promise<void> {
  const store = SqliteStore.open(process.env['ENGINE_BENCH_MEMORY'] ? ':memory:' : join(dir, 'hub.sqlite'));
  const fields = entityFields('assignment');
  const policy = new StaticPolicy({ inbound: { [SYSTEM]: { assignment: { fields: ownedFields(SYSTEM, fields), match: { byEmail: false, unmatched: 'create' } } } } });
  const engine = new Engine(store, { policy });
  await seedReferences(store, referenced);
  const records = placementRecords(assignments);
  const applyAll = async () => {
    const totals = { created: 0, unchanged: 0, held: 0, rejected: 0 };
    for (let i = 0; i < records.length; i += args.batch) {
      const s = await engine.apply({ system: SYSTEM, entity: 'assignment', records: records.slice(i, i + args.batch) });
      totals.created += s.created;
      totals.unchanged += s.unchanged;
      totals.held += s.held;
      totals.rejected += s.rejected;
    }
    return totals;
  };
  if (side === 'hub-reapply') await applyAll();
  (globalThis as { gc?: () => void }).gc?.();
  const ledgerBefore = await store.repos.ledger.count();
  const prof = (globalThis as Record<string, unknown>)['__prof'] as { start(): Promise<void>; stop(): Promise<void> } | undefined;
  await prof?.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const totals = await applyAll();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (process.env['ENGINE_BENCH_CPU']) process.stderr.write(`cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${((cpu.user + cpu.system) / records.length).toFixed(1)} µs/record)\n`);
  await prof?.stop();
  const expected = side === 'hub-apply' ? totals.created : totals.unchanged;
  if (expected !== records.length) throw new Error(`${side}: expected ${records.length}, got ${JSON.stringify(totals)}`);
  reportPass(records.length, ms, { ledgerRowsAdded: (await store.repos.ledger.count()) - ledgerBefore });
  store.close();
}

async function runFloor(): Promise<void> {
  const store = SqliteStore.open(join(dir, 'floor.sqlite'));
  await seedReferences(store, referenced);
  const batches = floorBatches(assignments, args.batch);
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  await writeFloor(store, batches);
  reportPass(assignments.length, performance.now() - t0);
  store.close();
}
