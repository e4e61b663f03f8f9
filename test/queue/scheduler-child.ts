/**
 * One scheduler process for scheduler.integration.test.ts: opens the store file and Redis given in
 * argv[2] (JSON), prints `ready`, waits for a `go` line on stdin (the test releases both processes
 * together, so they really race), then fires one slot or runs its cron tasks for a while. Prints
 * one JSON line with what happened.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createQueueDriver, Scheduler, silentQueueLogger, type QueueLogger, type ScheduleKind } from '../../src/queue/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

interface ChildArgs {
  db: string;
  redisUrl: string;
  prefix: string;
  system: string;
  schedules: Record<string, string>;
  mode: 'fire' | 'cron';
  kind?: ScheduleKind;
  slotAt?: string;
  durationMs?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;

/** Counts what the cron tasks did, from the scheduler's own log lines. */
const counts = { enqueued: 0, taken: 0 };
const countingLogger: QueueLogger = {
  ...silentQueueLogger,
  info: (a: object | string, msg?: string) => {
    if (msg === 'scheduled job enqueued') counts.enqueued++;
  },
  debug: (a: object | string, msg?: string) => {
    if (msg === 'slot already claimed by another scheduler') counts.taken++;
  },
  child: () => countingLogger,
};
const store = SqliteStore.open(args.db);
const driver = createQueueDriver({ driver: 'bullmq', redisUrl: args.redisUrl, prefix: args.prefix });
const scheduler = new Scheduler({
  store,
  driver,
  systems: [{ id: args.system, schedules: args.schedules }],
  entitiesFor: () => ['client', 'placement'],
  logger: countingLogger,
});

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await once(lines, 'line');
lines.close();

try {
  if (args.mode === 'fire') {
    const result = await scheduler.fire(args.kind ?? 'pull', args.system, new Date(args.slotAt ?? Date.now()));
    process.stdout.write(`${JSON.stringify({ result })}\n`);
  } else {
    await scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, args.durationMs ?? 1_000));
    await scheduler.stop();
    process.stdout.write(`${JSON.stringify({ result: 'stopped', ...counts })}\n`);
  }
} finally {
  await driver.close({ timeoutMs: 2_000 });
  store.close();
}
