import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateDataset } from '../../fixtures/dataset/index.ts';
import { ENTITIES, entityFields, type EntityName } from '../../src/model/index.ts';
import { Engine, ownedFields, StaticPolicy, type IncomingRecord } from '../../src/engine/index.ts';
import { SqliteStore, type CanonicalWrite, type LedgerEntry, type LinkRow } from '../../src/store/index.ts';
import { openDatabase } from '../../src/store/sqlite/database.ts';
import { newId } from '../../src/lib/ids.ts';
import { passArgs, reportPass } from '../lib/child.ts';

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
const SYSTEM = 'bullhorn';

// Keep only what the pass uses: a retained dataset of a few hundred MB would make every garbage
// collection during the timed part mark it, which a worker holding one page never pays.
let dataset: ReturnType<typeof generateDataset> | null = generateDataset({ scale: Math.max(1, Math.ceil(args.rows / 1500)) });
const assignments = dataset.assignments.slice(0, args.rows);
if (assignments.length < args.rows) throw new Error(`dataset has ${assignments.length} assignments, wanted ${args.rows}`);
const referenced = {
  clients: [...dataset.clients],
  worksites: [...dataset.worksites],
  contacts: [...dataset.contacts],
  requisitions: [...dataset.requisitions],
  candidates: (() => {
    const wanted = new Set(assignments.map((a) => a.candidateId));
    return dataset.candidates.filter((c) => wanted.has(c.key));
  })(),
};
dataset = null;

type Row = [string, string, string | null, string | null, string | null, string | null, string, string | null, string];
const rows: Row[] = assignments.map((a) => [a.key, a.candidateId, a.requisitionId, a.worksiteId, a.approverContactId, a.title, a.startDate, a.endDate, a.status]);

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
  const hashOf = (r: Row) => createHash('sha1').update(r.join('\u0001')).digest('base64');
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
  await seedReferences(store);
  const records: IncomingRecord[] = assignments.map((a, i) => ({
    externalId: String(30_000 + i),
    sourceModifiedAt: '2026-11-20T12:00:00.000Z',
    values: {
      candidateId: ref(a.candidateId),
      requisitionId: a.requisitionId === null ? null : ref(a.requisitionId),
      worksiteId: a.worksiteId === null ? null : ref(a.worksiteId),
      approverContactId: a.approverContactId === null ? null : ref(a.approverContactId),
      title: a.title,
      startDate: a.startDate,
      endDate: a.endDate,
      status: a.status,
    },
  }));
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
  await seedReferences(store);
  const now = '2026-11-20T12:00:00.000Z';
  const fields = entityFields('assignment');
  const batches: Array<{ canonical: CanonicalWrite[]; links: LinkRow[]; ledger: LedgerEntry[] }> = [];
  for (let i = 0; i < assignments.length; i += args.batch) {
    const batch = { canonical: [] as CanonicalWrite[], links: [] as LinkRow[], ledger: [] as LedgerEntry[] };
    assignments.slice(i, i + args.batch).forEach((a, j) => {
      const id = newId();
      const values: Record<string, string | null> = {
        candidateId: a.candidateId, requisitionId: a.requisitionId, worksiteId: a.worksiteId, approverContactId: a.approverContactId,
        title: a.title, startDate: a.startDate, endDate: a.endDate, status: a.status,
      };
      const externalId = String(30_000 + i + j);
      batch.canonical.push({ id, fields: values, changedAt: now });
      batch.links.push({
        system: SYSTEM, entity: 'assignment', externalId, canonicalId: id, state: 'linked', base: values,
        sourceHash: createHash('sha1').update(JSON.stringify(values)).digest('base64'), sourceModifiedAt: now, pending: null,
        waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null, createdAt: now, updatedAt: now,
      });
      batch.ledger.push({
        at: now, direction: 'in', system: SYSTEM, entity: 'assignment', canonicalId: id, externalId, action: 'create', outcome: 'applied',
        diff: fields.filter((f) => values[f] !== null && values[f] !== undefined).map((f) => ({ field: f, from: null, to: values[f] ?? null, result: 'applied' })),
        reason: null, sourceModifiedAt: now, actor: null, runId: null, jobId: null,
      });
    });
    batches.push(batch);
  }
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  for (const b of batches) {
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('assignment', b.canonical, now);
      await tx.links.upsertMany(b.links);
      await tx.ledger.appendMany(b.ledger);
    });
  }
  reportPass(assignments.length, performance.now() - t0);
  store.close();
}

function ref(externalId: string) {
  return { ref: { system: SYSTEM, externalId } };
}

/** Canonical rows and links for everything the assignments point at (untimed set-up). */
async function seedReferences(store: SqliteStore): Promise<void> {
  const now = new Date().toISOString();
  const add = async (entity: EntityName, items: ReadonlyArray<{ key: string } & Record<string, unknown>>, keep: Set<string> | null) => {
    const chosen = keep ? items.filter((i) => keep.has(i.key)) : items;
    const writes: CanonicalWrite[] = chosen.map((item) => {
      const f: Record<string, string | number | null> = {};
      for (const field of Object.keys(ENTITIES[entity].schema.shape)) f[field] = (item[field] as string | number | null | undefined) ?? null;
      return { id: item.key, fields: f, changedAt: now };
    });
    const links: LinkRow[] = chosen.map((item) => ({
      system: SYSTEM, entity, externalId: item.key, canonicalId: item.key, state: 'linked', base: null, sourceHash: null,
      sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null,
      createdAt: now, updatedAt: now,
    }));
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany(entity, writes, now);
      await tx.links.upsertMany(links);
    });
  };
  await add('client', referenced.clients, null);
  await add('worksite', referenced.worksites, null);
  await add('contact', referenced.contacts, null);
  await add('requisition', referenced.requisitions, null);
  await add('candidate', referenced.candidates, null);
}
