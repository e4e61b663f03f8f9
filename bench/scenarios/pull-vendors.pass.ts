import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GuardRegistry } from '../../connectors/kit/index.ts';
import { startAdpEmulator } from '../../fixtures/adp/index.ts';
import { generateDataset } from '../../fixtures/dataset/index.ts';
import { westWorkers } from '../../fixtures/dataset/legal-entities.ts';
import { startGreenhouseEmulator } from '../../fixtures/greenhouse/index.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/hub.ts';
import { newId } from '../../src/lib/ids.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * The ADP and Greenhouse processes of the pull scenario (see pull.ts), one side per process:
 * - emulator: the vendor's emulator seeded at `scale` (ADP: the West entity's workers, as the
 *   demo's config has it), enforcing the vendor's limit in windows of `limit.windowMs`; prints its
 *   address and credentials, then answers `stats` and `close` on stdin;
 * - hub: a fresh hub with only that system, `sync.pull` of the entity through connector, mapping,
 *   merge engine and SQLite on the inline queue, its client limiter set to the same limit.
 */

export type Vendor = 'adp' | 'greenhouse';

export interface VendorPullArgs {
  readonly side: 'emulator' | 'hub';
  readonly vendor: Vendor;
  readonly scale: number;
  /** The vendor's limit: requests per window of `windowMs` real milliseconds. */
  readonly limit: { readonly requests: number; readonly windowMs: number };
  readonly baseUrl?: string;
  /** The connector's credentials as environment variables (the emulator prints them). */
  readonly env?: Readonly<Record<string, string>>;
}

export const ENTITY: Readonly<Record<Vendor, string>> = { adp: 'workers', greenhouse: 'candidates' };
const MAPPINGS = (vendor: Vendor) => fileURLToPath(new URL(`../../mappings/${vendor}/`, import.meta.url));

const args = passArgs<VendorPullArgs>();
if (args.side === 'emulator') await runEmulator();
else await runHub();

async function runEmulator(): Promise<void> {
  const dataset = generateDataset({ scale: args.scale });
  let hello: { baseUrl: string; env: Record<string, string>; records: number };
  let stats: () => { requests: number; rateLimited: number };
  let close: () => Promise<void>;
  if (args.vendor === 'adp') {
    const adp = await startAdpEmulator({ dataset, onlyCandidates: westWorkers(dataset), rateLimit: args.limit });
    const c = adp.credentials;
    hello = {
      baseUrl: adp.baseUrl, records: adp.control.workers().length,
      env: {
        CROSSWALK_ADP_CLIENT_ID: c['clientId'] ?? '', CROSSWALK_ADP_CLIENT_SECRET: c['clientSecret'] ?? '', CROSSWALK_ADP_CERTIFICATE: c['certificate'] ?? '',
        CROSSWALK_ADP_PRIVATE_KEY: c['privateKey'] ?? '', CROSSWALK_ADP_CA_CERTIFICATE: c['caCertificate'] ?? '', CROSSWALK_ADP_TOKEN_URL: c['tokenUrl'] ?? '',
      },
    };
    stats = () => ({ requests: adp.control.stats.requests, rateLimited: adp.control.stats.rateLimited });
    close = () => adp.close();
  } else {
    // The emulator's clock runs windowMs/10 s faster, so its documented 10-second window lasts `limit.windowMs`.
    const start = Date.now();
    const clock = 10_000 / args.limit.windowMs;
    const gh = await startGreenhouseEmulator({ dataset, rateLimit: args.limit.requests, now: () => start + (Date.now() - start) * clock });
    hello = { baseUrl: gh.baseUrl, records: gh.control.records('candidates').length, env: { CROSSWALK_GREENHOUSE_API_KEY: gh.credentials.apiKey } };
    stats = () => {
      let requests = 0;
      for (const n of gh.control.served.values()) requests += n;
      return { requests, rateLimited: 0 };
    };
    close = () => gh.close();
  }
  process.stdout.write(`${JSON.stringify(hello)}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as { cmd: 'stats' | 'close' };
    if (command.cmd === 'close') break;
    process.stdout.write(`${JSON.stringify(stats())}\n`);
  }
  await close();
  process.exit(0);
}

async function runHub(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `crosswalk-bench-pull-${args.vendor}-`));
  cpSync(MAPPINGS(args.vendor), join(dir, 'mappings', args.vendor), { recursive: true });
  const parsed = CrosswalkConfig.parse({
    database: join(dir, 'hub.sqlite'),
    mappings: join(dir, 'mappings'),
    queue: { driver: 'inline' },
    systems: [{
      id: args.vendor, connector: args.vendor, kind: args.vendor === 'adp' ? 'payroll' : 'ats', baseUrl: args.baseUrl,
      rateLimit: { requests: args.limit.requests, perMs: args.limit.windowMs },
    }],
  });
  const config: LoadedConfig = { ...parsed, queue: { ...parsed.queue, driver: 'inline' }, source: '(bench)', root: dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
  const hub = new Hub(config, { env: args.env ?? {}, logger: silentLogger(), http: { guards: new GuardRegistry(), rateLimit: args.limit } });
  try {
    await hub.work();
    const connector = hub.connector(args.vendor);
    const before = connector.requestStats?.();
    const t0 = performance.now();
    await hub.queue().enqueue('sync.pull', { system: args.vendor, entity: ENTITY[args.vendor], full: true, then: [] }, { jobId: `pull:bench:${newId()}` });
    await hub.queue().drain({ timeoutMs: 3_600_000 });
    const ms = performance.now() - t0;
    const after = connector.requestStats?.();
    const run = (await hub.store().repos.runs.list({ kind: 'pull', system: args.vendor, limit: 10 }))[0];
    if (run?.status !== 'succeeded') throw new Error(`${args.vendor} pull did not succeed: ${JSON.stringify([run?.status, run?.error, run?.counts])}`);
    reportPass(run.counts['pulled'] ?? 0, ms, {
      requests: (after?.requests ?? 0) - (before?.requests ?? 0),
      rateLimited: (after?.rateLimited ?? 0) - (before?.rateLimited ?? 0),
    });
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
