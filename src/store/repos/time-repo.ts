import type { SqlRunner } from '../sql/runner.ts';
import { whereOf } from '../sqlite/statements.ts';

// Rows come back untyped from either runner; each query below names its columns, read as `Raw`.
type Raw = Record<string, string | number | null>;

export interface AdjustmentRow {
  readonly id: string;
  readonly adjustsEntryId: string;
  readonly status: string;
  readonly regularHours: number;
  readonly overtimeHours: number;
  readonly doubleTimeHours: number;
}

/** A submitted entry that waits for an approver, with what routing and reminders need. */
export interface WaitingEntry {
  readonly id: string;
  readonly revision: number;
  readonly assignmentId: string;
  readonly workDate: string;
  readonly worksiteId: string | null;
  readonly clientId: string | null;
  readonly approverContactId: string | null;
  /** When it was last submitted (its history); its creation time when the history has none. */
  readonly submittedAt: string;
}

export interface ReminderSettingsRow {
  readonly clientId: string;
  readonly reminderAfterHours: number;
  readonly escalateAfterHours: number;
  readonly escalateTo: 'delegate' | 'client_admin';
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface CycleRow {
  readonly clientId: string;
  readonly worksiteId: string;
  readonly seconds: number;
}

const WAITING_SELECT = `
  SELECT t.id, t.revision, t.assignment_id, t.work_date, a.worksite_id, w.client_id, a.approver_contact_id,
         coalesce((SELECT max(e.at) FROM time_entry_events e WHERE e.time_entry_id = t.id AND e.to_status = 'submitted'), t.created_at) AS submitted_at
    FROM time_entries t
    LEFT JOIN assignments a ON a.id = t.assignment_id
    LEFT JOIN worksites w ON w.id = a.worksite_id
   WHERE t.status = 'submitted' AND t.deleted_at IS NULL`;

function toWaiting(r: Raw): WaitingEntry {
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    id: String(r['id']), revision: Number(r['revision']), assignmentId: String(r['assignment_id']), workDate: String(r['work_date']),
    worksiteId: s('worksite_id'), clientId: s('client_id'), approverContactId: s('approver_contact_id'), submittedAt: String(r['submitted_at']),
  };
}

const orNull = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * The time workflow's reads across tables (routing, adjustments, waiting entries, metrics) and its
 * own bookkeeping (reminder settings, nudges). Canonical writes still go through the engine.
 */
export class TimeRepo {
  private readonly q: { readonly adjustmentsOf: string; readonly eventCounts: string };

  constructor(private readonly sql: SqlRunner) {
    const ids = sql.dialect.textList('?');
    this.q = {
      adjustmentsOf: `SELECT id, adjusts_entry_id, status, regular_hours, overtime_hours, double_time_hours FROM time_entries
          WHERE adjusts_entry_id IN ${ids} AND deleted_at IS NULL ORDER BY created_at, id`,
      // Grouped by the expression selected: PostgreSQL refuses a selected column it does not group by.
      eventCounts: `SELECT coalesce(client_id, '') AS client_id, type, count(*) AS n FROM portal_events WHERE type IN ${ids}
          GROUP BY coalesce(client_id, ''), type ORDER BY client_id, type`,
    };
  }

  /** Every adjustment of the given originals, whatever its status, oldest first. */
  async adjustmentsOf(ids: readonly string[]): Promise<AdjustmentRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.all<Raw>(this.q.adjustmentsOf, [JSON.stringify(ids)]);
    return rows.map((r) => ({
      id: String(r['id']), adjustsEntryId: String(r['adjusts_entry_id']), status: String(r['status']),
      regularHours: Number(r['regular_hours']), overtimeHours: Number(r['overtime_hours']), doubleTimeHours: Number(r['double_time_hours']),
    }));
  }

  /** Active contacts holding the approver role at the worksite (canonical roles; delegates apart). */
  async approversAt(worksiteId: string): Promise<string[]> {
    const ids = await this.sql.column<string>(
      `SELECT DISTINCT r.contact_id FROM contact_worksite_roles r JOIN contacts c ON c.id = r.contact_id
        WHERE r.worksite_id = ? AND r.role = 'approver' AND r.deleted_at IS NULL AND c.deleted_at IS NULL AND c.status = 'active' ORDER BY r.contact_id`,
      [worksiteId],
    );
    return ids.map(String);
  }

  /** Contacts with a `delegate_approver` grant at the worksite valid on `date` (inclusive dates). */
  async delegatesAt(worksiteId: string, date: string): Promise<Array<{ contactId: string; forContactId: string | null }>> {
    const rows = await this.sql.all<Raw>(
      `SELECT g.subject_id, g.for_contact_id FROM grants g JOIN contacts c ON c.id = g.subject_id
        WHERE g.subject_kind = 'contact' AND g.role = 'delegate_approver' AND g.worksite_id = ? AND g.revoked_at IS NULL
          AND (g.valid_from IS NULL OR g.valid_from <= ?) AND (g.valid_to IS NULL OR g.valid_to >= ?)
          AND c.deleted_at IS NULL AND c.status = 'active' ORDER BY g.subject_id, g.id`,
      [worksiteId, date, date],
    );
    return rows.map((r) => ({ contactId: String(r['subject_id']), forContactId: orNull(r['for_contact_id']) }));
  }

  /** Contacts with a `client_admin` grant on the client valid on `date`. */
  async clientAdmins(clientId: string, date: string): Promise<string[]> {
    const ids = await this.sql.column<string>(
      `SELECT DISTINCT g.subject_id FROM grants g JOIN contacts c ON c.id = g.subject_id
        WHERE g.subject_kind = 'contact' AND g.role = 'client_admin' AND g.client_id = ? AND g.revoked_at IS NULL
          AND (g.valid_from IS NULL OR g.valid_from <= ?) AND (g.valid_to IS NULL OR g.valid_to >= ?)
          AND c.deleted_at IS NULL AND c.status = 'active' ORDER BY g.subject_id`,
      [clientId, date, date],
    );
    return ids.map(String);
  }

  /** Submitted entries, optionally of one client or worksite, oldest submission first. */
  async waiting(filter: { clientId?: string; worksiteId?: string; limit?: number } = {}): Promise<WaitingEntry[]> {
    // Filters built in JS: PostgreSQL cannot type a bare `? IS NULL` parameter.
    const w = whereOf([['client_id = ?', filter.clientId], ['worksite_id = ?', filter.worksiteId]]);
    const rows = await this.sql.all<Raw>(`SELECT * FROM (${WAITING_SELECT}) AS waiting ${w.sql} ORDER BY submitted_at, id LIMIT ?`, [...w.params, filter.limit ?? 100_000]);
    return rows.map(toWaiting);
  }

  async reminderSettings(clientId: string): Promise<ReminderSettingsRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM time_reminder_settings WHERE client_id = ?', [clientId]);
    if (!r) return null;
    return {
      clientId: String(r['client_id']), reminderAfterHours: Number(r['reminder_after_hours']), escalateAfterHours: Number(r['escalate_after_hours']),
      escalateTo: r['escalate_to'] === 'client_admin' ? 'client_admin' : 'delegate', updatedAt: String(r['updated_at']), updatedBy: String(r['updated_by']),
    };
  }

  async putReminderSettings(row: ReminderSettingsRow): Promise<void> {
    this.sql.assertInTransaction('reminder settings');
    await this.sql.run(
      `INSERT INTO time_reminder_settings (client_id, reminder_after_hours, escalate_after_hours, escalate_to, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET reminder_after_hours = excluded.reminder_after_hours, escalate_after_hours = excluded.escalate_after_hours,
         escalate_to = excluded.escalate_to, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [row.clientId, row.reminderAfterHours, row.escalateAfterHours, row.escalateTo, row.updatedAt, row.updatedBy],
    );
  }

  /** Records a nudge once: true when this call recorded it, false when it was already there. */
  async recordNudge(timeEntryId: string, submittedAt: string, kind: string, at: string): Promise<boolean> {
    this.sql.assertInTransaction('time nudge');
    const info = await this.sql.run(
      'INSERT INTO time_nudges (time_entry_id, submitted_at, kind, at) VALUES (?, ?, ?, ?) ON CONFLICT (time_entry_id, submitted_at, kind) DO NOTHING',
      [timeEntryId, submittedAt, kind, at],
    );
    return info.changes === 1;
  }

  /** Entries held after a pay-period cutoff, with their worksite and client. */
  async held(): Promise<Array<{ id: string; workDate: string; heldUntil: string; approvedAt: string | null; worksiteId: string | null; clientId: string | null }>> {
    const rows = await this.sql.all<Raw>(
      `SELECT t.id, t.work_date, t.payroll_held_until, t.approved_at, a.worksite_id, w.client_id FROM time_entries t
         LEFT JOIN assignments a ON a.id = t.assignment_id LEFT JOIN worksites w ON w.id = a.worksite_id
        WHERE t.payroll_held_until IS NOT NULL AND t.deleted_at IS NULL ORDER BY t.payroll_held_until, t.id`,
    );
    return rows.map((r) => ({
      id: String(r['id']), workDate: String(r['work_date']), heldUntil: String(r['payroll_held_until']), approvedAt: orNull(r['approved_at']),
      worksiteId: orNull(r['worksite_id']), clientId: orNull(r['client_id']),
    }));
  }

  /** Entries held after a pay-period cutoff whose hold has run out by `today`. */
  async heldUntilBy(today: string): Promise<string[]> {
    const ids = await this.sql.column<string>('SELECT id FROM time_entries WHERE payroll_held_until IS NOT NULL AND payroll_held_until <= ? AND deleted_at IS NULL ORDER BY id', [today]);
    return ids.map(String);
  }

  // ---------------------------------------------------------------- metrics (ids only)

  /** Each approval with the submission before it: seconds from submitted to approved, per client and worksite. */
  async cycleTimes(): Promise<CycleRow[]> {
    // The two timestamps are read and subtracted here (ISO-8601 text in both dialects): neither
    // julianday nor PostgreSQL's interval arithmetic is common to both.
    const rows = await this.sql.all<{ client_id: string; worksite_id: string; approved_at: string; submitted_at: string | null }>(
      `SELECT w.client_id, a.worksite_id, e.at AS approved_at,
              (SELECT max(s.at) FROM time_entry_events s WHERE s.time_entry_id = e.time_entry_id AND s.to_status = 'submitted' AND s.at <= e.at) AS submitted_at
         FROM time_entry_events e
         JOIN time_entries t ON t.id = e.time_entry_id
         JOIN assignments a ON a.id = t.assignment_id
         JOIN worksites w ON w.id = a.worksite_id
        WHERE e.to_status = 'approved'
        ORDER BY w.client_id, a.worksite_id, e.at, e.id`,
    );
    const out: CycleRow[] = [];
    for (const r of rows) {
      if (r.submitted_at === null) continue;
      const seconds = (Date.parse(r.approved_at) - Date.parse(r.submitted_at)) / 1000;
      if (Number.isNaN(seconds)) continue; // a timestamp that is not ISO-8601 (julianday gave null for it too)
      out.push({ clientId: String(r.client_id), worksiteId: String(r.worksite_id), seconds });
    }
    return out;
  }

  /** Per client: entries (originals), disputes (disputed rejections in the history), corrections (adjustments). */
  async workflowCounts(): Promise<Array<{ clientId: string; entries: number; disputes: number; corrections: number }>> {
    // A dispute is marked by the `dispute:` prefix the portal writes; compared case-sensitively in
    // both dialects (SQLite's LIKE ignores case, PostgreSQL's does not).
    const rows = await this.sql.all<Raw>(
      `SELECT w.client_id,
              sum(CASE WHEN t.adjusts_entry_id IS NULL THEN 1 ELSE 0 END) AS entries,
              sum(CASE WHEN t.adjusts_entry_id IS NOT NULL THEN 1 ELSE 0 END) AS corrections,
              sum((SELECT count(*) FROM time_entry_events e WHERE e.time_entry_id = t.id AND e.to_status = 'rejected' AND substr(e.comment, 1, 8) = 'dispute:')) AS disputes
         FROM time_entries t JOIN assignments a ON a.id = t.assignment_id JOIN worksites w ON w.id = a.worksite_id
        WHERE t.deleted_at IS NULL GROUP BY w.client_id ORDER BY w.client_id`,
    );
    return rows.map((r) => ({ clientId: String(r['client_id']), entries: Number(r['entries']), disputes: Number(r['disputes'] ?? 0), corrections: Number(r['corrections']) }));
  }

  /** Portal events of a type per client (reminders sent, escalations). */
  async eventCounts(types: readonly string[]): Promise<Array<{ clientId: string; type: string; count: number }>> {
    if (types.length === 0) return [];
    const rows = await this.sql.all<Raw>(this.q.eventCounts, [JSON.stringify(types)]);
    return rows.map((r) => ({ clientId: String(r['client_id']), type: String(r['type']), count: Number(r['n']) }));
  }

  /** Distinct contacts that acted on time (history actors `contact:<id>`) per client, in the ISO week of `since`..now. */
  async activeContacts(since: string): Promise<Array<{ clientId: string; contacts: number }>> {
    const rows = await this.sql.all<Raw>(
      `SELECT c.client_id, count(DISTINCT c.id) AS n
         FROM time_entry_events e JOIN contacts c ON e.actor = 'contact:' || c.id
        WHERE e.at >= ? GROUP BY c.client_id ORDER BY c.client_id`,
      [since],
    );
    return rows.map((r) => ({ clientId: String(r['client_id']), contacts: Number(r['n']) }));
  }
}
