import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/lib/time.ts';
import { createSubscription, FANOUT_CURSOR, fanOutAll } from '../../src/notify/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { appendEvents, sampleEvent } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../support/notify-fanout-child.ts', import.meta.url));
const EVENTS = 300;
const BATCH = 100;
const SUBSCRIPTIONS = 3;

/** Runs the fan-out child; kills it with SIGKILL once it reports `killAfter` events (or lets it finish). */
function runChild(path: string, killAfter: number | null): Promise<{ killed: boolean; seen: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(BATCH)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      seen = out.split('\n').filter((l) => l.startsWith('EVENT ')).length;
      if (killAfter !== null && seen >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child exited ${String(code)}: ${err}`));
      else resolve({ killed: signal === 'SIGKILL', seen });
    });
  });
}

let temp: TempStore | null = null;
afterAll(() => temp?.dispose());

describe('fan-out under SIGKILL', () => {
  it('writes exactly one delivery per event and subscription however often the consumer dies mid-fan-out', { timeout: 60_000 }, async () => {
    temp = openTempStore();
    const store = temp.store;
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      await store.unitOfWork((tx) => createSubscription(tx, { url: `http://127.0.0.1:9/hook-${i}`, eventTypes: ['invoice.issued'], clientId: null, description: null }, 'user:test', nowIso()));
    }
    await appendEvents(store, Array.from({ length: EVENTS }, (_, i) => sampleEvent(i)));
    const deliveries = () => store.db.prepare('SELECT count(*) FROM notification_deliveries').pluck().get() as number;

    // Killed inside the first batch: its unit of work rolls back, nothing is written, the cursor stays.
    const first = await runChild(temp.path, 37);
    expect(first.killed).toBe(true);
    expect(deliveries()).toBe(0);
    expect(await store.repos.notifications.cursor(FANOUT_CURSOR)).toBe(0);

    // Killed in the second batch: the first batch is in, whole, and nothing of the second.
    const second = await runChild(temp.path, BATCH + 41);
    expect(second.killed).toBe(true);
    expect(deliveries()).toBe(BATCH * SUBSCRIPTIONS);
    const cursor = await store.repos.notifications.cursor(FANOUT_CURSOR);
    expect(cursor).toBe(BATCH);

    // A consumer started again (here in this process) finishes the log: no event lost, none twice.
    const rest = await fanOutAll(store, { batch: BATCH });
    expect(rest.events).toBe(EVENTS - BATCH);
    expect(deliveries()).toBe(EVENTS * SUBSCRIPTIONS);
    const perPair = store.db.prepare('SELECT event_seq, subscription_id, count(*) AS n FROM notification_deliveries GROUP BY event_seq, subscription_id HAVING n > 1').all();
    expect(perPair).toEqual([]);
    const events = store.db.prepare('SELECT count(DISTINCT event_seq) FROM notification_deliveries').pluck().get() as number;
    expect(events).toBe(EVENTS);

    // And a child run over a finished log adds nothing.
    const again = await runChild(temp.path, null);
    expect(again.killed).toBe(false);
    expect(deliveries()).toBe(EVENTS * SUBSCRIPTIONS);
  });
});
