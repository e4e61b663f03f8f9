export { createQueueDriver } from './driver.ts';
export type {
  QueueDriver, QueueDriverOptions, InlineDriverOptions, BullmqDriverOptions, WorkOptions, QueueStats, QueueCounts, FailedJob, JobState,
  RateLimit,
} from './types.ts';
export { InlineDriver } from './inline.ts';
export { BullmqDriver } from './bullmq.ts';
export { classifyJobError, type FailureKind, type JobErrorClass } from './classify.ts';
export { JobPayloadError, JobIdError, type EnqueueItem, type JobSpecOverrides } from './jobs.ts';
export { JobTimeoutError } from './attempt.ts';
export { inboxJobId, outboxJobId, pageJobId, slotJobId, type ScheduleKind } from './ids.ts';
export { Relay, readRunCursor, type RelayOptions, type SweepResult } from './relay.ts';
export { Scheduler, type SchedulerOptions, type FireResult } from './scheduler.ts';
export { installShutdown, type Closeable, type ShutdownOptions } from './shutdown.ts';
export { checkEvictionPolicy } from './redis.ts';
export { silentQueueLogger, type QueueLogger } from './logger.ts';
export { EnqueueBatcher } from './enqueue-batcher.ts';
