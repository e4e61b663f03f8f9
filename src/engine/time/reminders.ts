import { DEFAULT_REMINDERS, type ReminderSettings } from '../../model/index.ts';
import type { Store } from '../../store/index.ts';
import { appendTimeEvent } from './events.ts';
import { routeApproval } from './routing.ts';

/**
 * Reminders and escalations for submitted time that waits (decision 0018). Each
 * appends a portal event (`time.reminder` to the routed approvers, `time.escalated` to them plus the
 * delegates or client admins); notifications turn the events into mail. A nudge is recorded in
 * `time_nudges` in the same unit of work, keyed by entry, submission and threshold, so running the
 * job again (or twice at once) never nudges twice for the same threshold.
 */
export interface NudgeCounts {
  readonly reminders: number;
  readonly escalations: number;
}

async function settingsFor(store: Store, clientId: string | null, defaults: ReminderSettings): Promise<ReminderSettings> {
  if (clientId === null) return defaults;
  const row = await store.repos.time.reminderSettings(clientId);
  return row ?? defaults;
}

/** The scheduled pass: every waiting entry past its client's reminder or escalation threshold, once per threshold. */
export async function runTimeReminders(store: Store, now: string, defaults: ReminderSettings = DEFAULT_REMINDERS): Promise<NudgeCounts> {
  let reminders = 0;
  let escalations = 0;
  const today = now.slice(0, 10);
  for (const e of await store.repos.time.waiting()) {
    const s = await settingsFor(store, e.clientId, defaults);
    const hours = (Date.parse(now) - Date.parse(e.submittedAt)) / 3_600_000;
    const due: Array<'reminder' | 'escalation'> = [];
    if (hours >= s.reminderAfterHours) due.push('reminder');
    if (hours >= s.escalateAfterHours) due.push('escalation');
    for (const kind of due) {
      const done = await store.unitOfWork(async (tx) => {
        const entry = await tx.canonical.get('time_entry', e.id);
        if (!entry || entry.fields['status'] !== 'submitted') return false;
        if (!(await tx.time.recordNudge(e.id, e.submittedAt, kind, now))) return false;
        const route = await routeApproval(tx, e.assignmentId, today);
        const extra = kind === 'escalation' ? (s.escalateTo === 'delegate' && route.delegates.length > 0 ? route.delegates : route.clientId === null ? [] : await tx.time.clientAdmins(route.clientId, today)) : [];
        await appendTimeEvent(tx, kind === 'reminder' ? 'time.reminder' : 'time.escalated', entry, route, {
          actor: 'system:time-reminders', recipients: [...route.approvers, ...extra], at: now, data: { waitingHours: Math.floor(hours), route: route.route },
        });
        return true;
      });
      if (done && kind === 'reminder') reminders++;
      if (done && kind === 'escalation') escalations++;
    }
  }
  return { reminders, escalations };
}

/** Ops "remind all": one `time.reminder` now for every waiting entry of a client or worksite. Returns how many. */
export async function remindAll(store: Store, scope: { clientId?: string; worksiteId?: string }, actor: string, now: string): Promise<number> {
  let count = 0;
  const today = now.slice(0, 10);
  for (const e of await store.repos.time.waiting(scope)) {
    const done = await store.unitOfWork(async (tx) => {
      const entry = await tx.canonical.get('time_entry', e.id);
      if (!entry || entry.fields['status'] !== 'submitted') return false;
      if (!(await tx.time.recordNudge(e.id, e.submittedAt, `manual:${now}`, now))) return false;
      const route = await routeApproval(tx, e.assignmentId, today);
      await appendTimeEvent(tx, 'time.reminder', entry, route, { actor, recipients: route.approvers, at: now, data: { manual: true, route: route.route } });
      return true;
    });
    if (done) count++;
  }
  return count;
}
