import { nowIso } from '../../src/lib/time.ts';
import type { Hub } from '../../src/hub.ts';
import { outboxJobId } from '../../src/queue/ids.ts';
import type { EnqueueOptions } from '../context.ts';
import type { JobInput } from '../catalog.ts';

type Enqueue = (name: 'sync.push', payload: JobInput<'sync.push'>, options: EnqueueOptions) => Promise<void>;

/**
 * Queues a push for every outbox row that is due now, so a change reaches the systems that must
 * hear of it as soon as the unit of work that wrote it commits, not at the relay's next sweep.
 * Job ids derive from the row and its attempt count: a row already queued is not queued twice.
 */
export async function enqueueDuePushes(hub: Hub, enqueue: Enqueue, limit = 10_000): Promise<number> {
  const due = await hub.store().repos.outbox.due(nowIso(), limit);
  let queued = 0;
  for (const row of due) {
    if (row.status !== 'pending') continue;
    const jobId = outboxJobId(row.id, row.attempts);
    // Queued by this process a moment ago: the queue would drop it as a duplicate anyway.
    if (!hub.markQueued(jobId)) continue;
    await enqueue('sync.push', { system: row.system, outboxId: row.id }, { jobId });
    queued++;
  }
  return queued;
}

/**
 * Makes the store queue the pushes each commit causes, right after it commits, from every entry
 * (webhook, pull, CSV, portal, reconcile): the relay's sweep stays the safety net for a crash
 * between the commit and the enqueue. Returns the function that stops it.
 */
export function pushOnCommit(hub: Hub): () => void {
  const store = hub.store();
  store.onOutboxCommitted((ids) => {
    enqueuePushesFor(hub, ids).catch((err: unknown) => hub.logger.warn({ err }, 'queueing pushes after a commit failed; the relay will'));
  });
  return () => store.onOutboxCommitted(null);
}

async function enqueuePushesFor(hub: Hub, ids: readonly string[]): Promise<void> {
  for (const row of await hub.store().repos.outbox.dueAmong(ids, nowIso())) {
    const jobId = outboxJobId(row.id, row.attempts);
    if (!hub.markQueued(jobId)) continue;
    await hub.queue().enqueue('sync.push', { system: row.system, outboxId: row.id }, { jobId });
  }
}
