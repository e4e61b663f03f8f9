import type { Repos } from '../../store/index.ts';
import { routeApproval, type ApprovalRoute } from './routing.ts';

/**
 * The ops exception queue for time (decision 0018), derived on read rather than
 * kept in a table, so it can never disagree with the entries: submitted entries that no contact
 * can approve today (no approver at the worksite, no valid delegate), and approved entries held
 * after a pay-period cutoff. The API, the CLI and (later) the console all call this.
 */
export interface TimeException {
  readonly timeEntryId: string;
  readonly reason: 'no_approver' | 'held_after_cutoff';
  readonly workDate: string;
  readonly worksiteId: string | null;
  readonly clientId: string | null;
  /** Since when it waits: the submission, or the approval that was held. */
  readonly since: string | null;
  readonly waitingHours: number | null;
  /** For a held entry: the date it goes to payroll unless released earlier. */
  readonly heldUntil: string | null;
}

export async function listTimeExceptions(repos: Repos, now: string, filter: { clientId?: string } = {}): Promise<TimeException[]> {
  const today = now.slice(0, 10);
  const hoursSince = (at: string | null) => (at === null ? null : Math.max(0, Math.round(((Date.parse(now) - Date.parse(at)) / 3_600_000) * 10) / 10));
  const routes = new Map<string, ApprovalRoute>();
  const out: TimeException[] = [];
  for (const e of await repos.time.waiting(filter.clientId === undefined ? {} : { clientId: filter.clientId })) {
    let route = routes.get(e.assignmentId);
    if (route === undefined) {
      route = await routeApproval(repos, e.assignmentId, today);
      routes.set(e.assignmentId, route);
    }
    if (route.route !== 'none') continue;
    out.push({ timeEntryId: e.id, reason: 'no_approver', workDate: e.workDate, worksiteId: e.worksiteId, clientId: e.clientId, since: e.submittedAt, waitingHours: hoursSince(e.submittedAt), heldUntil: null });
  }
  for (const e of await repos.time.held()) {
    if (filter.clientId !== undefined && e.clientId !== filter.clientId) continue;
    out.push({ timeEntryId: e.id, reason: 'held_after_cutoff', workDate: e.workDate, worksiteId: e.worksiteId, clientId: e.clientId, since: e.approvedAt, waitingHours: hoursSince(e.approvedAt), heldUntil: e.heldUntil });
  }
  return out;
}
