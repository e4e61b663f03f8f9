import { BullmqDriver } from './bullmq.ts';
import { InlineDriver } from './inline.ts';
import type { QueueDriver, QueueDriverOptions } from './types.ts';

export type { QueueDriver, QueueDriverOptions, WorkOptions, QueueStats, QueueCounts, FailedJob, RateLimit } from './types.ts';

/**
 * Builds the configured driver. The hub chooses: `bullmq` when REDIS_URL is set (or the config
 * says so), otherwise `inline`. Construction opens no connection until the first use.
 */
export function createQueueDriver(options: QueueDriverOptions): QueueDriver {
  if (options.driver === 'bullmq') return new BullmqDriver(options);
  return new InlineDriver(options);
}
