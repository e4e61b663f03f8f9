import type { z } from 'zod';
import { Assignment, AssignmentRate } from './assignment.ts';
import { Invoice, InvoiceLine } from './billing.ts';
import { Document } from './document.ts';
import type { MatchKey } from './identity.ts';
import { Client, Contact, ContactWorksiteRole, Worksite } from './organization.ts';
import { Candidate, Requisition, Submission } from './recruiting.ts';
import { TimeEntry, TimeEntryEvent } from './time.ts';

/**
 * The canonical entities and what the generic parts of the hub (store, engine, mapping, API)
 * need to know about each: its schema, which fields point at other entities, and whether it
 * bears money (never hard-deleted).
 */
export interface EntityDef {
  readonly name: EntityName;
  /** Strict schema of the entity's own fields (id and bookkeeping columns excluded). */
  readonly schema: z.ZodObject;
  /** field → entity it references by canonical id. */
  readonly refs: Readonly<Record<string, EntityName>>;
  /** Time entries and invoices carry money: deletes are soft, after a grace period, always. */
  readonly moneyBearing: boolean;
  /** Field used for identity matching by normalised email, when the entity has one. */
  readonly emailField?: string;
  /**
   * Natural keys, strongest first: a record seen for the first time in a system is the canonical
   * record that exactly one strong key points at; anything less certain waits in the identity
   * review queue. None: a first-seen record is matched only by ids its mapping carries.
   */
  readonly matchKeys?: readonly MatchKey[];
  /** Append-only entities are written by the hub itself and never merged from a source. */
  readonly appendOnly?: boolean;
  /** Fields a client-role user may see; everything else (pay rates, margins) stays internal. */
  readonly clientVisible: readonly string[];
}

export const ENTITY_NAMES = [
  'client',
  'worksite',
  'contact',
  'contact_worksite_role',
  'requisition',
  'candidate',
  'submission',
  'assignment',
  'assignment_rate',
  'time_entry',
  'time_entry_event',
  'invoice',
  'invoice_line',
  'document',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

const EMAIL: MatchKey = { name: 'email', parts: [{ field: 'email', norm: 'email' }], strength: 'strong' };
// A phone is shared by a household or a front desk, and reused: evidence for a person, not proof.
const PHONE: MatchKey = { name: 'phone', parts: [{ field: 'phone', norm: 'phone' }], strength: 'weak' };

function def(d: Omit<EntityDef, 'moneyBearing' | 'refs' | 'clientVisible'> & Partial<EntityDef>): EntityDef {
  return {
    refs: {},
    moneyBearing: false,
    clientVisible: Object.keys(d.schema.shape),
    ...d,
  };
}

export const ENTITIES: Readonly<Record<EntityName, EntityDef>> = {
  client: def({ name: 'client', schema: Client }),
  worksite: def({
    name: 'worksite',
    schema: Worksite,
    refs: { clientId: 'client' },
    matchKeys: [{ name: 'client + address', parts: [{ field: 'clientId', norm: 'exact' }, { field: 'addressLine1', norm: 'text' }], strength: 'strong' }],
  }),
  contact: def({ name: 'contact', schema: Contact, refs: { clientId: 'client' }, emailField: 'email', matchKeys: [EMAIL, PHONE] }),
  contact_worksite_role: def({
    name: 'contact_worksite_role',
    schema: ContactWorksiteRole,
    refs: { contactId: 'contact', worksiteId: 'worksite' },
  }),
  requisition: def({
    name: 'requisition',
    schema: Requisition,
    refs: { clientId: 'client', worksiteId: 'worksite', requestedById: 'contact' },
    clientVisible: ['clientId', 'worksiteId', 'requestedById', 'title', 'status', 'employmentType', 'openings', 'startDate', 'endDate', 'billRateCents'],
  }),
  candidate: def({
    name: 'candidate',
    schema: Candidate,
    emailField: 'email',
    matchKeys: [EMAIL, PHONE],
    clientVisible: ['firstName', 'lastName', 'status'],
  }),
  submission: def({ name: 'submission', schema: Submission, refs: { candidateId: 'candidate', requisitionId: 'requisition' } }),
  assignment: def({
    name: 'assignment',
    schema: Assignment,
    refs: { candidateId: 'candidate', requisitionId: 'requisition', worksiteId: 'worksite', approverContactId: 'contact' },
  }),
  assignment_rate: def({
    name: 'assignment_rate',
    schema: AssignmentRate,
    refs: { assignmentId: 'assignment' },
    clientVisible: ['assignmentId', 'effectiveFrom', 'billRateCents', 'otBillRateCents', 'dtBillRateCents'],
  }),
  time_entry: def({
    name: 'time_entry',
    schema: TimeEntry,
    refs: { assignmentId: 'assignment', approvedById: 'contact', adjustsEntryId: 'time_entry' },
    moneyBearing: true,
    // One worker-day on one assignment, whoever reports it: a second source's timesheet for the same
    // day is the same entry (paid once). The canonical model has no shift: when it gains one, it
    // joins this key.
    matchKeys: [{ name: 'assignment + work date', parts: [{ field: 'assignmentId', norm: 'exact' }, { field: 'workDate', norm: 'exact' }], strength: 'strong' }],
  }),
  time_entry_event: def({
    name: 'time_entry_event',
    schema: TimeEntryEvent,
    refs: { timeEntryId: 'time_entry' },
    appendOnly: true,
  }),
  invoice: def({ name: 'invoice', schema: Invoice, refs: { clientId: 'client' }, moneyBearing: true }),
  invoice_line: def({
    name: 'invoice_line',
    schema: InvoiceLine,
    refs: { invoiceId: 'invoice', assignmentId: 'assignment', timeEntryId: 'time_entry' },
    moneyBearing: true,
  }),
  document: def({ name: 'document', schema: Document }),
};

export function isEntityName(name: string): name is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}

/** The fields of an entity in schema order: the column order of its table and of its hash. */
export function entityFields(entity: EntityName): readonly string[] {
  return Object.keys(ENTITIES[entity].schema.shape);
}
