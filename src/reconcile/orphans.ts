import type { OrphanList } from '../store/repos/reconcile-repo.ts';
import type { ReconcileDeps } from './deps.ts';
import type { OrphanKind } from './types.ts';

const DAY_MS = 86_400_000;

/**
 * Cross-system orphans as seen from one payroll system. Listed, never repaired: each has a
 * legitimate cause as often as a broken one (a worker between assignments, an entry held back on
 * purpose, an export done by file), so a person decides. Only kinds the payroll system can hold
 * are asked (no time entry mapping, no time entry orphans).
 */
export async function findOrphans(deps: ReconcileDeps): Promise<Partial<Record<OrphanKind, OrphanList>>> {
  const repo = deps.store.repos.reconcile;
  const limit = deps.settings.orphanListLimit;
  const payroll = deps.system;
  const out: Partial<Record<OrphanKind, OrphanList>> = {};
  if (deps.payrollEntities.has('candidate')) {
    out.payroll_employee_without_assignment = await repo.employeesWithoutAssignment(payroll, limit);
    out.assignment_without_payroll_worker = await repo.assignmentsWithoutPayrollWorker(payroll, limit);
  }
  if (deps.payrollEntities.has('time_entry')) {
    const cutoff = new Date(Date.parse(deps.now()) - deps.settings.approvedCutoffDays * DAY_MS).toISOString();
    out.approved_time_not_exported = await repo.approvedTimeNotExported(payroll, cutoff, limit);
    out.exported_time_missing_in_payroll = await repo.exportedTimeMissingInPayroll(payroll, limit);
  }
  return out;
}

export function orphanTotal(orphans: Partial<Record<OrphanKind, OrphanList>> | null): number {
  return orphans === null ? 0 : Object.values(orphans).reduce((n, list) => n + (list?.count ?? 0), 0);
}
