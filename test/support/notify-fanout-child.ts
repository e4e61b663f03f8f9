/**
 * Child process for the notification SIGKILL test: fans the event log of the store file named on
 * the command line out into deliveries, in batches of `batch` events, printing `EVENT <seq>` after
 * each event's rows are written (inside the batch's unit of work) and pausing a moment, so the
 * parent can kill it between deliveries. Prints `DONE <deliveries>` when the log is read.
 *
 * Usage: node --import tsx test/support/notify-fanout-child.ts <store file> <batch>
 */
import { writeSync } from 'node:fs';
import { fanOutAll } from '../../src/notify/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { TEST_KEYRING } from './temp-store.ts';

const [path, batchText] = process.argv.slice(2);
if (!path || !batchText) throw new Error('usage: notify-fanout-child.ts <store file> <batch>');
const store = SqliteStore.open(path, { keyring: TEST_KEYRING });
const pause = new Int32Array(new SharedArrayBuffer(4));
const result = await fanOutAll(store, {
  batch: Number(batchText),
  afterEvent: (seq) => {
    // Synchronous: the line is out before the pause, and the kill lands between two events' rows.
    writeSync(1, `EVENT ${seq}\n`);
    Atomics.wait(pause, 0, 0, 2);
  },
});
writeSync(1, `DONE ${result.deliveries}\n`);
store.close();
