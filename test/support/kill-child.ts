/**
 * Child process for the SIGKILL test: applies one large client batch to the store file named on
 * the command line, inside one unit of work. Prints `APPLYING` once the transaction has begun and
 * `COMMITTED <summary>` after it commits, so the parent knows when to kill and what to expect.
 *
 * Usage: node --import tsx test/support/kill-child.ts <store file> <record count>
 */
import { Engine } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { KILL_CLOCK, killBatch, killPolicy } from './kill-batch.ts';

const [path, countText] = process.argv.slice(2);
if (!path || !countText) throw new Error('usage: kill-child.ts <store file> <record count>');

// A small page cache makes the transaction spill uncommitted pages into the WAL before it commits:
// the kill then leaves uncommitted frames behind, which is what recovery must ignore.
const store = SqliteStore.open(path, { cacheMiB: 1 });
const engine = new Engine(store, { policy: killPolicy(), now: () => KILL_CLOCK });
const batch = killBatch(Number(countText));
const summary = await store.unitOfWork(async (tx) => {
  process.stdout.write('APPLYING\n');
  return engine.applyIn(tx, batch);
});
process.stdout.write(`COMMITTED ${JSON.stringify(summary)}\n`);
store.close();
