import type { Handlers } from './context.ts';
import { eventsPoll } from './handlers/events-poll.ts';
import { reconcileRun } from './handlers/reconcile-run.ts';
import { syncPull } from './handlers/sync-pull.ts';
import { syncPush } from './handlers/sync-push.ts';
import { webhookProcess } from './handlers/webhook-process.ts';

/** One handler per catalog job; a job without a handler does not compile. */
export const handlers = {
  'webhook.process': webhookProcess,
  'events.poll': eventsPoll,
  'sync.pull': syncPull,
  'sync.push': syncPush,
  'reconcile.run': reconcileRun,
} satisfies Handlers;

export * from './catalog.ts';
export type * from './context.ts';
