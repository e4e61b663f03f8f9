import type { EntityName } from '../model/index.ts';

export const IMPORT_KINDS = ['time_entries', 'assignments', 'invoices', 'contacts', 'worksites'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(name: string): name is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(name);
}

/** One canonical entity a row of a kind produces, in the order they are applied (parents first). */
export interface StageDef {
  readonly entity: EntityName;
  /**
   * Canonical fields whose values (references resolved to canonical ids, dates in ISO form) make
   * the row's external id, so the same record is the same key however a file writes it: another
   * date format, the assignment by its Bullhorn id or by ours. Null: the mapping's `key` columns.
   */
  readonly naturalKey: readonly string[] | null;
  /**
   * A second row with the same key: `error` (a duplicate, reported with both lines), or `same`
   * (the record repeats on every row of a group — an invoice on each of its lines, a contact on
   * each of its worksite roles — and must carry the same values each time).
   */
  readonly repeats: 'error' | 'same';
  /** Hours left blank (or a column left out) mean zero hours, as on every timesheet. */
  readonly blankAsZero?: readonly string[];
  /** A later stage is optional: rows whose own columns are all blank produce no record for it. */
  readonly optional: boolean;
}

export interface KindDef {
  readonly kind: ImportKind;
  readonly stages: readonly StageDef[];
  /** Rows group by this canonical field of the first stage (an invoice and its lines). */
  readonly groupBy?: string;
}

/**
 * The import kinds. Each names the canonical entities a row yields; their columns come from
 * `mappings/csv/<source>/*.yaml` files whose `entity:` is the kind.
 */
export const KINDS: Readonly<Record<ImportKind, KindDef>> = {
  time_entries: {
    kind: 'time_entries',
    stages: [
      {
        entity: 'time_entry', naturalKey: ['assignmentId', 'workDate'], repeats: 'error', optional: false,
        blankAsZero: ['regularHours', 'overtimeHours', 'doubleTimeHours'],
      },
    ],
  },
  assignments: {
    kind: 'assignments',
    stages: [
      { entity: 'assignment', naturalKey: null, repeats: 'error', optional: false },
      { entity: 'assignment_rate', naturalKey: ['assignmentId', 'effectiveFrom'], repeats: 'error', optional: true },
    ],
  },
  invoices: {
    kind: 'invoices',
    groupBy: 'number',
    stages: [
      { entity: 'invoice', naturalKey: ['number'], repeats: 'same', optional: false },
      { entity: 'invoice_line', naturalKey: null, repeats: 'error', optional: false },
    ],
  },
  contacts: {
    kind: 'contacts',
    stages: [
      { entity: 'contact', naturalKey: null, repeats: 'same', optional: false },
      { entity: 'contact_worksite_role', naturalKey: ['contactId', 'worksiteId', 'role'], repeats: 'error', optional: true },
    ],
  },
  worksites: {
    kind: 'worksites',
    stages: [{ entity: 'worksite', naturalKey: null, repeats: 'error', optional: false }],
  },
};
