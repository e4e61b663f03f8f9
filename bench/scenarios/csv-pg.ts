import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';
import { sourcesKey } from './csv.ts';

const PASS = new URL('./csv-pg.pass.ts', import.meta.url);

/** The generated files, in a folder named after what made them (stale ones removed; not the SQLite scenario's). */
function cacheDir(): string {
  const name = `crosswalk-pgbench-csv-${sourcesKey(['fixtures/dataset', 'bench/scenarios/csv-data.ts'])}`;
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith('crosswalk-pgbench-csv-') && entry !== name && !entry.startsWith('crosswalk-pgbench-csv-run')) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  return join(tmpdir(), name);
}

/**
 * Issue 16's CSV benchmark: the `csv` scenario's first import of one generated time-entry file,
 * with the store on PostgreSQL, against its raw baseline on the same server — the file parsed
 * with csv-parse and its rows written by multi-row INSERTs through `pg` into one plain table
 * (keyed and hashed per row, as the SQLite upsert baseline does). Raw and hub passes run A/B/A/B
 * after a warm-up of each, medians of three pairs, every pass in a fresh process and a fresh
 * schema (dropped after); the placements the import resolves are seeded untimed. 200,000 rows
 * (SQLite's scenario uses 1,000,000: each PostgreSQL pass also seeds and drops its schema).
 */
export const scenario: Scenario = {
  name: 'csv-pg',
  description: 'CSV import of time entries into a PgStore vs csv-parse + multi-row INSERT through pg of the same rows',
  async run({ quick }) {
    const rows = quick ? 20_000 : 200_000;
    const warm = Math.min(rows, 10_000);
    const dir = cacheDir();
    for (const n of new Set([warm, rows])) await runPass(PASS, { side: 'generate', rows: n, dir });
    const pass = (side: 'raw' | 'import', n: number) => runPass(PASS, { side, rows: n, dir });
    await pass('raw', warm);
    await pass('import', warm);
    const raws: PassResult[] = [];
    const hubs: PassResult[] = [];
    for (let i = 0; i < 3; i++) {
      raws.push(await pass('raw', rows));
      hubs.push(await pass('import', rows));
    }
    const rate = (results: readonly PassResult[]) => Math.round(median(results.map((r) => r.rate)));
    const figures: Figure[] = [
      { name: 'csv_pg.rows', value: rows, gate: false },
      { name: 'csv_pg.raw_insert.rows_per_s', value: rate(raws), gate: false },
      { name: 'csv_pg.import.rows_per_s', value: rate(hubs), gate: false },
      { name: 'csv_pg.import.ratio', value: median(hubs.map((h, i) => h.rate / (raws[i]?.rate ?? Number.NaN))), target: { op: '>=', value: 0.25 } },
      { name: 'csv_pg.import.peak_rss_mb', value: Math.round(Math.max(...hubs.map((h) => h.maxRssMb))), target: { op: '<=', value: 300 }, gate: false },
      { name: 'csv_pg.raw_insert.peak_rss_mb', value: Math.round(Math.max(...raws.map((h) => h.maxRssMb))), gate: false },
    ];
    return figures;
  },
};
