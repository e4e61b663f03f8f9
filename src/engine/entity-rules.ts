import { checkTimeEntryTransition, type EntityName, type TimeEntryStatus } from '../model/index.ts';
import type { FieldMap } from '../store/index.ts';

/** Fields of a time entry that payroll has once the entry is exported: changing them needs an adjustment. */
const LOCKED_AFTER_EXPORT = ['assignmentId', 'workDate', 'regularHours', 'overtimeHours', 'doubleTimeHours'];

/**
 * Entity-specific checks on a change, beyond the schema: the time entry status machine and the
 * hours lock after export. Returns the reason a change is refused, or null.
 */
export function refuseChange(entity: EntityName, current: Readonly<FieldMap> | null, next: Readonly<FieldMap>): string | null {
  if (entity !== 'time_entry') return null;
  const nextStatus = next['status'] as TimeEntryStatus;
  if (current === null) return null;
  const status = current['status'] as TimeEntryStatus;
  if (status !== nextStatus) {
    const check = checkTimeEntryTransition(status, nextStatus);
    if (!check.ok) return check.reason;
  }
  if (status === 'exported' || status === 'invoiced') {
    const moved = LOCKED_AFTER_EXPORT.filter((f) => current[f] !== next[f]);
    if (moved.length > 0) {
      return `time entry is ${status}: ${moved.join(', ')} can no longer change (record an adjustment instead)`;
    }
  }
  return null;
}

/** Status changes that must leave a line in the time entry's append-only history. */
export function statusChange(entity: EntityName, current: Readonly<FieldMap> | null, next: Readonly<FieldMap>) {
  if (entity !== 'time_entry') return null;
  const from = (current?.['status'] ?? null) as TimeEntryStatus | null;
  const to = next['status'] as TimeEntryStatus;
  return from === to ? null : { from, to };
}
