import type { Repos } from '../../store/index.ts';
import { listTimeExceptions } from './exceptions.ts';

/**
 * Portal metrics read from the histories (decision 0018): ids only, never names or
 * emails, so they can be labels. Cycle time is submitted → approved per approval (each approval
 * against the latest submission before it).
 */
export interface PortalMetrics {
  readonly cycleTime: ReadonlyArray<{ clientId: string; worksiteId: string; approvals: number; p50Seconds: number; p95Seconds: number }>;
  readonly workflow: ReadonlyArray<{ clientId: string; entries: number; disputesPer100: number; correctionsPer100: number }>;
  readonly exceptions: ReadonlyArray<{ reason: string; waiting: number; oldestHours: number }>;
  readonly reminders: ReadonlyArray<{ clientId: string; reminders: number; escalations: number }>;
  readonly activeContacts: ReadonlyArray<{ clientId: string; contacts: number }>;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? 0;
}

const per100 = (n: number, of: number) => (of === 0 ? 0 : Math.round((n * 10_000) / of) / 100);

export async function portalMetrics(repos: Repos, now: string, filter: { clientId?: string } = {}): Promise<PortalMetrics> {
  const keep = (clientId: string) => filter.clientId === undefined || filter.clientId === clientId;
  const groups = new Map<string, { clientId: string; worksiteId: string; seconds: number[] }>();
  for (const row of await repos.time.cycleTimes()) {
    if (!keep(row.clientId)) continue;
    const key = `${row.clientId}|${row.worksiteId}`;
    const g = groups.get(key) ?? { clientId: row.clientId, worksiteId: row.worksiteId, seconds: [] };
    g.seconds.push(Math.max(0, row.seconds));
    groups.set(key, g);
  }
  const cycleTime = [...groups.values()].map((g) => {
    const sorted = [...g.seconds].sort((a, b) => a - b);
    return { clientId: g.clientId, worksiteId: g.worksiteId, approvals: sorted.length, p50Seconds: Math.round(percentile(sorted, 50)), p95Seconds: Math.round(percentile(sorted, 95)) };
  });
  const workflow = (await repos.time.workflowCounts()).filter((r) => keep(r.clientId)).map((r) => ({
    clientId: r.clientId, entries: r.entries, disputesPer100: per100(r.disputes, r.entries), correctionsPer100: per100(r.corrections, r.entries),
  }));
  const byReason = new Map<string, { waiting: number; oldestHours: number }>();
  for (const e of await listTimeExceptions(repos, now, filter)) {
    const r = byReason.get(e.reason) ?? { waiting: 0, oldestHours: 0 };
    r.waiting += 1;
    r.oldestHours = Math.max(r.oldestHours, e.waitingHours ?? 0);
    byReason.set(e.reason, r);
  }
  const exceptions = ['no_approver', 'held_after_cutoff'].map((reason) => ({ reason, ...(byReason.get(reason) ?? { waiting: 0, oldestHours: 0 }) }));
  const nudges = new Map<string, { clientId: string; reminders: number; escalations: number }>();
  for (const r of await repos.time.eventCounts(['time.reminder', 'time.escalated'])) {
    if (!keep(r.clientId)) continue;
    const n = nudges.get(r.clientId) ?? { clientId: r.clientId, reminders: 0, escalations: 0 };
    if (r.type === 'time.reminder') n.reminders += r.count;
    else n.escalations += r.count;
    nudges.set(r.clientId, n);
  }
  const weekAgo = new Date(Date.parse(now) - 7 * 86_400_000).toISOString();
  const activeContacts = (await repos.time.activeContacts(weekAgo)).filter((r) => keep(r.clientId));
  return { cycleTime, workflow, exceptions, reminders: [...nudges.values()], activeContacts };
}
