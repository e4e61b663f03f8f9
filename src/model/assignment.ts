import { z } from 'zod';
import { Cents, Id, IsoDate } from './primitives.ts';

export const AssignmentStatus = z.enum(['pending', 'active', 'completed', 'terminated', 'cancelled']);

/** A placement: candidate × requisition × worksite × approver, with dates. Rates live in AssignmentRate. */
export const Assignment = z
  .strictObject({
    candidateId: Id,
    requisitionId: Id.nullable(),
    worksiteId: Id.nullable(),
    approverContactId: Id.nullable(),
    title: z.string().max(200).nullable(),
    startDate: IsoDate,
    endDate: IsoDate.nullable(),
    status: AssignmentStatus,
  })
  .refine((a) => a.endDate === null || a.endDate >= a.startDate, {
    message: 'endDate is before startDate',
    path: ['endDate'],
  });

/**
 * Pay and bill rates effective from a date until the next row for the same assignment.
 * Pay rate and margin are never client-visible.
 */
export const AssignmentRate = z.strictObject({
    assignmentId: Id,
    effectiveFrom: IsoDate,
    payRateCents: Cents,
    billRateCents: Cents,
    otPayRateCents: Cents.nullable(),
    otBillRateCents: Cents.nullable(),
    dtPayRateCents: Cents.nullable(),
    dtBillRateCents: Cents.nullable(),
});
