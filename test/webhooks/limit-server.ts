import { startHarness } from './support.ts';

/*
 * The webhook route in a process of its own, for the body-limit memory test: the parent sends the
 * load and reads this process's RSS over IPC, so the client's buffers do not count against the
 * server. Messages in: `reset` (start a new peak), `stats`, `stop`. Out: `ready`, `stats`.
 * Started with `--expose-gc`, `stats` also reports what survives a full collection: RSS alone
 * cannot tell a leak from garbage the collector has not got to yet, nor from freed memory the
 * allocator keeps.
 */

export type LimitServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | {
      readonly type: 'stats';
      readonly rssMb: number;
      readonly peakRssMb: number;
      /** JS heap plus external memory after a full collection; null without `--expose-gc`. */
      readonly retainedMb: number | null;
      readonly verifyCalls: number;
      readonly inboxRows: number;
    };

const send = (message: LimitServerMessage): void => {
  process.send?.(message);
};

const limit = Number(process.argv[2] ?? 1_048_576);
const h = await startHarness({ bodyLimit: limit });
const mb = (bytes: number): number => bytes / 1_048_576;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 5);

function retained(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  gc();
  const usage = process.memoryUsage();
  return mb(usage.heapUsed + usage.external);
}

process.on('message', (message: unknown) => {
  if (message === 'reset') {
    peak = process.memoryUsage.rss();
  } else if (message === 'stats') {
    peak = Math.max(peak, process.memoryUsage.rss());
    const rssMb = mb(process.memoryUsage.rss());
    send({ type: 'stats', rssMb, peakRssMb: mb(peak), retainedMb: retained(), verifyCalls: h.calls.verify, inboxRows: h.inboxRows() });
  } else if (message === 'stop') {
    stop();
  }
});
// The parent test died (or timed out): do not linger as an orphan holding a port and a temp dir.
process.on('disconnect', stop);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(sampler);
  h.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
send({ type: 'ready', url: h.url });
