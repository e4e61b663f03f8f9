import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Sync state. `links` ties an external record to its canonical record and keeps the merge base;
 * `ledger` is the append-only history; `conflicts` wait for a human; `inbox` and `outbox` are the
 * durable queues of record (Redis is never the system of record); `runs` records every pull,
 * reconcile, import and export.
 */

export const links = sqliteTable(
  'links',
  {
    system: text('system').notNull(),
    entity: text('entity').notNull(),
    externalId: text('external_id').notNull(),
    /** Null while the record is held (a reference not yet known), rejected or parked for review. */
    canonicalId: text('canonical_id'),
    /** linked | held | rejected | parked */
    state: text('state').notNull(),
    /** JSON: the field values last agreed with this system, in canonical form (the merge base). */
    base: text('base'),
    /** Hash of the last record received from this system: an identical record costs no writes. */
    sourceHash: text('source_hash'),
    /** The source's own modified time of that record (ISO), never our clock. */
    sourceModifiedAt: text('source_modified_at'),
    /** JSON: the held or parked record waiting to be applied, in mapped form. */
    pending: text('pending'),
    /** `system|entity|externalId` of the reference a held record waits for. */
    waitingOn: text('waiting_on'),
    /** Why a record is held, rejected or parked. */
    reason: text('reason'),
    /** JSON: vendor bookkeeping that is not canonical data (Gusto `version`, a job uuid). */
    meta: text('meta'),
    /** Set when the source no longer has the record; canonical delete follows after a grace period. */
    tombstonedAt: text('tombstoned_at'),
    /** Run that last saw the record at the source (reconciliation). */
    seenRunId: text('seen_run_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.system, t.entity, t.externalId] }),
    // One link per system for a canonical record; the same index answers "who has this record".
    uniqueIndex('links_canonical').on(t.entity, t.canonicalId, t.system),
    index('links_waiting').on(t.waitingOn).where(sql`${t.waitingOn} IS NOT NULL`),
  ],
);

export const ledger = sqliteTable(
  'ledger',
  {
    /** Append-only sequence: readers page by it. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    /** in (from a source) | out (pushed to a system) | local (portal action, resolution) */
    direction: text('direction').notNull(),
    system: text('system').notNull(),
    entity: text('entity').notNull(),
    canonicalId: text('canonical_id'),
    externalId: text('external_id'),
    /** create | update | delete | tombstone | resolve | transition | push */
    action: text('action').notNull(),
    /** applied | conflict | rejected | failed */
    outcome: text('outcome').notNull(),
    /** JSON: [{ field, from, to, result }] */
    diff: text('diff'),
    reason: text('reason'),
    sourceModifiedAt: text('source_modified_at'),
    actor: text('actor'),
    runId: text('run_id'),
    jobId: text('job_id'),
  },
  (t) => [
    // Every index is paid for on every insert of the busiest table: a record's history, a run's
    // rows, and the rare outcomes ops look for (a partial index stays small).
    index('ledger_record').on(t.entity, t.canonicalId, t.seq),
    index('ledger_run').on(t.runId),
    index('ledger_exceptions').on(t.outcome, t.seq).where(sql`${t.outcome} <> 'applied'`),
  ],
);

export const conflicts = sqliteTable(
  'conflicts',
  {
    id: text('id').primaryKey(),
    entity: text('entity').notNull(),
    canonicalId: text('canonical_id').notNull(),
    field: text('field').notNull(),
    /** The system whose incoming value disagrees. */
    system: text('system').notNull(),
    externalId: text('external_id').notNull(),
    /** JSON values: last agreed with the system, canonical at detection, incoming. */
    base: text('base'),
    current: text('current'),
    incoming: text('incoming'),
    status: text('status').notNull(),
    openedAt: text('opened_at').notNull(),
    sourceModifiedAt: text('source_modified_at'),
    runId: text('run_id'),
    resolvedAt: text('resolved_at'),
    resolvedBy: text('resolved_by'),
    /** incoming | current | value */
    resolution: text('resolution'),
    resolvedValue: text('resolved_value'),
    resolutionReason: text('resolution_reason'),
  },
  (t) => [
    // One open conflict per field and system: a newer incoming value updates it instead of piling up.
    uniqueIndex('conflicts_open').on(t.entity, t.canonicalId, t.field, t.system).where(sql`${t.status} = 'open'`),
    index('conflicts_status').on(t.status, t.openedAt),
  ],
);

export const inbox = sqliteTable(
  'inbox',
  {
    id: text('id').primaryKey(),
    system: text('system').notNull(),
    /** The vendor's delivery or event id: the replay and duplicate defence. */
    eventId: text('event_id').notNull(),
    /** webhook | event */
    kind: text('kind').notNull(),
    entity: text('entity'),
    externalId: text('external_id'),
    /** The exact bytes received, after signature verification. */
    payload: text('payload').notNull(),
    /** JSON: the delivery headers its connector reads again at processing (an event id header). */
    headers: text('headers'),
    /** pending | done | failed | ignored */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: text('received_at').notNull(),
    processedAt: text('processed_at'),
  },
  (t) => [uniqueIndex('inbox_event').on(t.system, t.eventId), index('inbox_status').on(t.status, t.receivedAt)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    system: text('system').notNull(),
    entity: text('entity').notNull(),
    canonicalId: text('canonical_id').notNull(),
    /** create | update */
    op: text('op').notNull(),
    /** JSON array of canonical field names to push; values are read when the push runs. */
    fields: text('fields').notNull(),
    reason: text('reason').notNull(),
    /** pending | done | failed (parked for ops) */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Sent to the vendor where it supports one; stable across retries of this row. */
    idempotencyKey: text('idempotency_key').notNull(),
    externalId: text('external_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    nextAttemptAt: text('next_attempt_at'),
    /** `entity|canonicalId` of a record the push needs in this system first (an employee before its job). */
    waitingOn: text('waiting_on'),
    doneAt: text('done_at'),
  },
  (t) => [
    // Changes to one record coalesce into its one pending row.
    uniqueIndex('outbox_pending').on(t.system, t.entity, t.canonicalId).where(sql`${t.status} = 'pending'`),
    index('outbox_waiting').on(t.system, t.waitingOn).where(sql`${t.waitingOn} IS NOT NULL`),
    index('outbox_status').on(t.status, t.createdAt),
  ],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    /** pull | reconcile | import | export */
    kind: text('kind').notNull(),
    system: text('system').notNull(),
    entity: text('entity'),
    /** running | succeeded | failed | partial */
    status: text('status').notNull(),
    /** JSON: where the run is (a page cursor), so a crash resumes there. */
    cursor: text('cursor'),
    /** JSON: created, updated, unchanged, conflicts, rejected, held, and kind-specific counts. */
    counts: text('counts'),
    /** JSON: the run's full report. */
    report: text('report'),
    error: text('error'),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (t) => [index('runs_kind').on(t.kind, t.system, t.startedAt)],
);

/** Per system and entity: the source's modified time as of the start of the last complete pull. */
export const syncCursors = sqliteTable(
  'sync_cursors',
  {
    system: text('system').notNull(),
    entity: text('entity').notNull(),
    cursor: text('cursor').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.system, t.entity] })],
);

/**
 * Durable per-system key/value for connectors: Bullhorn's refresh tokens are single-use, so the
 * newest one must survive a restart. Values are credentials: never logged, never exported.
 */
export const connectorState = sqliteTable(
  'connector_state',
  {
    system: text('system').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.system, t.key] })],
);
