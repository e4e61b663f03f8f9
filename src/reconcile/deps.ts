import type { ConnectorInstance } from '../../connectors/kit/types.ts';
import type { Engine } from '../engine/index.ts';
import type { CompiledMapping } from '../mapping/index.ts';
import type { EntityName } from '../model/index.ts';
import type { Store } from '../store/index.ts';

export interface ReconcileSettings {
  /**
   * A complete listing smaller than `(1 − shrinkThreshold) ×` the live links is suspicious: no
   * tombstones (config `reconcile.shrinkThreshold`).
   * @defaultValue 0.5
   */
  readonly shrinkThreshold: number;
  /** Days a tombstone waits before the canonical record is soft-deleted (config `reconcile.graceDays`). @defaultValue 7 */
  readonly graceDays: number;
  /** An approved time entry older than this many days and not in payroll is an orphan. @defaultValue 14 */
  readonly approvedCutoffDays: number;
  /** External ids fetched and applied per repair step (one `fetchByIds` call). @defaultValue 200 */
  readonly repairPage: number;
  /** Missing links confirmed per delete step (one `fetchByIds` call). @defaultValue 200 */
  readonly deletePage: number;
  /** Staging rows deleted per unit of work when a run ends (short transactions). @defaultValue 10_000 */
  readonly purgeChunk: number;
  /** Orphan ids listed per kind in the report (the count is always complete). @defaultValue 100 */
  readonly orphanListLimit: number;
  /** Listing page size asked of the connector; the connector's own default when absent. */
  readonly pageSize?: number;
}

export const DEFAULT_SETTINGS: ReconcileSettings = {
  shrinkThreshold: 0.5,
  graceDays: 7,
  approvedCutoffDays: 14,
  repairPage: 200,
  deletePage: 200,
  purgeChunk: 10_000,
  orphanListLimit: 100,
};

/** A system's rate limit as the queue knows it: `max` requests per `duration` ms. */
export interface RequestLimit {
  readonly max: number;
  readonly duration: number;
}

/**
 * Everything one reconcile run of one system and vendor entity needs. The job handler builds it
 * from the hub; tests build it around a fake connector. Nothing here reaches for a global.
 */
export interface ReconcileDeps {
  readonly store: Store;
  readonly engine: Pick<Engine, 'applyIn' | 'policy'>;
  readonly connector: ConnectorInstance;
  readonly system: string;
  readonly systemKind: 'ats' | 'payroll';
  readonly vendorEntity: string;
  /** The mappings fed by the vendor entity that carry something inward. */
  readonly mappings: readonly CompiledMapping[];
  readonly settings: ReconcileSettings;
  readonly rateLimit: RequestLimit | null;
  /**
   * For a payroll system: the canonical entities any of its mappings carries (either direction), so
   * orphan checks only ask about records the system can hold.
   */
  readonly payrollEntities: ReadonlySet<EntityName>;
  /** The clock (ISO). @defaultValue nowIso */
  readonly now: () => string;
  readonly jobId?: string;
}
