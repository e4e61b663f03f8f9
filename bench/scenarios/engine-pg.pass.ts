import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { entityFields } from '../../src/model/index.ts';
import { Engine, ownedFields, StaticPolicy } from '../../src/engine/index.ts';
import { PgStore } from '../../src/store/postgres/pg-store.ts';
import { passArgs, reportPass } from '../lib/child.ts';
import { adminQuery, BENCH_PG_URL, benchSchemaName, dropBenchSchema, insertRows } from '../lib/pg.ts';
import { startProfile } from '../lib/profile.ts';
import { engineData, floorBatches, placementRecords, rowHash, seedReferences, SYSTEM, writeFloor } from './engine-data.ts';

/**
 * One measured pass of the engine scenario on PostgreSQL, in its own process and its own fresh
 * schema (dropped after). Sides:
 * - raw-insert: multi-row INSERTs through `pg` (1,000 rows a statement, 10,000 a transaction) of
 *   the assignment rows into one plain table, with a SHA-1 per row as the SQLite baseline has;
 * - hub-apply: Engine.apply of the same rows as Bullhorn placements on a PgStore;
 * - raw-upsert: the same inserts again as a hash-guarded upsert
 *   (`WHERE row_hash IS DISTINCT FROM excluded.row_hash`), second pass timed;
 * - hub-reapply: Engine.apply of the same, unchanged batch again;
 * - store-floor: not a gate, the rows a first apply writes, pre-built, through the repositories.
 */
interface Args {
  side: 'raw-insert' | 'hub-apply' | 'raw-upsert' | 'hub-reapply' | 'store-floor';
  rows: number;
  batch: number;
}

const args = passArgs<Args>();
const schema = benchSchemaName('engine');
const { assignments, referenced, rows } = engineData(args.rows);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

try {
  if (args.side === 'raw-insert' || args.side === 'raw-upsert') await runRaw(args.side);
  else await runStore(args.side);
} finally {
  await dropBenchSchema(schema);
}

async function runRaw(side: 'raw-insert' | 'raw-upsert'): Promise<void> {
  await adminQuery(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.assignments_raw (id text PRIMARY KEY, candidate_id text, requisition_id text,
    worksite_id text, approver_contact_id text, title text, start_date text, end_date text, status text, row_hash text)`);
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    const table = `${schema}.assignments_raw`;
    const hashed = () => rows.map((r) => [...r, rowHash(r)]);
    const upsert = `ON CONFLICT (id) DO UPDATE SET candidate_id = excluded.candidate_id, requisition_id = excluded.requisition_id,
      worksite_id = excluded.worksite_id, approver_contact_id = excluded.approver_contact_id, title = excluded.title,
      start_date = excluded.start_date, end_date = excluded.end_date, status = excluded.status, row_hash = excluded.row_hash
      WHERE assignments_raw.row_hash IS DISTINCT FROM excluded.row_hash`;
    if (side === 'raw-insert') {
      gc();
      const t0 = performance.now();
      // The hashes are part of the timed work, as in the SQLite baseline.
      await insertRows(client, table, 10, hashed());
      reportPass(rows.length, performance.now() - t0);
    } else {
      await insertRows(client, table, 10, hashed());
      gc();
      const t0 = performance.now();
      const changes = await insertRows(client, table, 10, hashed(), { suffix: upsert });
      reportPass(rows.length, performance.now() - t0, { totalChanges: changes });
    }
  } finally {
    await client.end();
  }
}

async function runStore(side: 'hub-apply' | 'hub-reapply' | 'store-floor'): Promise<void> {
  const store = PgStore.open(BENCH_PG_URL, { schema });
  try {
    await store.ready;
    await seedReferences(store, referenced);
    if (side === 'store-floor') {
      const batches = floorBatches(assignments, args.batch);
      gc();
      const t0 = performance.now();
      await writeFloor(store, batches);
      reportPass(assignments.length, performance.now() - t0);
      return;
    }
    const fields = entityFields('assignment');
    const policy = new StaticPolicy({ inbound: { [SYSTEM]: { assignment: { fields: ownedFields(SYSTEM, fields), match: { byEmail: false, unmatched: 'create' } } } } });
    const engine = new Engine(store, { policy });
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
    gc();
    const ledgerBefore = await store.repos.ledger.count();
    const profile = await startProfile();
    const t0 = performance.now();
    const totals = await applyAll();
    const ms = performance.now() - t0;
    await profile.stop(`engine-pg-${side}`);
    const expected = side === 'hub-apply' ? totals.created : totals.unchanged;
    if (expected !== records.length) throw new Error(`${side}: expected ${records.length}, got ${JSON.stringify(totals)}`);
    reportPass(records.length, ms, { ledgerRowsAdded: (await store.repos.ledger.count()) - ledgerBefore });
  } finally {
    await store.close();
  }
}
