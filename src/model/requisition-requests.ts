import { z } from 'zod';
import { Cents, IsoDate } from './primitives.ts';
import { EmploymentType } from './recruiting.ts';

/**
 * A client's request for workers, from draft to open (src/requisitions): the portal's workflow
 * before and around the ATS's requisition. Opening it creates the canonical requisition, which the
 * outbox pushes to the ATS (a Bullhorn JobOrder).
 */
export const REQUEST_STATUSES = ['draft', 'submitted', 'approved', 'open', 'on_hold', 'filled', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The legal moves. `approved` opens at once (the hub then pushes it); filled and cancelled are final. */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  draft: ['submitted', 'cancelled'],
  submitted: ['approved', 'cancelled'],
  approved: ['open'],
  open: ['on_hold', 'filled', 'cancelled'],
  on_hold: ['open', 'filled', 'cancelled'],
  filled: [],
  cancelled: [],
};

/** Why a move is illegal (null when it is legal), naming the current state. */
export function refuseRequestMove(from: RequestStatus, to: RequestStatus): string | null {
  const allowed = REQUEST_TRANSITIONS[from];
  if (allowed.includes(to)) return null;
  if (allowed.length === 0) return `the request is ${from}: it cannot change any more`;
  return `the request is ${from}: it can become ${allowed.join(' or ')}, not ${to}`;
}

/** The fields a request carries (all optional until the client's template makes them required). */
export const RequestFields = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  employmentType: EmploymentType.optional(),
  shift: z.string().trim().min(1).max(100).optional(),
  startDate: IsoDate.optional(),
  endDate: IsoDate.optional(),
  openings: z.number().int().min(1).max(10_000).optional(),
  billRateMinCents: Cents.optional(),
  billRateMaxCents: Cents.optional(),
});
export type RequestFields = z.infer<typeof RequestFields>;

/** What a template may require, in the client's words, and the fields each one needs. */
export const TEMPLATE_FIELDS = {
  position: ['title'],
  worksite: [],
  shift: ['shift'],
  startDate: ['startDate'],
  headcount: ['openings'],
  billRateRange: ['billRateMinCents', 'billRateMaxCents'],
} as const satisfies Record<string, ReadonlyArray<keyof RequestFields>>;
export type TemplateField = keyof typeof TEMPLATE_FIELDS;
export const TemplateField = z.enum(Object.keys(TEMPLATE_FIELDS) as [TemplateField, ...TemplateField[]]);

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks a request against its client's template before submit: every required field present, and
 * the fields consistent with one another. One error per field, so the form can show each.
 */
export function validateRequest(fields: RequestFields, required: readonly TemplateField[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of required) {
    for (const field of TEMPLATE_FIELDS[name]) {
      if (fields[field] === undefined) errors.push({ path: field, message: `${name} is required by the client's request template` });
    }
  }
  if (fields.startDate !== undefined && fields.endDate !== undefined && fields.endDate < fields.startDate) {
    errors.push({ path: 'endDate', message: 'endDate is before startDate' });
  }
  if (fields.billRateMinCents !== undefined && fields.billRateMaxCents !== undefined && fields.billRateMaxCents < fields.billRateMinCents) {
    errors.push({ path: 'billRateMaxCents', message: 'the bill-rate range ends below its start' });
  }
  // Opening creates the ATS requisition, which needs a title whatever the template says.
  if (fields.title === undefined && !required.includes('position')) errors.push({ path: 'title', message: 'position is required to open a requisition' });
  return errors;
}
