import { z } from 'zod';
import { Email, Id, Text, UsState } from './primitives.ts';

export const ClientStatus = z.enum(['prospect', 'active', 'inactive']);
export const BillingFrequency = z.enum(['weekly', 'biweekly', 'semimonthly', 'monthly']);

/** A customer of the staffing firm. */
export const Client = z.strictObject({
  name: Text(200),
  status: ClientStatus,
  phone: z.string().max(40).nullable(),
  website: z.string().max(200).nullable(),
  billingFrequency: BillingFrequency.nullable(),
  addressLine1: z.string().max(200).nullable(),
  city: z.string().max(100).nullable(),
  state: UsState.nullable(),
  postalCode: z.string().max(10).nullable(),
});

export const WorksiteStatus = z.enum(['active', 'inactive']);

/** A place where a client's work happens; the permission boundary for portal users. */
export const Worksite = z.strictObject({
  clientId: Id,
  name: Text(200),
  status: WorksiteStatus,
  addressLine1: z.string().max(200).nullable(),
  city: z.string().max(100).nullable(),
  state: UsState.nullable(),
  postalCode: z.string().max(10).nullable(),
  timeZone: z.string().max(64).nullable(),
});

export const ContactStatus = z.enum(['active', 'inactive']);

/** A person at a client: requester, approver, billing or HR contact. */
export const Contact = z.strictObject({
  clientId: Id,
  firstName: Text(100),
  lastName: Text(100),
  email: Email.nullable(),
  phone: z.string().max(40).nullable(),
  title: z.string().max(200).nullable(),
  status: ContactStatus,
});

export const ContactRole = z.enum(['requester', 'approver', 'billing', 'hr']);

/** Approval authority lives on the worksite–contact pair, not on the contact. */
export const ContactWorksiteRole = z.strictObject({
  contactId: Id,
  worksiteId: Id,
  role: ContactRole,
});
