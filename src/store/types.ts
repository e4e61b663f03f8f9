import type { EntityName } from '../model/index.ts';

/** A canonical field value as stored: scalars only; children are entities of their own. */
export type Scalar = string | number | null;
export type FieldMap = Record<string, Scalar>;

export interface CanonicalRow {
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  changedAt: string | null;
  deletedAt: string | null;
  fields: FieldMap;
}

export type LinkState = 'linked' | 'held' | 'rejected' | 'parked';

export interface LinkRow {
  system: string;
  entity: EntityName;
  externalId: string;
  canonicalId: string | null;
  state: LinkState;
  base: FieldMap | null;
  sourceHash: string | null;
  sourceModifiedAt: string | null;
  pending: string | null;
  waitingOn: string | null;
  reason: string | null;
  meta: Record<string, unknown> | null;
  tombstonedAt: string | null;
  seenRunId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type LedgerDirection = 'in' | 'out' | 'local';
export type LedgerAction = 'create' | 'update' | 'link' | 'delete' | 'tombstone' | 'restore' | 'resolve' | 'transition' | 'push' | 'replay' | 'comment';
export type LedgerOutcome = 'applied' | 'conflict' | 'rejected' | 'failed';
export type FieldResult = 'applied' | 'superseded' | 'rejected' | 'conflict';

export interface FieldDiff {
  field: string;
  from: Scalar;
  to: Scalar;
  result: FieldResult;
}

export interface LedgerEntry {
  seq?: number;
  at: string;
  direction: LedgerDirection;
  system: string;
  entity: EntityName;
  canonicalId: string | null;
  externalId: string | null;
  action: LedgerAction;
  outcome: LedgerOutcome;
  diff: FieldDiff[] | null;
  reason: string | null;
  sourceModifiedAt: string | null;
  actor: string | null;
  runId: string | null;
  jobId: string | null;
}

export type ConflictStatus = 'open' | 'resolved';
export type ConflictResolution = 'incoming' | 'current' | 'value';

export interface ConflictRow {
  id: string;
  entity: EntityName;
  canonicalId: string;
  field: string;
  system: string;
  externalId: string;
  base: Scalar;
  current: Scalar;
  incoming: Scalar;
  status: ConflictStatus;
  openedAt: string;
  sourceModifiedAt: string | null;
  runId: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: ConflictResolution | null;
  resolvedValue: Scalar;
  resolutionReason: string | null;
}

export type OutboxStatus = 'pending' | 'processing' | 'done' | 'failed';
export type OutboxOp = 'create' | 'update';

export interface OutboxRow {
  id: string;
  system: string;
  entity: EntityName;
  canonicalId: string;
  op: OutboxOp;
  fields: string[];
  reason: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  idempotencyKey: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string | null;
  /** `entity|canonicalId` of a record the push needs in the target system first. */
  waitingOn: string | null;
  doneAt: string | null;
}

export interface OutboxRequest {
  system: string;
  entity: EntityName;
  canonicalId: string;
  op: OutboxOp;
  fields: readonly string[];
  reason: string;
}

export type InboxStatus = 'pending' | 'done' | 'failed' | 'ignored';

export interface InboxRow {
  id: string;
  system: string;
  eventId: string;
  kind: 'webhook' | 'event';
  entity: string | null;
  externalId: string | null;
  payload: string;
  /**
   * The delivery headers its connector reads when the body is parsed again at processing (the
   * manifest's `webhook.idHeader`, `timestampHeader`): Greenhouse's event id lives in a header.
   * Null for polled events and for connectors that need none.
   */
  headers: Readonly<Record<string, string>> | null;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
}

export type RunKind = 'pull' | 'reconcile' | 'import' | 'export' | 'push';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial';

export interface RunRow {
  id: string;
  kind: RunKind;
  system: string;
  entity: string | null;
  status: RunStatus;
  cursor: unknown;
  counts: Record<string, number>;
  report: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type IdentityReviewStatus = 'open' | 'linked' | 'split';

/** One natural key an external record carried, and the canonical records that share it. */
export interface KeyEvidence {
  key: string;
  strength: 'strong' | 'weak';
  /** The record's value for the key, normalised. */
  value: string;
  matches: string[];
}

/** A canonical record the external record might be: the keys they share and the ones they do not. */
export interface CandidateEvidence {
  canonicalId: string;
  matched: string[];
  differs: Array<{ key: string; incoming: string; current: string | null }>;
}

export interface IdentityEvidence {
  keys: KeyEvidence[];
  candidates: CandidateEvidence[];
}

export interface IdentityReviewRow {
  id: string;
  system: string;
  entity: EntityName;
  externalId: string;
  status: IdentityReviewStatus;
  reason: string;
  evidence: IdentityEvidence;
  openedAt: string;
  updatedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  canonicalId: string | null;
}
