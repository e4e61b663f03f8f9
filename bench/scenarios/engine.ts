import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';

const PASS = new URL('./engine.pass.ts', import.meta.url);

/**
 * Issue 2's benchmark: first apply of 100,000 assignments against a raw single-table insert, and
 * a re-apply of the same unchanged batch against a raw hash-guarded upsert, in A/B/A/B order after
 * a warm-up of each, medians of three pairs; every pass in a fresh process and a fresh file. The
 * store floor (same rows pre-built, written through the repositories alone) is printed beside them.
 */
export const scenario: Scenario = {
  name: 'engine',
  description: 'merge engine apply vs raw better-sqlite3 on the same generated assignments',
  async run({ quick }) {
    const rows = quick ? 20_000 : 100_000;
    const batch = 2_000;
    const pairs = 3;
    const pairsOf = async (raw: 'raw-insert' | 'raw-upsert', hub: 'hub-apply' | 'hub-reapply') => {
      await runPass(PASS, { side: raw, rows: Math.min(rows, 10_000), batch });
      await runPass(PASS, { side: hub, rows: Math.min(rows, 10_000), batch });
      const raws: PassResult[] = [];
      const hubs: PassResult[] = [];
      for (let i = 0; i < pairs; i++) {
        raws.push(await runPass(PASS, { side: raw, rows, batch }));
        hubs.push(await runPass(PASS, { side: hub, rows, batch }));
      }
      return { raws, hubs, ratios: hubs.map((h, i) => h.rate / (raws[i]?.rate ?? Number.NaN)) };
    };
    const first = await pairsOf('raw-insert', 'hub-apply');
    // Not a gate: the same writes through the store alone, to show what the schema costs before the engine.
    const floor: PassResult[] = [];
    for (let i = 0; i < pairs; i++) floor.push(await runPass(PASS, { side: 'store-floor', rows, batch }));
    const floorRate = median(floor.map((r) => r.rate));
    const again = await pairsOf('raw-upsert', 'hub-reapply');
    const figures: Figure[] = [
      { name: 'engine.first_apply.raw_insert_rows_per_s', value: Math.round(median(first.raws.map((r) => r.rate))), gate: false },
      { name: 'engine.first_apply.hub_rows_per_s', value: Math.round(median(first.hubs.map((r) => r.rate))), gate: false },
      { name: 'engine.first_apply.ratio', value: median(first.ratios), target: { op: '>=', value: 0.25 } },
      { name: 'engine.first_apply.store_floor_rows_per_s', value: Math.round(floorRate), gate: false },
      { name: 'engine.first_apply.store_floor_ratio', value: floorRate / median(first.raws.map((r) => r.rate)), gate: false },
      { name: 'engine.first_apply.hub_vs_store_floor', value: median(first.hubs.map((r) => r.rate)) / floorRate, gate: false },
      { name: 'engine.reapply.raw_upsert_rows_per_s', value: Math.round(median(again.raws.map((r) => r.rate))), gate: false },
      { name: 'engine.reapply.hub_rows_per_s', value: Math.round(median(again.hubs.map((r) => r.rate))), gate: false },
      { name: 'engine.reapply.ratio', value: median(again.ratios), target: { op: '>=', value: 0.5 } },
      { name: 'engine.reapply.ledger_rows_added', value: Math.max(...again.hubs.map((h) => h.extra?.['ledgerRowsAdded'] ?? 0)), target: { op: '<=', value: 0 } },
      { name: 'engine.first_apply.hub_peak_rss_mb', value: Math.round(Math.max(...first.hubs.map((h) => h.maxRssMb))), gate: false },
      { name: 'engine.first_apply.raw_peak_rss_mb', value: Math.round(Math.max(...first.raws.map((h) => h.maxRssMb))), gate: false },
      { name: 'engine.reapply.hub_peak_rss_mb', value: Math.round(Math.max(...again.hubs.map((h) => h.maxRssMb))), gate: false },
    ];
    return figures;
  },
};
