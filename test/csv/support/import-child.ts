/**
 * Runs one import in its own process, for the killed-import test: `node --import tsx
 * import-child.ts '<json args>'`. Prints `committed <nextRecord>` after each committed chunk and
 * `applying` while a chunk's unit of work is open — the engine is slowed inside the transaction so
 * the parent can SIGKILL it there, with the chunk's writes pending.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { importCsv } from '../../../src/csv/import.ts';
import { Engine, type ApplyBatch, type ApplySummary } from '../../../src/engine/index.ts';
import { SqliteStore, type Repos } from '../../../src/store/index.ts';
import { csvMappings, T0, WorldPolicy } from './world.ts';

interface Args {
  db: string;
  file: string;
  chunkRows: number;
  /** Milliseconds to hold each chunk's transaction open after the engine applied it. */
  stallMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;

class SlowEngine extends Engine {
  override async applyIn(tx: Repos, batch: ApplyBatch, depth = 0): Promise<ApplySummary> {
    const summary = await super.applyIn(tx, batch, depth);
    process.stdout.write('applying\n');
    await sleep(args.stallMs);
    return summary;
  }
}

const store = SqliteStore.open(args.db);
const mappings = csvMappings();
const engine = new SlowEngine(store, { policy: new WorldPolicy(mappings), now: () => T0 });
const report = await importCsv({
  store, engine, mappings, kind: 'time_entries', path: args.file, chunkRows: args.chunkRows, now: () => T0,
  onChunk: ({ nextRecord }) => process.stdout.write(`committed ${nextRecord}\n`),
});
process.stdout.write(`done ${JSON.stringify({ status: report.status, rows: report.rows })}\n`);
store.close();
