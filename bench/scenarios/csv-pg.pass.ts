import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse';
import pg from 'pg';
import { importCsv } from '../../src/csv/import.ts';
import { Engine } from '../../src/engine/index.ts';
import { loadMappings } from '../../src/mapping/index.ts';
import { PgStore } from '../../src/store/postgres/pg-store.ts';
import { passArgs, reportPass } from '../lib/child.ts';
import { adminQuery, BENCH_PG_URL, benchSchemaName, dropBenchSchema, insertRows } from '../lib/pg.ts';
import { startProfile } from '../lib/profile.ts';
import { csvLine, HEADER, seedPlacements, timeRows } from './csv-data.ts';
import { rowHash } from './engine-data.ts';

/**
 * One measured pass of the CSV scenario on PostgreSQL, in its own process and its own fresh schema
 * (dropped after). Sides:
 * - generate: the time-entry file, as billing writes it (once per size, kept in the cache folder);
 * - raw: csv-parse (arrays) of the file, each row keyed and hashed as the upsert baselines do, and
 *   multi-row INSERTs through `pg` (1,000 rows a statement, 10,000 a transaction) into one plain
 *   table, streamed as parsed;
 * - import: `importCsv` of the file into a PgStore holding the dataset's placements (seeded untimed).
 */
interface Args {
  side: 'generate' | 'raw' | 'import';
  rows: number;
  dir: string;
}

const args = passArgs<Args>();
const SYSTEM = 'bullhorn';
const file = join(args.dir, `time-${args.rows}.csv`);

async function generate(): Promise<void> {
  mkdirSync(args.dir, { recursive: true });
  if (!existsSync(file)) {
    const out = createWriteStream(`${file}.part`);
    out.write(HEADER);
    for (const r of timeRows(args.rows)) if (!out.write(csvLine(r))) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    renameSync(`${file}.part`, file);
  }
  reportPass(0, 0);
}

/** MM/DD/YYYY → YYYY-MM-DD, as the mapping's date transform reads billing's dates. */
function isoDate(us: string): string {
  return `${us.slice(6, 10)}-${us.slice(0, 2)}-${us.slice(3, 5)}`;
}

async function runRaw(schema: string): Promise<void> {
  await adminQuery(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.time_raw (id text PRIMARY KEY, assignment_id text, work_date text,
    regular_hours double precision, overtime_hours double precision, double_time_hours double precision, status text, note text, row_hash text)`);
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    let batch: unknown[][] = [];
    let rows = 0;
    let header = true;
    for await (const record of createReadStream(file).pipe(parse({ relax_column_count: true })) as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      const [placement = '', , date = '', reg = '', ot = '', dt = '', status = '', note = ''] = record;
      const iso = isoDate(date);
      const tuple = [`${placement}|${iso}`, placement, iso, Number(reg), ot === '' ? 0 : Number(ot), dt === '' ? 0 : Number(dt), status.toLowerCase(), note === '' ? null : note];
      batch.push([...tuple, rowHash(tuple)]);
      if (batch.length === 10_000) {
        rows += await insertRows(client, `${schema}.time_raw`, 9, batch);
        batch = [];
      }
    }
    if (batch.length > 0) rows += await insertRows(client, `${schema}.time_raw`, 9, batch);
    const ms = performance.now() - t0;
    if (rows !== args.rows) throw new Error(`raw: inserted ${rows} rows, expected ${args.rows}`);
    reportPass(rows, ms);
  } finally {
    await client.end();
  }
}

async function runImport(schema: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'crosswalk-pgbench-csv-run-'));
  const store = PgStore.open(BENCH_PG_URL, { schema, filesDir: work });
  try {
    await store.ready;
    await seedPlacements(store, args.rows);
    const { registry, errors } = loadMappings(join(import.meta.dirname, '../../mappings'), [{ id: SYSTEM, connector: 'bullhorn' }]);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const engine = new Engine(store, { policy: registry });
    (globalThis as { gc?: () => void }).gc?.();
    const profile = await startProfile();
    const t0 = performance.now();
    const report = await importCsv({ store, engine, mappings: registry, kind: 'time_entries', path: file, tempDir: work, reportErrors: 10 });
    const ms = performance.now() - t0;
    await profile.stop('csv-pg-import');
    if (report.rows.imported !== args.rows) throw new Error(`import: ${report.message}`);
    const stored = (await store.query.value<number>('SELECT count(*) FROM time_entries')) ?? 0;
    if (stored !== args.rows) throw new Error(`import: ${stored} time entries stored, expected ${args.rows}`);
    reportPass(args.rows, ms);
  } finally {
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (args.side === 'generate') {
  await generate();
} else {
  const schema = benchSchemaName('csv');
  try {
    if (args.side === 'raw') await runRaw(schema);
    else await runImport(schema);
  } finally {
    await dropBenchSchema(schema);
  }
}
