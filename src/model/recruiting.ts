import { z } from 'zod';
import { Cents, Email, Id, IsoDate, IsoDateTime, Text, UsState } from './primitives.ts';

export const RequisitionStatus = z.enum(['draft', 'open', 'on_hold', 'filled', 'closed', 'cancelled']);
export const EmploymentType = z.enum(['contract', 'contract_to_hire', 'direct_hire']);

/** A client's request for workers at a worksite. */
export const Requisition = z.strictObject({
  clientId: Id,
  worksiteId: Id.nullable(),
  requestedById: Id.nullable(),
  title: Text(200),
  status: RequisitionStatus,
  employmentType: EmploymentType,
  openings: z.number().int().min(0).max(10_000),
  startDate: IsoDate.nullable(),
  endDate: IsoDate.nullable(),
  payRateCents: Cents.nullable(),
  billRateCents: Cents.nullable(),
});

export const CandidateStatus = z.enum(['active', 'placed', 'inactive']);
export const EmployeeType = z.enum(['w2', '1099', 'c2c']);

/**
 * A worker. Deliberately no SSN, date of birth, bank or EEO fields: the hub never holds them
 * (docs/DESIGN.md, canonical model). `strictObject` makes any such key an error, not a silent drop.
 */
export const Candidate = z.strictObject({
  firstName: Text(100),
  lastName: Text(100),
  email: Email.nullable(),
  phone: z.string().max(40).nullable(),
  city: z.string().max(100).nullable(),
  state: UsState.nullable(),
  status: CandidateStatus,
  employeeType: EmployeeType.nullable(),
});

export const SubmissionStatus = z.enum(['submitted', 'interviewing', 'offered', 'placed', 'rejected', 'withdrawn']);

/** A candidate put forward for a requisition; only client-visible fields. */
export const Submission = z.strictObject({
  candidateId: Id,
  requisitionId: Id,
  status: SubmissionStatus,
  submittedAt: IsoDateTime.nullable(),
  billRateCents: Cents.nullable(),
});
