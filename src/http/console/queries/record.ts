import type { Access } from '../../../access/policy.ts';
import { visibleFields } from '../../../access/policy.ts';
import type { EntityName } from '../../../model/index.ts';
import type { LedgerEntry, Scalar, Store } from '../../../store/index.ts';

/** Who last set a field, when, and the ledger row that says so. */
export interface FieldProvenance {
  readonly field: string;
  /** The system (`ats`, `payroll`), or the person (`user:<id>`, `contact:<id>`) for a local change or a resolution. */
  readonly by: string;
  readonly at: string;
  readonly seq: number;
  readonly value: Scalar;
}

/** How far back the provenance walk reads a record's history. */
export const PROVENANCE_DEPTH = 500;

/**
 * Provenance of each field, derived from the ledger: the newest applied change of each field wins.
 * A local change or a conflict resolution names its actor; a change from a source names the system.
 */
export async function provenance(store: Store, entity: EntityName, id: string): Promise<Map<string, FieldProvenance>> {
  const entries = await store.repos.ledger.latestFor(entity, id, PROVENANCE_DEPTH);
  return provenanceOf(entries);
}

export function provenanceOf(entries: readonly LedgerEntry[]): Map<string, FieldProvenance> {
  const out = new Map<string, FieldProvenance>();
  // Newest first: the first applied change of a field is its current source.
  for (const e of entries) {
    if (e.outcome !== 'applied' && e.outcome !== 'conflict') continue;
    for (const d of e.diff ?? []) {
      if (d.result !== 'applied' || out.has(d.field)) continue;
      const by = e.direction === 'in' ? e.system : (e.actor ?? e.system);
      out.set(d.field, { field: d.field, by, at: e.at, seq: e.seq ?? 0, value: d.to });
    }
  }
  return out;
}

/** A contact's view of a record: which fields a contact would see, without and with a billing role. */
export interface ContactView {
  readonly plain: ReadonlySet<string>;
  readonly billing: ReadonlySet<string>;
}

function contactAccess(billing: boolean): Access {
  return {
    principal: { kind: 'contact', id: 'console-preview', clientId: 'console-preview', email: '', credential: { type: 'session', id: 'console-preview' }, readOnly: true, limits: null, onBehalfOf: null },
    today: '1970-01-01', internal: false, role: null, everything: false,
    worksites: new Map(), adminClients: new Set(), clients: new Set(),
    billingClients: billing ? new Set(['*']) : new Set(), delegations: new Map(),
  };
}

/** What the policy lets a contact see of this entity (the API applies the same `visibleFields`). */
export function contactView(entity: EntityName): ContactView {
  return {
    plain: visibleFields(contactAccess(false), entity) ?? new Set(),
    billing: visibleFields(contactAccess(true), entity) ?? new Set(),
  };
}

/** One time entry of an assignment, or one event of a time entry: the history the record page lists. */
export interface TimeRow {
  readonly id: string;
  readonly entity: 'time_entry' | 'time_entry_event';
  readonly date: string;
  readonly status: string;
  readonly hours: string;
  readonly by: string;
  readonly note: string;
}

type Raw = Record<string, string | number | null>;
const str = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** Time-entry history: an assignment's entries (newest work date first) or a time entry's status events. */
export async function timeHistory(store: Store, entity: EntityName, id: string, limit: number): Promise<TimeRow[]> {
  if (entity === 'assignment') {
    const rows = await store.query.all<Raw>(`SELECT id, work_date, status, regular_hours, overtime_hours, double_time_hours, approved_by_id
      FROM time_entries WHERE assignment_id = ? AND deleted_at IS NULL ORDER BY work_date DESC, id DESC LIMIT ?`, [id, limit]);
    return rows.map((r) => ({
      id: str(r['id']), entity: 'time_entry', date: str(r['work_date']), status: str(r['status']),
      hours: `${str(r['regular_hours'])} / ${str(r['overtime_hours'])} / ${str(r['double_time_hours'])}`,
      by: str(r['approved_by_id']), note: '',
    }));
  }
  if (entity === 'time_entry') {
    const rows = await store.query.all<Raw>(`SELECT id, at, actor, from_status, to_status, comment FROM time_entry_events
      WHERE time_entry_id = ? AND deleted_at IS NULL ORDER BY at DESC, id DESC LIMIT ?`, [id, limit]);
    return rows.map((r) => ({
      id: str(r['id']), entity: 'time_entry_event', date: str(r['at']), status: `${str(r['from_status']) || '—'} → ${str(r['to_status'])}`,
      hours: '', by: str(r['actor']), note: str(r['comment']),
    }));
  }
  return [];
}
