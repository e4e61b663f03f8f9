import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';

const PASS = new URL('./invoice.pass.ts', import.meta.url);

/**
 * Issue 13's benchmark: drafting the invoices of 100,000 approved time entries (40 clients, lines
 * per assignment × rate period × hour type, links to every entry, ledger rows) against one raw SQL
 * aggregate of the same hours × the rate in effect, in A/B order after a small warm-up of each,
 * medians of three pairs; every pass in a fresh process and a fresh file. Both sides must agree on
 * the total to the cent.
 */
export const scenario: Scenario = {
  name: 'invoice',
  description: 'drafting invoices from approved time vs a raw SQL aggregate of hours × effective bill rate',
  async run({ quick }) {
    const entries = quick ? 20_000 : 100_000;
    const clients = 40;
    const pairs = 3;
    await runPass(PASS, { side: 'raw', entries: 5_000, clients });
    await runPass(PASS, { side: 'hub', entries: 5_000, clients });
    const raws: PassResult[] = [];
    const hubs: PassResult[] = [];
    for (let i = 0; i < pairs; i++) {
      raws.push(await runPass(PASS, { side: 'raw', entries, clients }));
      hubs.push(await runPass(PASS, { side: 'hub', entries, clients }));
    }
    const ratios = hubs.map((h, i) => h.rate / (raws[i]?.rate ?? Number.NaN));
    const disagree = hubs.filter((h, i) => h.extra?.['totalCents'] !== raws[i]?.extra?.['totalCents']).length;
    const figures: Figure[] = [
      { name: 'invoice.raw_aggregate_entries_per_s', value: Math.round(median(raws.map((r) => r.rate))), gate: false },
      { name: 'invoice.hub_draft_entries_per_s', value: Math.round(median(hubs.map((r) => r.rate))), gate: false },
      { name: 'invoice.hub_draft_ms', value: Math.round(median(hubs.map((r) => r.ms))), gate: false },
      { name: 'invoice.lines', value: hubs[0]?.extra?.['lines'] ?? 0, gate: false },
      { name: 'invoice.ratio', value: median(ratios), target: { op: '>=', value: 0.3 } },
      { name: 'invoice.totals_disagreeing', value: disagree, target: { op: '<=', value: 0 } },
      { name: 'invoice.hub_peak_rss_mb', value: Math.round(Math.max(...hubs.map((h) => h.maxRssMb))), target: { op: '<=', value: 300 } },
      { name: 'invoice.raw_peak_rss_mb', value: Math.round(Math.max(...raws.map((h) => h.maxRssMb))), gate: false },
    ];
    return figures;
  },
};
