import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './primitives.ts';

export const TimeEntryStatus = z.enum(['draft', 'submitted', 'approved', 'rejected', 'exported', 'invoiced']);
export type TimeEntryStatus = z.infer<typeof TimeEntryStatus>;

/**
 * Why an approver disputes time (a rejection with a reason): a small fixed list so the portal can
 * count and route disputes; the comment says the rest. Decision 0018.
 */
export const DisputeReason = z.enum(['hours_wrong', 'not_worked', 'wrong_assignment', 'other']);
export type DisputeReason = z.infer<typeof DisputeReason>;

/**
 * Hours on one entry row, at most two decimals. An ordinary entry carries hours as worked (0–24);
 * an adjustment (`adjustsEntryId` set) carries the signed change to its original (-24–24), so the
 * effective hours of an entry are always the original plus its approved adjustments.
 */
const RowHours = z
  .number()
  .min(-24)
  .max(24)
  .refine((h) => Math.abs(Math.round(h * 100) - h * 100) < 1e-6, 'hours carry at most two decimals');

const HOUR_FIELDS = ['regularHours', 'overtimeHours', 'doubleTimeHours'] as const;

/** One worker-day on one assignment. The status moves only along TIME_ENTRY_TRANSITIONS. */
export const TimeEntry = z
  .strictObject({
    assignmentId: Id,
    workDate: IsoDate,
    regularHours: RowHours,
    overtimeHours: RowHours,
    doubleTimeHours: RowHours,
    status: TimeEntryStatus,
    approvedById: Id.nullable(),
    approvedAt: IsoDateTime.nullable(),
    note: z.string().max(1000).nullable(),
    /** Set on an adjustment: the original entry it corrects (its hours are a signed delta). */
    adjustsEntryId: Id.nullable(),
    /** Set when the last rejection was a dispute: why. Cleared nowhere (history keeps the trail). */
    disputeReason: DisputeReason.nullable(),
    /**
     * Approved after its pay period's cutoff: held out of payroll until this date (the next
     * period's start) unless ops release it (null). Pushes to payroll wait while it is set.
     */
    payrollHeldUntil: IsoDate.nullable(),
  })
  .superRefine((t, ctx) => {
    if (t.adjustsEntryId === null) {
      for (const field of HOUR_FIELDS) {
        if (t[field] < 0) ctx.addIssue({ code: 'custom', message: 'hours cannot be negative', path: [field] });
      }
    }
    if (t.regularHours + t.overtimeHours + t.doubleTimeHours > 24) {
      ctx.addIssue({ code: 'custom', message: 'more than 24 hours in one day', path: ['regularHours'] });
    }
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
