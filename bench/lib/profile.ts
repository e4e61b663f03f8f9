import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Opt-in instruments for a pass's timed part, off unless asked for (they cost time):
 * - CROSSWALK_BENCH_PROFILE=<dir>: a V8 CPU profile of the timed part, `<dir>/<name>.cpuprofile`
 *   (open in Chrome DevTools or speedscope);
 * - CROSSWALK_BENCH_SQL=1: every PostgreSQL statement timed from send to result, summed by text
 *   and printed to stderr, slowest total first (pg_stat_statements is not available on every server).
 */
export interface Profile {
  stop(name: string): Promise<void>;
}

interface StatementTime {
  count: number;
  ms: number;
}

export async function startProfile(): Promise<Profile> {
  const dir = process.env['CROSSWALK_BENCH_PROFILE'];
  const session = dir ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const times = process.env['CROSSWALK_BENCH_SQL'] ? timeStatements() : null;
  return {
    async stop(name) {
      if (session && dir) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      if (times) {
        const stats = times.stop();
        const total = [...stats.values()].reduce((sum, s) => sum + s.ms, 0);
        const lines = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
        process.stderr.write(`[${name}] statements: ${total.toFixed(0)} ms waiting on PostgreSQL in all\n`);
        for (const [text, s] of lines) {
          process.stderr.write(`  ${s.ms.toFixed(0).padStart(7)} ms ${String(s.count).padStart(6)}× ${(s.ms / s.count).toFixed(2).padStart(7)} ms  ${text.replace(/\s+/g, ' ').slice(0, 150)}\n`);
        }
      }
    },
  };
}

/** Wraps pg's Client.query (what pool and runner call) to time each statement by its text. */
function timeStatements(): { stop(): Map<string, StatementTime> } {
  const stats = new Map<string, StatementTime>();
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }; // cast: patching the driver's method for the pass's duration only
  const original = proto.query;
  proto.query = function timed(this: unknown, ...a: unknown[]) {
    const config = a[0];
    const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '?'); // cast: pg takes a text or a config object
    const t0 = performance.now();
    const record = () => {
      const s = stats.get(text) ?? { count: 0, ms: 0 };
      s.count++;
      s.ms += performance.now() - t0;
      stats.set(text, s);
    };
    // The pool passes a callback; a transaction's client gets a Promise back.
    const last = a[a.length - 1];
    if (typeof last === 'function') {
      a[a.length - 1] = (...r: unknown[]) => {
        record();
        return (last as (...r: unknown[]) => unknown)(...r); // cast: narrowed to a function above
      };
      return original.apply(this, a);
    }
    const result = original.apply(this, a);
    return result instanceof Promise ? result.finally(record) : result;
  };
  return {
    stop() {
      proto.query = original;
      return stats;
    },
  };
}
