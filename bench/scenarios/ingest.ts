import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Scenario } from '../run.ts';
import type { PassResult } from '../lib/child.ts';
import { median, type Figure } from '../lib/figures.ts';
import { fullCommitRate } from './ingest/commit-rate.ts';
import { runLoad, resend, type LoadResult } from './ingest/load.ts';
import { buildPool, type EventPool } from './ingest/pool.ts';
import { startServerProcess } from './ingest/server-process.ts';

const PASS = new URL('./ingest.pass.ts', import.meta.url);
const CONNECTIONS = 50;
/** Above any rate the hub can reach on 2 cores (raw node:http measured 32.7 k/s): the pool outlasts a hub pass. */
const POOL_RATE = 25_000;

interface Measured {
  readonly load: LoadResult;
  readonly server: PassResult;
  /** Hub only: deliveries in flight when the load stopped, sent again as a vendor would. */
  readonly resent: number;
  readonly resendFailed: number;
  /** Hub only: inbox rows, and acknowledged deliveries whose event is not among them. */
  readonly inboxRows: number;
  readonly ackedMissing: number;
  readonly ackedTotal: number;
}

/**
 * Issue 4's benchmark: signed Gusto deliveries at 50 connections against a bare node:http
 * JSON handler (raw) and against the hub's webhook route (verify, zod-validate, durable inbox
 * commit, enqueue), each server in a fresh process, A/B/A/B after a warm-up of each, medians of
 * three pairs. The load generator (autocannon, in this process) shares the two cores with the server.
 */
export const scenario: Scenario = {
  name: 'ingest',
  description: 'webhook route (verify + inbox + enqueue) vs bare node:http JSON handler, autocannon 50 connections',
  async run({ quick }) {
    const seconds = quick ? 5 : 10;
    const pairs = 3;
    const redisUrl = await reachableRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    const queueLabel = redisUrl ? 'bullmq' : 'inline_noworker';
    if (!redisUrl) process.stderr.write('ingest: no Redis answered; the hub side enqueues on the inline driver with no worker\n');
    const pool = buildPool(seconds * POOL_RATE);
    const commitRate = fullCommitRate();

    let passNo = 0;
    const pass = async (side: 'raw' | 'hub', duration: number): Promise<Measured> => {
      const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-ingest-'));
      const prefix = `crosswalk-bench-ingest-${process.pid}-${++passNo}`;
      try {
        const server = await startServerProcess(PASS, { side, dir, redisUrl, prefix });
        const load = await runLoad({ url: server.url, seconds: duration, connections: CONNECTIONS, pool, unique: side === 'hub' });
        const retry = side === 'hub' ? await resend(server.url, pool, load.unanswered) : { acked: [], failed: 0 };
        const result = await server.stop();
        const acked = new Set([...load.acked, ...retry.acked]);
        const inbox = side === 'hub' ? inboxCheck(join(dir, 'hub.sqlite'), acked, pool) : { rows: 0, missing: 0 };
        return { load, server: result, resent: retry.acked.length + retry.failed, resendFailed: retry.failed, inboxRows: inbox.rows, ackedMissing: inbox.missing, ackedTotal: acked.size };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    await pass('raw', 2);
    await pass('hub', 2);
    const raws: Measured[] = [];
    const hubs: Measured[] = [];
    for (let i = 0; i < pairs; i++) {
      raws.push(await pass('raw', seconds));
      hubs.push(await pass('hub', seconds));
    }

    const hub = `ingest.hub_${queueLabel}`;
    const ratios = hubs.map((h, i) => h.load.reqPerSec / (raws[i]?.load.reqPerSec ?? Number.NaN));
    const sum = (list: readonly Measured[], f: (m: Measured) => number) => list.reduce((n, m) => n + f(m), 0);
    const figures: Figure[] = [
      { name: 'ingest.raw.req_per_s', value: Math.round(median(raws.map((r) => r.load.reqPerSec))), gate: false },
      { name: `${hub}.req_per_s`, value: Math.round(median(hubs.map((h) => h.load.reqPerSec))), target: { op: '>=', value: 5_000 }, gate: false },
      { name: `${hub}.ratio`, value: median(ratios), target: { op: '>=', value: 0.3 } },
      { name: 'ingest.raw.p99_ms', value: median(raws.map((r) => r.load.p99Ms)), gate: false },
      { name: `${hub}.p50_ms`, value: median(hubs.map((h) => h.load.p50Ms)), gate: false },
      { name: `${hub}.p99_ms`, value: median(hubs.map((h) => h.load.p99Ms)), target: { op: '<=', value: 25 } },
      { name: 'ingest.raw.non2xx_and_errors', value: sum(raws, (r) => r.load.non2xx + r.load.errors), gate: false },
      { name: `${hub}.non2xx`, value: sum(hubs, (h) => h.load.non2xx + h.resendFailed), target: { op: '<=', value: 0 } },
      { name: `${hub}.connection_errors`, value: sum(hubs, (h) => h.load.errors), target: { op: '<=', value: 0 } },
      { name: `${hub}.acked`, value: sum(hubs, (h) => h.ackedTotal), gate: false },
      { name: `${hub}.resent_after_stop`, value: sum(hubs, (h) => h.resent), gate: false },
      // Every acknowledged delivery has its row, and every row was acknowledged (in-flight ones after their resend).
      { name: `${hub}.acked_missing_from_inbox`, value: sum(hubs, (h) => h.ackedMissing), target: { op: '<=', value: 0 } },
      { name: `${hub}.inbox_rows_minus_acked_abs`, value: sum(hubs, (h) => Math.abs(h.inboxRows - h.ackedTotal)), target: { op: '<=', value: 0 } },
      { name: `${hub}.jobs_minus_inbox_rows_abs`, value: sum(hubs, (h) => Math.abs((h.server.extra?.['jobs'] ?? 0) - h.inboxRows)), target: { op: '<=', value: 0 } },
      { name: 'ingest.raw.peak_rss_mb', value: Math.round(Math.max(...raws.map((r) => r.server.maxRssMb))), gate: false },
      { name: `${hub}.peak_rss_mb`, value: Math.round(Math.max(...hubs.map((h) => h.server.maxRssMb))), gate: false },
      { name: `${hub}.redis_used_memory_delta_mb`, value: median(hubs.map((h) => h.server.extra?.['redisUsedMemoryDeltaMb'] ?? 0)), gate: false },
      { name: 'ingest.load.events_signed_on_the_spot', value: pool.overflow, gate: false },
      // One durable (FULL) commit per delivery: the hub's rate cannot exceed this on this disk.
      { name: 'ingest.sqlite_full_commits_per_s', value: Math.round(commitRate), gate: false },
    ];
    return figures;
  },
};

/** The Redis URL when a server answers PING within a second, else null. */
async function reachableRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? url : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Reads the hub pass's inbox after its server exited: rows, and acknowledged events without a row. */
function inboxCheck(path: string, acked: ReadonlySet<number>, pool: EventPool): { rows: number; missing: number } {
  const db = new Database(path, { readonly: true });
  try {
    const ids = new Set(db.prepare('SELECT event_id FROM inbox').pluck().all() as string[]);
    let missing = 0;
    for (const i of acked) if (!ids.has(pool.uuid(i))) missing++;
    return { rows: ids.size, missing };
  } finally {
    db.close();
  }
}
