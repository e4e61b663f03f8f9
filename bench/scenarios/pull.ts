import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../run.ts';
import { runPass, type PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';
import type { PullArgs } from './pull.pass.ts';
import { vendorPullFigures } from './pull-vendors.ts';

const PASS = new URL('./pull.pass.ts', import.meta.url);

/**
 * A pull benchmark in the reconcile end-to-end style: a full pull of the dataset's Placements from the Bullhorn emulator
 * through the hub (connector → mapping → merge engine → SQLite, inline queue), against a bare
 * fetch loop paging the same listing with the same page size, both under the same vendor rate
 * limit, in the same run. Parents of Placement (clients … candidates) are pulled into a template
 * database first (untimed), so the timed pull resolves every reference as production does.
 *
 * The vendor limit: Bullhorn documents 1,500 calls a minute in fixed windows. The emulator runs
 * in its own process with its clock {@link CLOCK}× fast, so its one-minute window lasts 3 s and a
 * run spans many windows in a short time; the limit is {@link PER_WINDOW} calls a window, i.e.
 * 5 calls a second. That is below Bullhorn's 25 a second on purpose: a first-time pull of 500
 * records a page is bound by the merge engine at about 9–10 pages a second on the reference box
 * (the `unthrottled` figure says so each run), and the point here is whether the hub, given a
 * vendor that is the bottleneck, uses all of its budget. The hub's client limiter is set to the
 * same limit, as it is to the documented one in production. `--quick` lowers it to 5 a window so
 * its few pages still span several windows.
 *
 * Passes run in fresh processes: bare then hub, three pairs at ×100 (medians); at ×25 one hub pass
 * under the limit (the memory comparison) and one without it (the hub's own ceiling).
 */

const CLOCK = 20;
const WINDOW_MS = 60_000 / CLOCK;
const PER_WINDOW = 15;
const PAGE_SIZE = 500;

export const scenario: Scenario = {
  name: 'pull',
  description: `full pull of Placements, hub vs bare fetch loop under one vendor limit (emulator clock ${CLOCK}× fast), ${PAGE_SIZE} a page`,
  async run({ quick }) {
    const small = quick ? 2 : 25;
    const large = quick ? 8 : 100;
    const pairs = quick ? 1 : 3;
    // A quick run has few pages: a lower limit still spreads them over several windows.
    const perWindow = quick ? 5 : PER_WINDOW;
    const limit = { requests: perWindow, windowMs: WINDOW_MS };
    const figures: Figure[] = [];

    const smallRuns = await withEmulator(small, perWindow, async (emu, base) => {
      const unthrottled = await runPass(PASS, { ...base, side: 'hub', limit: null });
      const hub = await emu.limited('hub', () => runPass(PASS, { ...base, side: 'hub', limit }));
      return { unthrottled, hub };
    });
    const largeRuns = await withEmulator(large, perWindow, async (emu, base) => {
      const bares: PassResult[] = [];
      const hubs: PassResult[] = [];
      for (let i = 0; i < pairs; i++) {
        bares.push(await emu.limited('bare', () => runPass(PASS, { ...base, side: 'bare', limit })));
        hubs.push(await emu.limited('hub', () => runPass(PASS, { ...base, side: 'hub', limit })));
      }
      return { bares, hubs, rateLimited: emu.rateLimited };
    });

    const reqRate = (p: PassResult, key: 'pages' | 'requests') => ((p.extra?.[key] ?? Number.NaN) / p.ms) * 1000;
    const bareRates = largeRuns.bares.map((p) => reqRate(p, 'pages'));
    const hubRates = largeRuns.hubs.map((p) => reqRate(p, 'requests'));
    const ratios = hubRates.map((h, i) => h / (bareRates[i] ?? Number.NaN));
    const x = (scale: number) => `x${scale}`;
    figures.push(
      { name: 'pull.vendor_limit_req_per_s', value: (perWindow / WINDOW_MS) * 1000, gate: false },
      { name: `pull.${x(large)}.placements`, value: largeRuns.hubs[0]?.rows ?? 0, gate: false },
      { name: `pull.${x(large)}.bare_req_per_s`, value: median(bareRates), gate: false },
      { name: `pull.${x(large)}.hub_req_per_s`, value: median(hubRates), gate: false },
      { name: `pull.${x(large)}.req_rate_ratio`, value: median(ratios), target: { op: '>=', value: 0.9 } },
      { name: `pull.${x(large)}.hub_records_per_s`, value: Math.round(median(largeRuns.hubs.map((p) => p.rate))), gate: false },
      // What the vendor refused, counted by the emulator: the hub's limiter should leave it nothing to refuse.
      { name: `pull.${x(large)}.hub_429s`, value: largeRuns.rateLimited.hub, target: { op: '<=', value: 0 } },
      { name: `pull.${x(large)}.bare_429s`, value: largeRuns.rateLimited.bare, gate: false },
      { name: `pull.${x(small)}.hub_peak_rss_mb`, value: Math.round(smallRuns.hub.maxRssMb), gate: false },
      { name: `pull.${x(large)}.hub_peak_rss_mb`, value: Math.round(Math.max(...largeRuns.hubs.map((p) => p.maxRssMb))), gate: false },
      {
        name: `pull.rss_growth_${x(small)}_to_${x(large)}`,
        value: Math.max(...largeRuns.hubs.map((p) => p.maxRssMb)) / smallRuns.hub.maxRssMb,
        // The dataset grows 4×; a pull that streams pages must not.
        target: { op: '<=', value: 1.5 },
      },
      { name: `pull.${x(small)}.hub_unthrottled_req_per_s`, value: reqRate(smallRuns.unthrottled, 'requests'), gate: false },
      { name: `pull.${x(small)}.hub_unthrottled_records_per_s`, value: Math.round(smallRuns.unthrottled.rate), gate: false },
      { name: 'pull.documented_limit_req_per_s', value: 25, gate: false },
    );
    for (const vendor of ['greenhouse', 'adp'] as const) figures.push(...(await vendorPullFigures(vendor, { small, large })));
    return figures;
  },
};

interface EmulatorChild {
  /** Runs a pass with the vendor limit on and its window restarted, then lifts the limit. */
  limited(side: 'bare' | 'hub', pass: () => Promise<PassResult>): Promise<PassResult>;
  /** 429s the emulator answered, per side, summed over the passes. */
  readonly rateLimited: { bare: number; hub: number };
}

/** Starts the emulator process for one scale, seeds the template database, runs `body`, stops it. */
async function withEmulator<T>(
  scale: number,
  perWindow: number,
  body: (emu: EmulatorChild, base: Omit<PullArgs, 'side' | 'limit'>) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-pull-'));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(PASS), JSON.stringify({ side: 'emulator', scale, clock: CLOCK })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const hello = JSON.parse(await nextLine(lines, child)) as { baseUrl: string };
    const command = async (cmd: object): Promise<{ requests: number; rateLimited: number }> => {
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      return JSON.parse(await nextLine(lines, child)) as { requests: number; rateLimited: number };
    };
    const base = { scale, baseUrl: hello.baseUrl, template: join(dir, 'template.sqlite'), pageSize: PAGE_SIZE, clock: CLOCK };
    await runPass(PASS, { ...base, side: 'seed', limit: null });
    const rateLimited = { bare: 0, hub: 0 };
    const emu: EmulatorChild = {
      rateLimited,
      async limited(side, pass) {
        const before = await command({ cmd: 'limit', perMinute: perWindow });
        const result = await pass();
        const after = await command({ cmd: 'limit', perMinute: 1_000_000_000 });
        rateLimited[side] += after.rateLimited - before.rateLimited;
        return result;
      },
    };
    return await body(emu, base);
  } finally {
    child.stdin.end(`${JSON.stringify({ cmd: 'close' })}\n`);
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function nextLine(lines: AsyncIterator<string>, child: ChildProcess): Promise<string> {
  const next = await lines.next();
  if (next.done === true) throw new Error(`bullhorn emulator process ended (exit ${String(child.exitCode)})`);
  return next.value;
}
