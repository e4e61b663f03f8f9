import { DEFAULT_TIME_SETTINGS, type TimeWorkflowSettings } from '../../model/index.ts';
import type { Store } from '../../store/index.ts';
import { applyLocalChange } from '../local.ts';
import type { SyncPolicy } from '../policy.ts';
import { runTimeReminders, type NudgeCounts } from './reminders.ts';

/**
 * Releases entries whose cutoff hold has run out (the next pay period has begun): clearing
 * `payrollHeldUntil` lets the payroll push (its create rule waits on it) and the payroll file take them.
 */
export async function releaseExpiredHolds(store: Store, policy: SyncPolicy, now: string): Promise<number> {
  let released = 0;
  for (const id of await store.repos.time.heldUntilBy(now.slice(0, 10))) {
    const done = await store.unitOfWork(async (tx) => {
      const entry = await tx.canonical.get('time_entry', id);
      const until = entry?.fields['payrollHeldUntil'];
      if (typeof until !== 'string' || until > now.slice(0, 10)) return false;
      await applyLocalChange(tx, policy, { entity: 'time_entry', canonicalId: id, changes: { payrollHeldUntil: null }, actor: 'system:pay-period', comment: `held until ${until}: the next pay period has begun` }, now);
      return true;
    });
    if (done) released++;
  }
  return released;
}

/** One pass of the time workflow's clock: reminders and escalations, then expired holds. */
export async function timeWorkflowPass(store: Store, policy: SyncPolicy, settings: TimeWorkflowSettings, now: string): Promise<NudgeCounts & { released: number }> {
  const nudges = await runTimeReminders(store, now, settings.reminders);
  return { ...nudges, released: await releaseExpiredHolds(store, policy, now) };
}

/**
 * Runs the pass now and every `everyMs` in the serving process (like the audit retention timer).
 * Safe with several processes: each nudge is recorded once (`time_nudges`), each release re-checks
 * the hold in its unit of work. Not a BullMQ repeatable job (BullMQ #3085: schedulers registered
 * again on every start pile up); nothing is queued.
 */
export function startTimeWorkflowTimer(
  store: Store,
  policy: SyncPolicy,
  settings: TimeWorkflowSettings = DEFAULT_TIME_SETTINGS,
  onError: (err: unknown) => void = () => undefined,
  everyMs = 15 * 60_000,
): { stop(): void } {
  const run = () => {
    timeWorkflowPass(store, policy, settings, new Date().toISOString()).catch(onError);
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
