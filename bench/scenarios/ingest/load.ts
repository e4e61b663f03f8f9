import { createRequire } from 'node:module';
import type { EventPool } from './pool.ts';

/*
 * autocannon ships no types and is CommonJS: it is loaded through createRequire and given the
 * small slice of its API used here, written from its README (programmatic API and results).
 */

interface RequestData {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
}

interface AutocannonResult {
  readonly requests: Histogram;
  readonly latency: Histogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}

interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly requests: ReadonlyArray<{
    readonly method: 'POST';
    readonly path: string;
    setupRequest(request: RequestData, context: Record<string, unknown>): RequestData;
    onResponse(status: number, body: string, context: Record<string, unknown>): void;
  }>;
}

type Autocannon = (options: AutocannonOptions, done: (err: Error | null, result: AutocannonResult) => void) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  readonly url: string;
  readonly seconds: number;
  /** @defaultValue 50 (the ingest benchmark's setting) */
  readonly connections?: number;
  readonly pool: EventPool;
  /**
   * Each request a distinct event (the hub's inbox must see unique ids, not duplicates). The raw
   * side may wrap around the pool: it dedupes nothing, and building events on the spot would
   * charge the load generator for signing on one side only.
   */
  readonly unique: boolean;
}

export interface LoadResult {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Deliveries (pool indexes) answered 2xx. */
  readonly acked: Set<number>;
  /** Deliveries sent with no answer by the time the run stopped: in flight when the clock ran out. */
  readonly unanswered: Set<number>;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { pool } = options;
  const acked = new Set<number>();
  const unanswered = new Set<number>();
  let next = 0;
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections ?? 50,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            path: '/webhooks/gusto',
            setupRequest(request, context) {
              const i = options.unique ? next++ : next++ % pool.size;
              const event = pool.get(i);
              context['i'] = i;
              unanswered.add(i);
              return { ...request, body: event.body, headers: { 'content-type': 'application/json', 'x-gusto-signature': event.signature } };
            },
            // With pipelining 1 a connection's context holds the delivery this response answers.
            onResponse(status, _body, context) {
              const i = context['i'];
              if (typeof i !== 'number') return;
              unanswered.delete(i);
              if (status >= 200 && status < 300) acked.add(i);
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
  return {
    reqPerSec: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    acked,
    unanswered,
  };
}

/** Sends deliveries again, as a vendor retries one it got no answer for; returns those acknowledged now. */
export async function resend(url: string, pool: EventPool, indexes: Iterable<number>): Promise<{ acked: number[]; failed: number }> {
  const acked: number[] = [];
  let failed = 0;
  for (const i of indexes) {
    const event = pool.get(i);
    const res = await fetch(`${url}/webhooks/gusto`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gusto-signature': event.signature },
      body: event.body,
    });
    await res.arrayBuffer();
    if (res.status >= 200 && res.status < 300) acked.push(i);
    else failed++;
  }
  return { acked, failed };
}
