import { holdAfterCutoff, payPeriodFor, type TimeWorkflowSettings } from '../../model/index.ts';
import type { SyncPolicy } from '../policy.ts';

/**
 * The hold an approval at `approvedAt` puts on an entry (decision 0018): null when
 * it makes the cutoff of every payroll system that takes time and has a pay calendar configured, else the latest "held until" date.
 * Adjustments are never held: a correction is late by nature and belongs to the next payroll run.
 */
export function payrollHold(policy: SyncPolicy, settings: TimeWorkflowSettings, entry: { workDate: string; isAdjustment: boolean }, approvedAt: string): string | null {
  if (entry.isAdjustment) return null;
  const systems = [...new Set(policy.outbound('time_entry').map((r) => r.system))];
  let held: string | null = null;
  for (const system of systems) {
    const calendar = payPeriodFor(settings, system);
    if (calendar === null) continue;
    const until = holdAfterCutoff(entry.workDate, approvedAt, calendar);
    if (until !== null && (held === null || until > held)) held = until;
  }
  return held;
}
