import type { PageCursor } from '../../connectors/kit/types.ts';
import type { EntityName } from '../model/index.ts';
import type { OrphanList } from '../store/repos/reconcile-repo.ts';

/**
 * A run walks these phases, one committed step at a time:
 * - `listing`: one source page per step, staged with the run's cursor in one unit of work;
 * - `gate`: the listing is complete; per entity, decide whether tombstones are allowed;
 * - `repair`: keyset pages over staging ⋈ links (added, changed, reappeared) → fetch → engine;
 * - `deletes`: keyset pages over links ⋈ staging (not listed) → confirm by id → tombstone;
 * - `grace`: tombstones older than the grace period → canonical soft delete;
 * - `finish`: orphans, report, status; then the staging rows go.
 */
export type ReconcilePhase = 'listing' | 'gate' | 'repair' | 'deletes' | 'grace' | 'finish' | 'done';

/** Per canonical entity, decided once the listing is complete. */
export interface EntityGate {
  /** Rows staged for the entity. */
  readonly staged: number;
  /** Of those, listed alive (not soft-deleted at the source). */
  readonly alive: number;
  /** Live links of the system and entity when the listing completed. */
  readonly links: number;
  /** Whether records missing from the listing may be tombstoned. */
  readonly tombstone: boolean;
  /** Why not, when not. */
  readonly reason: string | null;
}

/**
 * Where a reconcile run is: `runs.cursor`, committed with every step. `page`, `then` and
 * `progressAt` are the fields the relay reads (src/queue/relay.ts): `page` counts committed steps
 * of every phase, so the job for step n is `reconcile:<runId>:<n>` whoever enqueues it.
 */
export interface ReconcileCursor {
  readonly phase: ReconcilePhase;
  readonly page: number;
  readonly then: readonly string[];
  readonly progressAt: string;
  /** The connector's position in the listing; null before the first page. */
  readonly listing: PageCursor | null;
  /** Listing pages committed. */
  readonly listingPages: number;
  /** When the last listing page was committed (ISO): the listing's share of the run's time. */
  readonly listedAt?: string;
  /** Total the source reports, when it does (progress display). */
  readonly total?: number;
  /** Canonical entities this vendor entity feeds, parents first. */
  readonly entities: readonly EntityName[];
  /** The entity a per-entity phase (deletes, grace) is at. */
  readonly entityIndex: number;
  /** Keyset position in the current phase: the last external id handled; null at its start. */
  readonly after: string | null;
  readonly gates: Readonly<Partial<Record<EntityName, EntityGate>>>;
}

/** Counters kept in `runs.counts` (added to by each step). */
export const COUNT_KEYS = [
  /** Vendor records listed. */
  'seen',
  /** Rows staged (one per canonical entity a record feeds). */
  'staged',
  /** Listing pages. */
  'pages',
  /**
   * Staged rows that differed from their link: added + changed + reappeared with the same hash.
   * The report's `matched` is `staged − diff`: rows equal to their link, and rows the source lists
   * as deleted that the hub never knew.
   */
  'diff',
  /** Listed but unknown here (a missed create). */
  'added',
  /** Listed with a hash that differs from the link's (a missed update, or an edit while we were down). */
  'changed',
  /** Canonical rows created or updated by the repairs (the engine's created + updated + released). */
  'repaired',
  /** Conflicts the repairs opened (the engine's count). */
  'conflicts',
  'rejected',
  'held',
  'parked',
  /** Fetched again for a repair and gone by then: left for the next run. */
  'vanished',
  /** Live links the listing did not have. */
  'missing',
  /** Of those, found when fetched by id: the listing skipped them (offset paging); not tombstoned. */
  'relisted',
  'tombstoned',
  /** Canonical soft deletes after the grace period. */
  'deleted',
  /** Tombstoned records listed alive again: tombstone cleared, canonical record undeleted. */
  'restored',
  'orphans',
  /** Vendor records without a usable key. */
  'unidentified',
  /** Vendor requests the run made (retries included, where the connector reports them). */
  'requests',
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];
export type Counts = Partial<Record<CountKey, number>>;

export const ORPHAN_KINDS = [
  /** A payroll employee whose candidate has no assignment. */
  'payroll_employee_without_assignment',
  /** An active assignment whose candidate the payroll system does not have. */
  'assignment_without_payroll_worker',
  /** A time entry approved before the cut-off and never sent to payroll. */
  'approved_time_not_exported',
  /** A time entry marked exported that payroll has no live record of. */
  'exported_time_missing_in_payroll',
] as const;
export type OrphanKind = (typeof ORPHAN_KINDS)[number];

/** The run report: `runs.report`, printed by the CLI, served at `/api/v1/runs/:id`. */
export interface ReconcileReport {
  readonly kind: 'reconcile';
  readonly system: string;
  /** The vendor entity. */
  readonly entity: string;
  readonly runId: string;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly counts: Readonly<Record<CountKey | 'matched', number>>;
  readonly requests: {
    readonly used: number;
    /** What the system's rate limit allowed over the run's duration; null when no limit is known. */
    readonly allowed: number | null;
    readonly limit: { readonly max: number; readonly duration: number } | null;
  };
  readonly durationMs: number;
  /** From the run's start to its last listing page committed; null when the listing never completed. */
  readonly listingMs: number | null;
  readonly tombstones: { readonly skipped: boolean; readonly reasons: readonly string[] };
  readonly entities: Readonly<Partial<Record<EntityName, EntityGate>>>;
  /** Cross-system orphans, for the run that ends a payroll system's chain; null elsewhere. */
  readonly orphans: Readonly<Partial<Record<OrphanKind, OrphanList>>> | null;
  readonly error: string | null;
}
