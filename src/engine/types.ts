import type { EntityName } from '../model/index.ts';
import type { Scalar } from '../store/index.ts';

/**
 * A reference to another canonical record by the id some system knows it by. The engine resolves
 * it through `links`; when no link exists yet the record is held, never guessed.
 */
export interface RefValue {
  readonly ref: { readonly system: string; readonly externalId: string };
}

export type IncomingValue = Scalar | RefValue;

export function isRef(value: IncomingValue | undefined): value is RefValue {
  return typeof value === 'object' && value !== null;
}

/** How to find the canonical record for an external record seen for the first time. */
export interface MatchHints {
  /** The record carries our canonical id (a portal id in a vendor custom field, a CSV column). */
  readonly canonicalId?: string;
  /** The record carries another system's id for the same thing. */
  readonly links?: ReadonlyArray<{ readonly system: string; readonly externalId: string }>;
  /** A normalised email, for entities that have one; matched only when exactly one record has it. */
  readonly email?: string;
  /**
   * Ops looked at this record in the identity review queue and kept it apart from the records it
   * resembles: it becomes a canonical record of its own, whatever its keys match.
   */
  readonly apart?: boolean;
}

/** One vendor record, already mapped to canonical field names. */
export interface IncomingRecord {
  readonly externalId: string;
  /** The source's own modified time (ISO), not ours. */
  readonly sourceModifiedAt: string | null;
  /** Canonical field → value; only the fields this system's mapping carries inward. */
  readonly values: Readonly<Record<string, IncomingValue>>;
  /** The source says the record is gone (soft delete, DELETED event). */
  readonly deleted?: boolean;
  readonly match?: MatchHints;
  /** Vendor bookkeeping the mapping keeps on the link (`keep:`), laid over what the link holds. */
  readonly linkMeta?: Readonly<Record<string, string | number>>;
  /**
   * Set by the mapping when the vendor record could be identified but not mapped (a date that does
   * not parse, an unknown enum value): the engine records it as rejected with this reason, and the
   * rest of the batch still applies.
   */
  readonly invalid?: string;
}

export interface ApplyBatch {
  readonly system: string;
  readonly entity: EntityName;
  readonly records: readonly IncomingRecord[];
  readonly runId?: string;
  readonly jobId?: string;
}

export interface ApplySummary {
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  rejected: number;
  held: number;
  parked: number;
  tombstoned: number;
  /** First-seen records linked to an existing canonical record without changing it (audited as `link`). */
  linked: number;
  /** Held records from earlier batches that this batch's new links released and applied. */
  released: number;
  /** Open conflicts the raising system settled by now sending the current value (audited as `resolve`). */
  settled: number;
}

export function emptySummary(): ApplySummary {
  return { created: 0, updated: 0, unchanged: 0, conflicts: 0, rejected: 0, held: 0, parked: 0, tombstoned: 0, linked: 0, released: 0, settled: 0 };
}

export function addSummary(into: ApplySummary, from: Readonly<ApplySummary>): ApplySummary {
  for (const key of Object.keys(into) as Array<keyof ApplySummary>) into[key] += from[key];
  return into;
}
