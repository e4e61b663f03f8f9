import { createHash } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../src/store/index.ts';
import { openDatabase } from '../../src/store/sqlite/database.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HttpOptions, PageCursor } from '../../connectors/kit/index.ts';
import type { LoadedConfig } from '../../src/config/index.ts';
import type { ReconcileReport } from '../../src/reconcile/index.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * One pass of the reconcile scenario, in its own process. Local compare sides:
 * - build: writes `<base>.raw.sqlite` (two hash tables) and `<base>.hub.sqlite` (the hub's `links`
 *   and `reconcile_staging`) with the same ids, hashes and drift; untimed, done once;
 * - raw: on a fresh copy of the raw file, the local compare's baseline: a LEFT JOIN where the hash differs plus
 *   the reverse anti-join, every row read;
 * - hub: on a fresh copy of the hub file, the reconciliation's compare and classification as a run
 *   does it (gate counts, then keyset pages over the diff both ways through ReconcileRepo), without
 *   vendor fetches or engine applies.
 * End-to-end sides `e2e-loop` and `e2e-hub`: see `runEndToEnd` below.
 */
interface CompareArgs {
  side: 'build' | 'raw' | 'hub';
  base: string;
  rows: number;
  /** Drift as a share of rows, split between adds, changes and deletes. */
  drift: number;
}

const passed = passArgs<CompareArgs | EndToEndArgs>();
const SYSTEM = 'bench';
const RUN = 'bench-run';
const NOW = '2026-11-25T00:00:00.000Z';
const PAGE = 200;


/** Ids sort as text in the same order as numbers, as a vendor's would once padded. */
const id = (i: number) => `P${String(i).padStart(9, '0')}`;
const hashOf = (text: string) => createHash('sha1').update(text).digest('base64');

/** Which rows drift: deterministic, spread through the id space. */
function plan(rows: number, drift: number) {
  const each = Math.round((rows * drift) / 3);
  const step = Math.floor(rows / (each * 3));
  const changed = new Set<number>();
  const deleted = new Set<number>();
  for (let k = 0; k < each; k++) {
    changed.add(k * 3 * step);
    deleted.add(k * 3 * step + step);
  }
  // Added rows get ids past the end.
  return { changed, deleted, added: each };
}

const args = passed as CompareArgs;

function build(): void {
  const { changed, deleted, added } = plan(args.rows, args.drift);
  const raw = openDatabase(`${args.base}.raw.sqlite`);
  raw.exec(`CREATE TABLE raw_links (id TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE raw_source (id TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;`);
  const store = SqliteStore.open(`${args.base}.hub.sqlite`);
  const hub = store.db;
  const insRawLink = raw.prepare('INSERT INTO raw_links VALUES (?, ?)');
  const insRawSource = raw.prepare('INSERT INTO raw_source VALUES (?, ?)');
  const insLink = hub.prepare(`INSERT INTO links (system, entity, external_id, canonical_id, state, source_hash, created_at, updated_at)
    VALUES (?, 'client', ?, ?, 'linked', ?, ?, ?)`);
  const insStage = hub.prepare(`INSERT INTO reconcile_staging (run_id, external_id, entity, hash, deleted, page) VALUES (?, ?, 'client', ?, 0, ?)`);
  const total = args.rows + added;
  for (let start = 0; start < total; start += 10_000) {
    raw.transaction(() => {
      hub.transaction(() => {
        for (let i = start; i < Math.min(total, start + 10_000); i++) {
          const key = id(i);
          const known = i < args.rows;
          const base = hashOf(`${key}|v1`);
          const source = changed.has(i) ? hashOf(`${key}|v2`) : base;
          if (known) {
            insRawLink.run(key, base);
            insLink.run(SYSTEM, key, `c-${key}`, base, NOW, NOW);
          }
          if (!deleted.has(i)) {
            insRawSource.run(key, source);
            insStage.run(RUN, key, source, Math.floor(i / 500));
          }
        }
      })();
    })();
  }
  raw.pragma('wal_checkpoint(TRUNCATE)');
  hub.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  store.close();
  reportPass(total, 0, { added, changed: changed.size, deleted: deleted.size });
}

/** A fresh copy of the built file for this pass: no pass sees another's pages in SQLite's own cache. */
function freshCopy(kind: 'raw' | 'hub'): string {
  const path = `${args.base}.${kind}.${process.pid}.sqlite`;
  copyFileSync(`${args.base}.${kind}.sqlite`, path);
  return path;
}

function cleanup(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

function runRaw(): void {
  const path = freshCopy('raw');
  const db = openDatabase(path);
  const t0 = performance.now();
  let differ = 0;
  for (const _row of db.prepare('SELECT s.id FROM raw_source s LEFT JOIN raw_links l ON l.id = s.id WHERE l.hash IS NOT s.hash').raw().iterate()) differ++;
  let gone = 0;
  for (const _row of db.prepare('SELECT l.id FROM raw_links l WHERE NOT EXISTS (SELECT 1 FROM raw_source s WHERE s.id = l.id)').raw().iterate()) gone++;
  const ms = performance.now() - t0;
  db.close();
  cleanup(path);
  reportPass(args.rows, ms, { differ, gone });
}

async function runHub(): Promise<void> {
  const path = freshCopy('hub');
  const store = SqliteStore.open(path);
  const repo = store.repos.reconcile;
  const t0 = performance.now();
  // The gate: what a run counts once its listing is complete.
  const staged = await repo.countStaged(RUN, 'client');
  const links = await repo.countLiveLinks(SYSTEM, 'client');
  // The repair phase's walk over staging → links, classifying each diff row.
  const kinds = { added: 0, changed: 0, restored: 0 };
  let after: string | null = null;
  for (;;) {
    const page = await repo.diffPage(RUN, SYSTEM, after, PAGE);
    const last = page[page.length - 1];
    if (!last) break;
    for (const row of page) kinds[row.kind]++;
    after = last.externalId;
  }
  // The delete phase's walk over links → staging.
  let missing = 0;
  after = null;
  for (;;) {
    const page = await repo.missingPage(RUN, SYSTEM, 'client', after, PAGE);
    const last = page[page.length - 1];
    if (!last) break;
    missing += page.length;
    after = last.externalId;
  }
  const ms = performance.now() - t0;
  store.close();
  cleanup(path);
  reportPass(args.rows, ms, { ...kinds, missing, staged: staged.rows, links });
}

// ---------------------------------------------------------------------------------------------
// End to end: the listing rate of a reconcile run against the Bullhorn emulator, and of a
// bare paging loop over the same endpoint, both held to the same client-side rate limit.

interface EndToEndArgs {
  side: 'e2e-loop' | 'e2e-hub';
  /** Dataset scale: about 1,950 candidates per unit. */
  scale: number;
  /** The rate limit both sides are held to, requests per second. */
  rps: number;
}

const CANDIDATE_MAPPING = `vendor: bullhorn
entity: Candidate
canonical: candidate
key: id
modifiedAt: { from: dateLastModified, transform: { date: { format: epoch-ms } } }
deleted: { from: isDeleted, equals: true }
fields:
  - { target: firstName, from: firstName, owner: bullhorn }
  - { target: lastName, from: lastName, owner: bullhorn }
  - { target: email, from: email, owner: bullhorn }
  - { target: phone, from: phone, owner: shared }
  - target: status
    from: status
    owner: bullhorn
    transform: { enum: { map: { Active: active, Placed: placed, Inactive: inactive }, default: active } }
`;

/**
 * - e2e-loop: the connector's `pullPage` in a loop, nothing else: the ceiling the rate limit allows;
 * - e2e-hub: a hub that already holds every candidate (an untimed full pull first) runs
 *   `reconcile.run` on its inline queue under the same limit: listing, staging, compare, finish.
 *   Its rate is the listing's (run start to last page committed, from the report); the whole run's
 *   wall time is reported beside it.
 * Records per second on each side; the emulator itself never refuses (its own limit is lifted), so
 * the client-side limit is what both sides run into.
 */
async function runEndToEnd(e: EndToEndArgs): Promise<void> {
  // Loaded here, not at the top: the compare passes stay free of the hub, emulator and connector (their RSS is a gate).
  const { connectorFor } = await import('../../connectors/index.ts');
  const { credentialEnvVar, GuardRegistry, memoryState } = await import('../../connectors/kit/index.ts');
  const { startBullhornEmulator } = await import('../../fixtures/bullhorn/index.ts');
  const { generateDataset } = await import('../../fixtures/dataset/index.ts');
  const { CrosswalkConfig } = await import('../../src/config/index.ts');
  const { Hub } = await import('../../src/hub.ts');
  const { silentLogger } = await import('../../src/lib/logger.ts');
  const { loadMappingSources } = await import('../../src/mapping/index.ts');
  const connector = connectorFor('bullhorn');
  if (!connector) throw new Error('no bullhorn connector registered');
  const dataset = generateDataset({ scale: e.scale, weeks: 0 });
  const emu = await startBullhornEmulator({ dataset, rateLimitPerMinute: 100_000_000, sessionTtlMs: 86_400_000 });
  const c = emu.control.credentials;
  const limited: HttpOptions = { guards: new GuardRegistry(), rateLimit: { requests: e.rps, windowMs: 1000 } };
  const registry = loadMappingSources('mappings', [{ path: 'bullhorn/candidate.yaml', text: CANDIDATE_MAPPING }], [{ id: 'bullhorn', connector: 'bullhorn' }]).registry;
  const fields = registry.get('bullhorn', 'candidate')?.sourcePaths() ?? [];
  try {
    if (e.side === 'e2e-loop') {
      const instance = connector.create({
        systemId: 'bullhorn', baseUrl: emu.baseUrl, credentials: { clientId: c.clientId, clientSecret: c.clientSecret, username: c.username, password: c.password },
        state: memoryState(), logger: silentLogger(), http: limited,
      });
      const t0 = performance.now();
      let records = 0;
      let cursor: PageCursor | null = null;
      do {
        const page = await instance.pullPage({ entity: 'Candidate', since: null, cursor, fields, pageSize: 500 });
        records += page.records.length;
        cursor = page.next;
      } while (cursor !== null);
      const ms = performance.now() - t0;
      reportPass(records, ms, { requests: instance.requestStats?.().requests ?? 0 });
      await instance.close?.();
      return;
    }

    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-reconcile-e2e-'));
    try {
      const file = join(dir, 'mappings', 'bullhorn', 'candidate.yaml');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, CANDIDATE_MAPPING);
      const env = {
        [credentialEnvVar('bullhorn', 'CLIENT_ID')]: c.clientId,
        [credentialEnvVar('bullhorn', 'CLIENT_SECRET')]: c.clientSecret,
        [credentialEnvVar('bullhorn', 'USERNAME')]: c.username,
        [credentialEnvVar('bullhorn', 'PASSWORD')]: c.password,
      };
      const hubFor = (rateLimit: { requests: number; perMs: number } | null, http: HttpOptions): InstanceType<typeof Hub> => {
        const parsed = CrosswalkConfig.parse({
          database: join(dir, 'hub.sqlite'),
          mappings: join(dir, 'mappings'),
          queue: { driver: 'inline' },
          systems: [{ id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: emu.baseUrl, ...(rateLimit && { rateLimit }) }],
        });
        const config: LoadedConfig = { ...parsed, source: '(bench)', root: dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
        const hub = new Hub(config, { logger: silentLogger(), env, http });
        return hub;
      };

      // Untimed: the hub learns every candidate, at no limit.
      const seed = hubFor(null, { guards: new GuardRegistry() });
      await seed.work();
      await seed.queue().enqueue('sync.pull', { system: 'bullhorn', entity: 'Candidate', full: true }, { jobId: 'pull:seed' });
      await seed.queue().drain({ timeoutMs: 600_000 });
      await seed.close();

      const hub = hubFor({ requests: e.rps, perMs: 1000 }, limited);
      await hub.work();
      const t0 = performance.now();
      await hub.queue().enqueue('reconcile.run', { system: 'bullhorn', entity: 'Candidate' }, { jobId: 'reconcile:bench' });
      await hub.queue().drain({ timeoutMs: 600_000 });
      const ms = performance.now() - t0;
      const [run] = await hub.store().repos.runs.list({ kind: 'reconcile', limit: 1 });
      const report = run?.report as ReconcileReport | undefined;
      if (run?.status !== 'succeeded' || !report || report.counts.matched !== report.counts.seen || report.counts.seen !== dataset.candidates.length) {
        throw new Error(`reconcile run did not match every candidate: ${JSON.stringify({ status: run?.status, error: run?.error, counts: report?.counts })}`);
      }
      // The listing's own rate (the end-to-end figure compares listing with listing); the whole run's time goes along as a figure.
      reportPass(report.counts.seen, report.listingMs ?? ms, { requests: report.requests.used, pages: report.counts.pages, wholeRunMs: ms });
      await hub.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await emu.close();
  }
}

// Dispatch last: every constant above is initialised by now.
if (passed.side === 'e2e-loop' || passed.side === 'e2e-hub') await runEndToEnd(passed);
else if (passed.side === 'build') build();
else if (passed.side === 'raw') runRaw();
else await runHub();
