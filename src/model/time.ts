import { z } from 'zod';
import { Hours, Id, IsoDate, IsoDateTime } from './primitives.ts';

export const TimeEntryStatus = z.enum(['draft', 'submitted', 'approved', 'rejected', 'exported', 'invoiced']);
export type TimeEntryStatus = z.infer<typeof TimeEntryStatus>;

/** One worker-day on one assignment. The status moves only along TIME_ENTRY_TRANSITIONS. */
export const TimeEntry = z
  .strictObject({
    assignmentId: Id,
    workDate: IsoDate,
    regularHours: Hours,
    overtimeHours: Hours,
    doubleTimeHours: Hours,
    status: TimeEntryStatus,
    approvedById: Id.nullable(),
    approvedAt: IsoDateTime.nullable(),
    note: z.string().max(1000).nullable(),
  })
  .refine((t) => t.regularHours + t.overtimeHours + t.doubleTimeHours <= 24, {
    message: 'more than 24 hours in one day',
    path: ['regularHours'],
  });

/**
 * The legal moves. A rejected entry may be corrected and submitted again; nothing leaves
 * `invoiced`, and `exported` only moves on to `invoiced` (payroll has it: undoing is an adjustment).
 */
export const TIME_ENTRY_TRANSITIONS: Readonly<Record<TimeEntryStatus, readonly TimeEntryStatus[]>> = {
  draft: ['submitted'],
  submitted: ['approved', 'rejected'],
  approved: ['exported', 'invoiced'],
  rejected: ['submitted'],
  exported: ['invoiced'],
  invoiced: [],
};

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/** Says whether a time entry may move from one status to another, and why not. */
export function checkTimeEntryTransition(from: TimeEntryStatus, to: TimeEntryStatus): TransitionCheck {
  if (from === to) return { ok: false, reason: `time entry is already ${from}` };
  const allowed = TIME_ENTRY_TRANSITIONS[from];
  if (allowed.includes(to)) return { ok: true };
  if (allowed.length === 0) return { ok: false, reason: `a ${from} time entry cannot change status` };
  return {
    ok: false,
    reason: `a ${from} time entry can only become ${allowed.join(' or ')}, not ${to}`,
  };
}

/** Append-only history of a time entry's status changes: who, when, from, to, why. */
export const TimeEntryEvent = z.strictObject({
  timeEntryId: Id,
  at: IsoDateTime,
  actor: z.string().min(1).max(200),
  fromStatus: TimeEntryStatus.nullable(),
  toStatus: TimeEntryStatus,
  comment: z.string().max(1000).nullable(),
});
