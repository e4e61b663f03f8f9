import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';

const PASS = new URL('./csv.pass.ts', import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every file under these paths, hashed: what the cached files and store templates were made from. */
export function sourcesKey(paths: readonly string[]): string {
  const hash = createHash('sha1');
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
    else hash.update(p).update(readFileSync(p));
  };
  for (const p of paths) walk(join(ROOT, p));
  return hash.digest('hex').slice(0, 12);
}

/**
 * The folder of generated files and templates, named after what made them: a new migration, mapping,
 * generator or hash rule makes a new folder (and the stale ones are removed).
 */
function cacheDir(): string {
  const key = sourcesKey(['src/store/migrations', 'mappings/csv', 'fixtures/dataset', 'src/engine/hash.ts', 'bench/scenarios/csv.pass.ts', 'bench/scenarios/csv-data.ts']);
  const name = `crosswalk-bench-csv-${key}`;
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith('crosswalk-bench-csv') && entry !== name && !entry.startsWith('crosswalk-bench-csv-run')) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  return join(tmpdir(), name);
}

type Side = 'parse' | 'import' | 'upsert' | 'reimport' | 'scan' | 'export';

/**
 * Issue 6's benchmark on one generated time-entry file, as billing writes it: CSV import
 * against csv-parse alone (arrays), its peak RSS and how it grows with a 10× larger file,
 * re-import of the same rows shuffled into another file against a raw hash-guarded upsert, and
 * export against a raw table scan piped to csv-stringify. Raw and hub passes run A/B/A/B after a
 * warm-up of each, every pass in a fresh process on a fresh copy of the store; medians of three
 * pairs. Files and store templates are made once per size (untimed) and kept in the temp folder.
 */
export const scenario: Scenario = {
  name: 'csv',
  description: 'CSV import, re-import and export vs csv-parse, a hash-guarded upsert and a raw scan on the same generated time entries',
  async run({ quick }) {
    const rows = quick ? 20_000 : 1_000_000;
    const small = rows / 10;
    const warm = Math.min(small, 10_000);
    const dir = cacheDir();
    for (const n of new Set([warm, small, rows])) await runPass(PASS, { side: 'generate', rows: n, dir });
    const pass = (side: Side, n: number) => runPass(PASS, { side, rows: n, dir });
    const pairs = async (raw: Side, hub: Side) => {
      await pass(raw, warm);
      await pass(hub, warm);
      const raws: PassResult[] = [];
      const hubs: PassResult[] = [];
      for (let i = 0; i < 3; i++) {
        raws.push(await pass(raw, rows));
        hubs.push(await pass(hub, rows));
      }
      return { raws, hubs, ratio: median(hubs.map((h, i) => h.rate / (raws[i]?.rate ?? Number.NaN))) };
    };
    const rate = (results: readonly PassResult[]) => Math.round(median(results.map((r) => r.rate)));
    const peak = (results: readonly PassResult[]) => Math.round(Math.max(...results.map((r) => r.maxRssMb)));
    const extra = (results: readonly PassResult[], key: string) => Math.max(...results.map((r) => r.extra?.[key] ?? 0));

    const g1 = await pairs('parse', 'import');
    const smaller = await pass('import', small);
    const g3 = await pairs('upsert', 'reimport');
    const g4 = await pairs('scan', 'export');
    const importPeak = Math.max(...g1.hubs.map((h) => h.maxRssMb));
    const figures: Figure[] = [
      { name: 'csv.rows', value: rows, gate: false },
      { name: 'csv.parse.rows_per_s', value: rate(g1.raws), gate: false },
      { name: 'csv.import.rows_per_s', value: rate(g1.hubs), gate: false },
      { name: 'csv.import.ratio', value: g1.ratio, target: { op: '>=', value: 0.25 } },
      { name: 'csv.parse.peak_rss_mb', value: peak(g1.raws), gate: false },
      { name: 'csv.import.peak_rss_mb', value: Math.round(importPeak), target: { op: '<=', value: 300 } },
      { name: 'csv.import.peak_rss_ratio_to_parse', value: importPeak / Math.max(...g1.raws.map((r) => r.maxRssMb)), target: { op: '<=', value: 2.5 }, gate: false },
      { name: `csv.import.peak_rss_mb_at_${small}_rows`, value: Math.round(smaller.maxRssMb), gate: false },
      { name: 'csv.import.peak_rss_growth_10x', value: (importPeak - smaller.maxRssMb) / smaller.maxRssMb, target: { op: '<=', value: 0.1 } },
      { name: 'csv.upsert.rows_per_s', value: rate(g3.raws), gate: false },
      { name: 'csv.reimport.rows_per_s', value: rate(g3.hubs), gate: false },
      { name: 'csv.reimport.ratio', value: g3.ratio, target: { op: '>=', value: 0.7 } },
      { name: 'csv.reimport.writes', value: extra(g3.hubs, 'ledgerRowsAdded') + extra(g3.hubs, 'revisionsAdded') + extra(g3.hubs, 'linksTouched'), target: { op: '<=', value: 0 } },
      { name: 'csv.reimport.peak_rss_mb', value: peak(g3.hubs), gate: false },
      { name: 'csv.scan.rows_per_s', value: rate(g4.raws), gate: false },
      { name: 'csv.export.rows_per_s', value: rate(g4.hubs), gate: false },
      { name: 'csv.export.ratio', value: g4.ratio, target: { op: '>=', value: 0.6 } },
      { name: 'csv.export.peak_rss_mb', value: peak(g4.hubs), target: { op: '<=', value: 200 }, gate: false },
    ];
    return figures;
  },
};
