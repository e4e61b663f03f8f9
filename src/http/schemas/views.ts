import { z } from 'zod';
import { ENTITIES, type EntityName } from '../../model/index.ts';
import type { CanonicalRow, ConflictRow, InboxRow, LedgerEntry, LinkRow, OutboxRow, RunRow } from '../../store/index.ts';
import { DateTime, EntityNameSchema, ScalarValue } from './common.ts';

/**
 * What the API answers with. Each view is an allow-list: a serializer builds it field by field from
 * a store row, typed by the schema, so a column added to the store does not leak into responses
 * until someone adds it here, and the OpenAPI document shows exactly what is sent.
 */

const Bookkeeping = {
  id: z.string(),
  revision: z.number().int(),
  createdAt: DateTime,
  updatedAt: DateTime,
  deletedAt: DateTime.nullable(),
};
const BOOKKEEPING_KEYS = new Set(Object.keys(Bookkeeping));

/** A canonical record: bookkeeping columns and the entity's own fields side by side. */
export function recordView(entity: EntityName) {
  const shape = ENTITIES[entity].schema.shape;
  for (const key of Object.keys(shape)) {
    if (BOOKKEEPING_KEYS.has(key)) throw new Error(`${entity}.${key} collides with a bookkeeping column`);
  }
  // Every field is optional in the document: a field the caller may not see (a contact and a pay
  // rate, say) is left out of the response, not sent as null.
  const fields = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, (v as z.ZodType).optional()]));
  return z.strictObject({ ...Bookkeeping, ...fields });
}

export type RecordView = { id: string; revision: number; createdAt: string; updatedAt: string; deletedAt: string | null } & Record<string, unknown>;

export function toRecord(row: CanonicalRow): RecordView {
  return { id: row.id, revision: row.revision, createdAt: row.createdAt, updatedAt: row.updatedAt, deletedAt: row.deletedAt, ...row.fields };
}

/** A record with only the fields the caller may see (null: every field). */
export function toVisibleRecord(row: CanonicalRow, visible: ReadonlySet<string> | null): RecordView {
  if (visible === null) return toRecord(row);
  const out: RecordView = { id: row.id, revision: row.revision, createdAt: row.createdAt, updatedAt: row.updatedAt, deletedAt: row.deletedAt };
  for (const [field, value] of Object.entries(row.fields)) if (visible.has(field)) out[field] = value;
  return out;
}

export const LinkView = z.strictObject({
  system: z.string(),
  externalId: z.string(),
  state: z.enum(['linked', 'held', 'rejected', 'parked']),
  reason: z.string().nullable(),
  sourceModifiedAt: DateTime.nullable(),
  tombstonedAt: DateTime.nullable(),
  updatedAt: DateTime,
});

export function toLink(l: LinkRow): z.infer<typeof LinkView> {
  return {
    system: l.system, externalId: l.externalId, state: l.state, reason: l.reason, sourceModifiedAt: l.sourceModifiedAt,
    tombstonedAt: l.tombstonedAt, updatedAt: l.updatedAt,
  };
}

export const LedgerEntryView = z.strictObject({
  seq: z.number().int(),
  at: DateTime,
  direction: z.enum(['in', 'out', 'local']),
  system: z.string(),
  entity: EntityNameSchema,
  canonicalId: z.string().nullable(),
  externalId: z.string().nullable(),
  action: z.enum(['create', 'update', 'link', 'delete', 'tombstone', 'restore', 'resolve', 'transition', 'push', 'replay', 'comment']),
  outcome: z.enum(['applied', 'conflict', 'rejected', 'failed']),
  diff: z
    .array(z.strictObject({ field: z.string(), from: ScalarValue, to: ScalarValue, result: z.enum(['applied', 'superseded', 'rejected', 'conflict']) }))
    .nullable(),
  reason: z.string().nullable(),
  sourceModifiedAt: DateTime.nullable(),
  actor: z.string().nullable(),
  runId: z.string().nullable(),
  jobId: z.string().nullable(),
});

export function toLedgerEntry(e: LedgerEntry): z.infer<typeof LedgerEntryView> {
  return {
    seq: e.seq ?? 0, at: e.at, direction: e.direction, system: e.system, entity: e.entity, canonicalId: e.canonicalId,
    externalId: e.externalId, action: e.action, outcome: e.outcome, diff: e.diff, reason: e.reason,
    sourceModifiedAt: e.sourceModifiedAt, actor: e.actor, runId: e.runId, jobId: e.jobId,
  };
}

export const ConflictView = z.strictObject({
  id: z.string(),
  entity: EntityNameSchema,
  canonicalId: z.string(),
  field: z.string(),
  system: z.string(),
  externalId: z.string(),
  base: ScalarValue.meta({ description: 'the value last agreed with the system' }),
  current: ScalarValue.meta({ description: 'the canonical value when the conflict was detected' }),
  incoming: ScalarValue.meta({ description: "the system's new value" }),
  status: z.enum(['open', 'resolved']),
  openedAt: DateTime,
  sourceModifiedAt: DateTime.nullable(),
  runId: z.string().nullable(),
  resolvedAt: DateTime.nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.enum(['incoming', 'current', 'value']).nullable(),
  resolvedValue: ScalarValue,
  resolutionReason: z.string().nullable(),
});

export function toConflict(c: ConflictRow): z.infer<typeof ConflictView> {
  return {
    id: c.id, entity: c.entity, canonicalId: c.canonicalId, field: c.field, system: c.system, externalId: c.externalId,
    base: c.base, current: c.current, incoming: c.incoming, status: c.status, openedAt: c.openedAt,
    sourceModifiedAt: c.sourceModifiedAt, runId: c.runId, resolvedAt: c.resolvedAt, resolvedBy: c.resolvedBy,
    resolution: c.resolution, resolvedValue: c.resolvedValue, resolutionReason: c.resolutionReason,
  };
}

export const OutboxView = z.strictObject({
  id: z.string(),
  system: z.string(),
  entity: EntityNameSchema,
  canonicalId: z.string(),
  op: z.enum(['create', 'update']),
  fields: z.array(z.string()),
  reason: z.string(),
  status: z.enum(['pending', 'processing', 'done', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  externalId: z.string().nullable(),
  createdAt: DateTime,
  updatedAt: DateTime,
  nextAttemptAt: DateTime.nullable(),
  doneAt: DateTime.nullable(),
});

export function toOutbox(o: OutboxRow): z.infer<typeof OutboxView> {
  return {
    id: o.id, system: o.system, entity: o.entity, canonicalId: o.canonicalId, op: o.op, fields: o.fields, reason: o.reason,
    status: o.status, attempts: o.attempts, lastError: o.lastError, externalId: o.externalId, createdAt: o.createdAt,
    updatedAt: o.updatedAt, nextAttemptAt: o.nextAttemptAt, doneAt: o.doneAt,
  };
}

/** An inbox row without its payload: raw vendor bytes stay out of API responses. */
export const InboxView = z.strictObject({
  id: z.string(),
  system: z.string(),
  eventId: z.string(),
  kind: z.enum(['webhook', 'event']),
  entity: z.string().nullable(),
  externalId: z.string().nullable(),
  payloadBytes: z.number().int(),
  status: z.enum(['pending', 'done', 'failed', 'ignored']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  receivedAt: DateTime,
  processedAt: DateTime.nullable(),
});

export function toInbox(i: InboxRow): z.infer<typeof InboxView> {
  return {
    id: i.id, system: i.system, eventId: i.eventId, kind: i.kind, entity: i.entity, externalId: i.externalId,
    payloadBytes: Buffer.byteLength(i.payload, 'utf8'), status: i.status, attempts: i.attempts, lastError: i.lastError,
    receivedAt: i.receivedAt, processedAt: i.processedAt,
  };
}

export const RunView = z.strictObject({
  id: z.string(),
  kind: z.enum(['pull', 'reconcile', 'import', 'export', 'push']),
  system: z.string(),
  entity: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed', 'partial']),
  cursor: z.unknown().meta({ description: 'where the run is, so a restart resumes there' }),
  counts: z.record(z.string(), z.number()),
  report: z.unknown(),
  error: z.string().nullable(),
  startedAt: DateTime,
  finishedAt: DateTime.nullable(),
});

export function toRun(r: RunRow): z.infer<typeof RunView> {
  return {
    id: r.id, kind: r.kind, system: r.system, entity: r.entity, status: r.status, cursor: r.cursor, counts: r.counts,
    report: r.report, error: r.error, startedAt: r.startedAt, finishedAt: r.finishedAt,
  };
}
