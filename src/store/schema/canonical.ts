import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { canonicalColumns } from './columns.ts';

// One table per canonical entity. Column names are the snake_case of the model's field names; a
// unit test checks that every model field has its column, so the two cannot drift apart.

export const clients = sqliteTable('clients', {
  ...canonicalColumns,
  name: text('name').notNull(),
  status: text('status').notNull(),
  phone: text('phone'),
  website: text('website'),
  billingFrequency: text('billing_frequency'),
  addressLine1: text('address_line1'),
  city: text('city'),
  state: text('state'),
  postalCode: text('postal_code'),
});

export const worksites = sqliteTable(
  'worksites',
  {
    ...canonicalColumns,
    clientId: text('client_id').notNull().references(() => clients.id),
    name: text('name').notNull(),
    status: text('status').notNull(),
    addressLine1: text('address_line1'),
    city: text('city'),
    state: text('state'),
    postalCode: text('postal_code'),
    timeZone: text('time_zone'),
  },
  (t) => [index('worksites_client').on(t.clientId)],
);

export const contacts = sqliteTable(
  'contacts',
  {
    ...canonicalColumns,
    clientId: text('client_id').notNull().references(() => clients.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    title: text('title'),
    status: text('status').notNull(),
  },
  (t) => [index('contacts_client').on(t.clientId), index('contacts_email').on(sql`lower(${t.email})`)],
);

export const contactWorksiteRoles = sqliteTable(
  'contact_worksite_roles',
  {
    ...canonicalColumns,
    contactId: text('contact_id').notNull().references(() => contacts.id),
    worksiteId: text('worksite_id').notNull().references(() => worksites.id),
    role: text('role').notNull(),
  },
  (t) => [
    index('cwr_worksite_role').on(t.worksiteId, t.role),
    index('cwr_contact').on(t.contactId),
  ],
);

export const requisitions = sqliteTable(
  'requisitions',
  {
    ...canonicalColumns,
    clientId: text('client_id').notNull().references(() => clients.id),
    worksiteId: text('worksite_id').references(() => worksites.id),
    requestedById: text('requested_by_id').references(() => contacts.id),
    title: text('title').notNull(),
    status: text('status').notNull(),
    employmentType: text('employment_type').notNull(),
    openings: integer('openings').notNull(),
    startDate: text('start_date'),
    endDate: text('end_date'),
    payRateCents: integer('pay_rate_cents'),
    billRateCents: integer('bill_rate_cents'),
  },
  (t) => [index('requisitions_client').on(t.clientId), index('requisitions_worksite').on(t.worksiteId)],
);

export const candidates = sqliteTable(
  'candidates',
  {
    ...canonicalColumns,
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    city: text('city'),
    state: text('state'),
    status: text('status').notNull(),
    employeeType: text('employee_type'),
  },
  (t) => [index('candidates_email').on(sql`lower(${t.email})`)],
);

export const submissions = sqliteTable(
  'submissions',
  {
    ...canonicalColumns,
    candidateId: text('candidate_id').notNull().references(() => candidates.id),
    requisitionId: text('requisition_id').notNull().references(() => requisitions.id),
    status: text('status').notNull(),
    submittedAt: text('submitted_at'),
    billRateCents: integer('bill_rate_cents'),
  },
  (t) => [index('submissions_requisition').on(t.requisitionId), index('submissions_candidate').on(t.candidateId)],
);

export const assignments = sqliteTable(
  'assignments',
  {
    ...canonicalColumns,
    candidateId: text('candidate_id').notNull().references(() => candidates.id),
    requisitionId: text('requisition_id').references(() => requisitions.id),
    worksiteId: text('worksite_id').references(() => worksites.id),
    approverContactId: text('approver_contact_id').references(() => contacts.id),
    title: text('title'),
    startDate: text('start_date').notNull(),
    endDate: text('end_date'),
    status: text('status').notNull(),
  },
  (t) => [
    index('assignments_candidate').on(t.candidateId),
    index('assignments_worksite').on(t.worksiteId),
    index('assignments_requisition').on(t.requisitionId),
  ],
);

export const assignmentRates = sqliteTable(
  'assignment_rates',
  {
    ...canonicalColumns,
    assignmentId: text('assignment_id').notNull().references(() => assignments.id),
    effectiveFrom: text('effective_from').notNull(),
    payRateCents: integer('pay_rate_cents').notNull(),
    billRateCents: integer('bill_rate_cents').notNull(),
    otPayRateCents: integer('ot_pay_rate_cents'),
    otBillRateCents: integer('ot_bill_rate_cents'),
    dtPayRateCents: integer('dt_pay_rate_cents'),
    dtBillRateCents: integer('dt_bill_rate_cents'),
  },
  (t) => [index('assignment_rates_effective').on(t.assignmentId, t.effectiveFrom)],
);

export const timeEntries = sqliteTable(
  'time_entries',
  {
    ...canonicalColumns,
    assignmentId: text('assignment_id').notNull().references(() => assignments.id),
    workDate: text('work_date').notNull(),
    regularHours: real('regular_hours').notNull(),
    overtimeHours: real('overtime_hours').notNull(),
    doubleTimeHours: real('double_time_hours').notNull(),
    status: text('status').notNull(),
    approvedById: text('approved_by_id').references(() => contacts.id),
    approvedAt: text('approved_at'),
    note: text('note'),
    // An adjustment's original (no foreign key: a self-reference; the entity refs check it).
    adjustsEntryId: text('adjusts_entry_id'),
    disputeReason: text('dispute_reason'),
    payrollHeldUntil: text('payroll_held_until'),
  },
  (t) => [
    index('time_entries_assignment_date').on(t.assignmentId, t.workDate),
    index('time_entries_status_date').on(t.status, t.workDate),
    index('time_entries_adjusts').on(t.adjustsEntryId),
  ],
);

export const timeEntryEvents = sqliteTable(
  'time_entry_events',
  {
    ...canonicalColumns,
    timeEntryId: text('time_entry_id').notNull().references(() => timeEntries.id),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    comment: text('comment'),
  },
  (t) => [index('time_entry_events_entry').on(t.timeEntryId, t.at)],
);

export const invoices = sqliteTable(
  'invoices',
  {
    ...canonicalColumns,
    clientId: text('client_id').notNull().references(() => clients.id),
    number: text('number').notNull(),
    issueDate: text('issue_date').notNull(),
    dueDate: text('due_date'),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    status: text('status').notNull(),
    totalCents: integer('total_cents').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [index('invoices_client').on(t.clientId), uniqueIndex('invoices_number').on(t.number)],
);

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    ...canonicalColumns,
    invoiceId: text('invoice_id').notNull().references(() => invoices.id),
    assignmentId: text('assignment_id').references(() => assignments.id),
    timeEntryId: text('time_entry_id').references(() => timeEntries.id),
    kind: text('kind').notNull(),
    description: text('description'),
    quantity: real('quantity').notNull(),
    rateCents: integer('rate_cents').notNull(),
    amountCents: integer('amount_cents').notNull(),
  },
  (t) => [index('invoice_lines_invoice').on(t.invoiceId), index('invoice_lines_time_entry').on(t.timeEntryId)],
);

export const documents = sqliteTable(
  'documents',
  {
    ...canonicalColumns,
    ownerEntity: text('owner_entity').notNull(),
    ownerId: text('owner_id').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    version: integer('version').notNull(),
    sha256: text('sha256').notNull(),
    contentType: text('content_type'),
    sizeBytes: integer('size_bytes'),
    visibility: text('visibility').notNull(),
  },
  (t) => [index('documents_owner').on(t.ownerEntity, t.ownerId)],
);
