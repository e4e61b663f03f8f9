import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runPass, type PassResult } from '../lib/child.ts';
import type { Figure } from '../lib/figures.ts';
import type { Vendor, VendorPullArgs } from './pull-vendors.pass.ts';

const PASS = new URL('./pull-vendors.pass.ts', import.meta.url);

/**
 * ADP and Greenhouse in the pull scenario: a full pull of ADP workers (the West entity's roster)
 * and of Greenhouse candidates through the hub, against each vendor's ceiling, with the emulator
 * (in its own process) enforcing it and the hub's client limiter set to it, as in production.
 *
 * - Greenhouse documents a limit per 10-second window, 50 in the docs' example (X-RateLimit-Limit):
 *   5 requests a second, 500 candidates a second at the connector's 100 a page. The emulator's
 *   clock runs at {@link GREENHOUSE_CLOCK}× (real time): a first run at 4× (20 a second) found the
 *   hub's merge engine, not the vendor, the bottleneck (about 800 new candidates a second at ×100),
 *   which says nothing about whether the hub uses the vendor's budget. A ×100 pull takes ~6.5 min.
 * - ADP publishes no limit; the connector budgets a guessed 10 requests a second (its manifest,
 *   `documented: false`), and that is the ceiling measured here, the emulator enforcing it in
 *   one-second windows (`$top` 100).
 * The figure that gates is the hub's request rate over the ceiling (≥ 0.9) and its peak RSS from
 * ×small to ×large (≤ 1.5: the dataset grows 4×, a streaming pull must not).
 */

const GREENHOUSE_CLOCK = 1;
const LIMITS: Readonly<Record<Vendor, { requests: number; windowMs: number }>> = {
  greenhouse: { requests: 50, windowMs: 10_000 / GREENHOUSE_CLOCK },
  adp: { requests: 10, windowMs: 1_000 },
};

export async function vendorPullFigures(vendor: Vendor, scales: { small: number; large: number }): Promise<Figure[]> {
  const limit = LIMITS[vendor];
  const ceiling = (limit.requests / limit.windowMs) * 1000;
  const small = await pullOnce(vendor, scales.small, limit);
  const large = await pullOnce(vendor, scales.large, limit);
  const reqRate = (p: PassResult) => ((p.extra?.['requests'] ?? Number.NaN) / p.ms) * 1000;
  const x = (scale: number) => `x${scale}`;
  return [
    { name: `pull.${vendor}.ceiling_req_per_s`, value: ceiling, gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.records`, value: large.pass.rows, gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.hub_req_per_s`, value: reqRate(large.pass), gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.req_rate_vs_ceiling`, value: reqRate(large.pass) / ceiling, target: { op: '>=', value: 0.9 } },
    { name: `pull.${vendor}.${x(scales.small)}.req_rate_vs_ceiling`, value: reqRate(small.pass) / ceiling, gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.hub_records_per_s`, value: Math.round(large.pass.rate), gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.vendor_429s`, value: large.rateLimited, target: { op: '<=', value: 0 } },
    { name: `pull.${vendor}.${x(scales.small)}.hub_peak_rss_mb`, value: Math.round(small.pass.maxRssMb), gate: false },
    { name: `pull.${vendor}.${x(scales.large)}.hub_peak_rss_mb`, value: Math.round(large.pass.maxRssMb), gate: false },
    { name: `pull.${vendor}.rss_growth_${x(scales.small)}_to_${x(scales.large)}`, value: large.pass.maxRssMb / small.pass.maxRssMb, target: { op: '<=', value: 1.5 } },
  ];
}

/** Starts the vendor's emulator process at `scale`, runs one hub pass against it, stops it. */
async function pullOnce(vendor: Vendor, scale: number, limit: VendorPullArgs['limit']): Promise<{ pass: PassResult; rateLimited: number }> {
  const emulatorArgs: VendorPullArgs = { side: 'emulator', vendor, scale, limit };
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(PASS), JSON.stringify(emulatorArgs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const hello = JSON.parse(await nextLine(lines, child)) as { baseUrl: string; env: Record<string, string> };
    const stats = async () => {
      child.stdin.write(`${JSON.stringify({ cmd: 'stats' })}\n`);
      return JSON.parse(await nextLine(lines, child)) as { requests: number; rateLimited: number };
    };
    const before = await stats();
    const pass = await runPass(PASS, { side: 'hub', vendor, scale, limit, baseUrl: hello.baseUrl, env: hello.env } satisfies VendorPullArgs);
    const after = await stats();
    // The 429s the emulator counted (ADP) or the hub's client saw (Greenhouse counts none itself): the larger.
    return { pass, rateLimited: Math.max(after.rateLimited - before.rateLimited, pass.extra?.['rateLimited'] ?? 0) };
  } finally {
    child.stdin.end(`${JSON.stringify({ cmd: 'close' })}\n`);
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }
}

async function nextLine(lines: AsyncIterator<string>, child: ChildProcess): Promise<string> {
  const next = await lines.next();
  if (next.done === true) throw new Error(`vendor emulator process ended (exit ${String(child.exitCode)})`);
  return next.value;
}
