import type { Job, Queue } from 'bullmq';
import { isJobName } from '../../jobs/catalog.ts';
import { parsePayload } from './jobs.ts';
import { errField, type QueueLogger } from './logger.ts';
import type { FailedJob } from './types.ts';

/** BullMQ's failedReason for a job whose workers died under it more than `maxStalledCount` times. */
export const STALL_LIMIT_REASON = 'job stalled more than allowable limit';

/** How many of the newest failed jobs one sweep reads per queue. */
const SCAN = 200;

type AnyQueue = Queue<unknown, unknown, string>;
type AnyJob = Job<unknown, unknown, string>;

/**
 * BullMQ fails a job that stalled too often inside its stalled-job check, without running the
 * processor, so `onFailed` never hears of it (BullMQ 6 emits no worker `failed` event for it). Left
 * alone, its job id stays taken in the failed set: the relay's re-enqueue of the same inbox row or
 * run page is ignored, and the work waits silently until the failed set is trimmed. This sweep
 * reports each such job to `onFailed` — the inbox row or run is then marked failed in SQLite,
 * where ops see it — and removes the job so its id is free for a replay.
 *
 * Several workers may sweep the same queue: `onFailed` is idempotent (it marks a row failed), and
 * a job another worker removed first is skipped.
 */
export async function sweepStallFailures(
  queue: AnyQueue,
  system: string,
  fromJobId: (id: string) => string,
  onFailed: (job: FailedJob) => Promise<void>,
  logger: QueueLogger,
): Promise<number> {
  const failed = (await queue.getFailed(0, SCAN - 1)) as Array<AnyJob | undefined>;
  let swept = 0;
  for (const job of failed) {
    if (!job?.id || job.failedReason !== STALL_LIMIT_REASON || !isJobName(job.name)) continue;
    let payload: unknown = job.data;
    try {
      payload = parsePayload(job.name, job.data);
    } catch {
      // Report the raw data: ops need to see what could not be parsed.
    }
    const jobId = fromJobId(job.id);
    logger.error({ job: job.name, jobId, system }, 'job failed after stalling too often (its workers died under it)');
    try {
      await onFailed({
        name: job.name, jobId, system, payload, attempt: job.attemptsMade + 1, failure: 'system_error',
        error: new Error(`${STALL_LIMIT_REASON} (its workers died or hung ${job.stalledCounter} times)`),
      });
      await job.remove();
      swept++;
    } catch (err) {
      // Removed by another worker's sweep meanwhile, or the store is busy: the next sweep retries.
      logger.warn({ err: errField(err), jobId, system }, 'could not settle a stall-failed job; next sweep retries');
    }
  }
  return swept;
}
