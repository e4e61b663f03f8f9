/**
 * Job ids derive from a row id or a schedule slot, so the same work is never queued twice while a
 * job with that id exists, and work lost with Redis comes back under the same id. Every producer
 * (webhook route, handlers enqueueing the next page, relay, scheduler) builds ids here.
 */

/** A verified webhook delivery or polled event waiting in the inbox. */
export function inboxJobId(inboxId: string): string {
  return `inbox:${inboxId}`;
}

/** One push try of an outbox row: `attempts` is the row's claim count, so a retry is a new job. */
export function outboxJobId(outboxId: string, attempts: number): string {
  return `outbox:${outboxId}:${attempts}`;
}

/**
 * Page `page` of a pull or reconcile run. The page counter is the run cursor's `page` field (see
 * relay.ts): a handler that commits page n sets `cursor.page = n + 1` in the same unit of work and
 * then enqueues `pageJobId(kind, runId, n + 1)`, so the relay, reading the cursor, names the same job.
 */
export function pageJobId(kind: 'pull' | 'reconcile', runId: string, page: number): string {
  return `${kind}:${runId}:${page}`;
}

/** `2026-11-25T10:15Z`: the minute a cron slot is for, in UTC. */
export function slotMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16)}Z`;
}

/** `2026-11-25`: the UTC day a daily slot is for. */
export function slotDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export type ScheduleKind = 'pull' | 'events' | 'reconcile';

/**
 * The slot (and job) id of a scheduled run: per minute for pulls and event polls, per day for
 * reconciliation, so a nightly reconcile runs once a day however many schedulers fire it.
 */
export function slotJobId(kind: ScheduleKind, systemId: string, at: Date): string {
  return `${kind}:${systemId}:${kind === 'reconcile' ? slotDay(at) : slotMinute(at)}`;
}

/** The run of the next entity in a pull or reconcile chain, once run `runId` is done: at most one. */
export function chainJobId(kind: 'pull' | 'reconcile', runId: string): string {
  return `${kind}:${runId}:then`;
}

/** The next poll of a system's event queue after batch `batchId` was committed: at most one per batch. */
export function eventsAfterJobId(systemId: string, batchId: string): string {
  return `events:${systemId}:after:${batchId}`;
}
