import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectorFor } from '../../connectors/index.ts';
import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';

const PASS = new URL('./reconcile.pass.ts', import.meta.url);

/**
 * Issue 5's benchmark: the local compare and the end-to-end listing rate.
 *
 * Local compare: 1,000,000 links against 1,000,000 staged source hashes with 0.5 % drift
 * (adds, changes, deletes), built once (untimed); then the reconciliation's compare + classify
 * against a raw SQL diff of two hash tables, each pass in a fresh process on a fresh copy of the
 * file, A/B/A/B after a warm-up of each, medians of three pairs. Gates: hub time ≤ 5× raw time,
 * hub peak RSS ≤ 300 MB.
 *
 * End to end: against the Bullhorn emulator, every client-side limiter at 20 requests/s
 * and pages of 500, a reconcile run of a hub that already holds every candidate (no drift) vs a
 * bare `pullPage` loop over the same endpoint; fresh process, emulator and store per pass, A/B/A/B
 * after a warm-up of each, medians of three pairs. Gate: the hub's listing records/s ≥ 0.9× the
 * loop's; the whole run's rate (compare, finish and purge included) is printed beside it.
 */
export const scenario: Scenario = {
  name: 'reconcile',
  description: 'reconciliation compare vs a raw SQL hash diff; listing rate vs a bare paging loop',
  async run({ quick }) {
    const rows = quick ? 200_000 : 1_000_000;
    const drift = 0.005;
    const pairs = 3;
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-reconcile-'));
    const base = join(dir, 'compare');
    try {
      const built = await runPass(PASS, { side: 'build', base, rows, drift });
      const pass = (side: 'raw' | 'hub') => runPass(PASS, { side, base, rows, drift });
      await pass('raw');
      await pass('hub');
      const raws: PassResult[] = [];
      const hubs: PassResult[] = [];
      for (let i = 0; i < pairs; i++) {
        raws.push(await pass('raw'));
        hubs.push(await pass('hub'));
      }
      const expected = built.extra ?? {};
      for (const h of hubs) {
        const e = h.extra ?? {};
        if (e['added'] !== expected['added'] || e['changed'] !== expected['changed'] || e['missing'] !== expected['deleted']) {
          throw new Error(`hub compare classified ${JSON.stringify(e)}, the drift built was ${JSON.stringify(expected)}`);
        }
      }
      const figures: Figure[] = [
        { name: 'reconcile.compare.rows', value: rows, gate: false },
        { name: 'reconcile.compare.drift_rows', value: (expected['added'] ?? 0) + (expected['changed'] ?? 0) + (expected['deleted'] ?? 0), gate: false },
        { name: 'reconcile.compare.raw_ms', value: Math.round(median(raws.map((r) => r.ms))), gate: false },
        { name: 'reconcile.compare.hub_ms', value: Math.round(median(hubs.map((r) => r.ms))), gate: false },
        { name: 'reconcile.compare.ratio_hub_over_raw', value: median(hubs.map((h, i) => h.ms / (raws[i]?.ms ?? Number.NaN))), target: { op: '<=', value: 5 } },
        { name: 'reconcile.compare.hub_peak_rss_mb', value: Math.round(Math.max(...hubs.map((h) => h.maxRssMb))), target: { op: '<=', value: 300 } },
        { name: 'reconcile.compare.raw_peak_rss_mb', value: Math.round(Math.max(...raws.map((h) => h.maxRssMb))), gate: false },
      ];
      if (!connectorFor('bullhorn')) {
        process.stdout.write('reconcile.e2e skipped: connectors/index.ts does not register a bullhorn connector (end to end not measured)\n');
        return figures;
      }
      return [...figures, ...(await endToEnd(quick, pairs))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function endToEnd(quick: boolean, pairs: number): Promise<Figure[]> {
  const args = { scale: quick ? 10 : 25, rps: 20 };
  const pass = (side: 'e2e-loop' | 'e2e-hub') => runPass(PASS, { side, ...args });
  await pass('e2e-loop');
  await pass('e2e-hub');
  const loops: PassResult[] = [];
  const hubs: PassResult[] = [];
  for (let i = 0; i < pairs; i++) {
    loops.push(await pass('e2e-loop'));
    hubs.push(await pass('e2e-hub'));
  }
  return [
    { name: 'reconcile.e2e.records', value: hubs[0]?.rows ?? 0, gate: false },
    { name: 'reconcile.e2e.rate_limit_rps', value: args.rps, gate: false },
    { name: 'reconcile.e2e.loop_records_per_s', value: Math.round(median(loops.map((r) => r.rate))), gate: false },
    { name: 'reconcile.e2e.hub_records_per_s', value: Math.round(median(hubs.map((r) => r.rate))), gate: false },
    { name: 'reconcile.e2e.ratio_hub_over_loop', value: median(hubs.map((h, i) => h.rate / (loops[i]?.rate ?? Number.NaN))), target: { op: '>=', value: 0.9 } },
    {
      name: 'reconcile.e2e.hub_whole_run_records_per_s',
      value: Math.round(median(hubs.map((h) => h.rows / ((h.extra?.['wholeRunMs'] ?? Number.NaN) / 1000)))),
      gate: false,
    },
    { name: 'reconcile.e2e.hub_requests', value: Math.round(median(hubs.map((h) => h.extra?.['requests'] ?? 0))), gate: false },
    { name: 'reconcile.e2e.loop_requests', value: Math.round(median(loops.map((h) => h.extra?.['requests'] ?? 0))), gate: false },
  ];
}

