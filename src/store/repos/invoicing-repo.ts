import { centiHoursOf, HOUR_TYPES, type BillableTime, type HeldLine, type HourType, type RatePeriod } from '../../model/index.ts';
import type { SqlParam, SqlRunner } from '../sql/runner.ts';
import { parseJson } from '../sqlite/statements.ts';

// The runner hands rows back as the shape each statement's SQL selects; that shape is declared
// next to the statement.

/** The hub's bookkeeping of one invoice it drafted (hub_invoices). */
export interface HubInvoiceRow {
  readonly invoiceId: string;
  readonly clientId: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly draftedAt: string;
  readonly draftedBy: string;
  readonly issuedAt: string | null;
  readonly issuedBy: string | null;
  readonly held: HeldLine[];
}

/** A time-based invoice line the hub drafted (canonical `invoice_lines`, no single time entry). */
export interface DraftLineRow {
  readonly id: string;
  readonly invoiceId: string;
  readonly assignmentId: string;
  readonly kind: string;
  readonly description: string;
  readonly quantity: number;
  readonly rateCents: number;
  readonly amountCents: number;
}

export interface LineLink {
  readonly lineId: string;
  readonly invoiceId: string;
  readonly timeEntryId: string;
  readonly hourType: HourType;
  readonly centiHours: number;
}

interface RawHub {
  invoice_id: string; client_id: string; period_start: string; period_end: string; drafted_at: string; drafted_by: string;
  issued_at: string | null; issued_by: string | null; held: string;
}

const toHub = (r: RawHub): HubInvoiceRow => ({
  invoiceId: r.invoice_id, clientId: r.client_id, periodStart: r.period_start, periodEnd: r.period_end, draftedAt: r.drafted_at,
  draftedBy: r.drafted_by, issuedAt: r.issued_at, issuedBy: r.issued_by, held: parseJson<HeldLine[]>(r.held) ?? [],
});

/**
 * Rows per multi-row INSERT: 128 rows × 13 columns (1,664 parameters) stays far under SQLite's
 * (32,766) and PostgreSQL's (65,535) bound parameter limits.
 */
const ROWS_PER_INSERT = 128;

/** `INSERT INTO table (columns) VALUES (?, …), …` with `rows` rows. */
function insertSql(table: string, columns: readonly string[], rows: number): string {
  const row = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`;
}

/**
 * Inserts rows (their values flattened, `columns.length` per row) with multi-row `VALUES`: full
 * batches of ROWS_PER_INSERT, then the rest in power-of-two chunks, so a table has at most eight
 * statement shapes whatever the row count — eight prepared statements per SQLite connection and
 * eight named statements per PostgreSQL connection, where a shape per row count would prepare
 * without end. Each shape's text is built once. Plain SQL both dialects take: PostgreSQL types
 * each `?` of an INSERT's VALUES row from its target column. Returns the rows inserted.
 */
class MultiRowInsert {
  private readonly sql = new Map<number, string>();
  constructor(
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  async run(sql: SqlRunner, values: readonly SqlParam[]): Promise<number> {
    const width = this.columns.length;
    let at = 0;
    let n = 0;
    for (let rows = ROWS_PER_INSERT; rows >= 1; rows /= 2) {
      while (values.length - at >= rows * width) {
        n += (await sql.run(this.sqlOf(rows), values.slice(at, at + rows * width))).changes;
        at += rows * width;
      }
    }
    return n;
  }

  private sqlOf(rows: number): string {
    let text = this.sql.get(rows);
    if (text === undefined) this.sql.set(rows, (text = insertSql(this.table, this.columns, rows)));
    return text;
  }
}

const INSERT_LINKS = new MultiRowInsert('invoice_line_time_entries', ['line_id', 'invoice_id', 'time_entry_id', 'hour_type', 'centi_hours']);
const INSERT_LINES = new MultiRowInsert('invoice_lines', [
  'id', 'revision', 'created_at', 'updated_at', 'changed_at', 'invoice_id', 'assignment_id', 'time_entry_id', 'kind', 'description', 'quantity', 'rate_cents', 'amount_cents',
]);

/**
 * The assignments of a client (`a`, with the client id bound twice): at one of its worksites, or with
 * no worksite on one of its requisitions. Written so the planner walks the client's worksites and
 * the assignments' worksite index, never every assignment.
 */
const CLIENT_ASSIGNMENTS = `(a.worksite_id IN (SELECT w.id FROM worksites w WHERE w.client_id = ?)
  OR (a.worksite_id IS NULL AND a.requisition_id IN (SELECT r.id FROM requisitions r WHERE r.client_id = ?)))`;

interface RawBillable {
  id: string; assignment_id: string; work_date: string; regular_hours: number; overtime_hours: number; double_time_hours: number; adjusts_entry_id: string | null;
}
interface RawRate {
  id: string; assignment_id: string; effective_from: string; bill_rate_cents: number; ot_bill_rate_cents: number | null; dt_bill_rate_cents: number | null;
}
interface RawLink {
  line_id: string; invoice_id: string; time_entry_id: string; hour_type: HourType; centi_hours: number;
}

/**
 * What drafting reads and writes beyond the canonical rows: the billable time of a client, its
 * rate cards, the hub's invoice bookkeeping and the line ↔ time entry links.
 */
export class InvoicingRepo {
  private readonly q: { readonly billableTime: string; readonly ratesOfClient: string };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    // The client's assignments drive both reads (d.orderedJoin keeps SQLite from starting at every
    // time entry or rate row); `IS DISTINCT FROM ?` matches every link when no draft is replaced.
    this.q = {
      billableTime: `SELECT te.id, te.assignment_id, te.work_date, te.regular_hours, te.overtime_hours, te.double_time_hours, te.adjusts_entry_id
         FROM assignments a ${d.orderedJoin} time_entries te ON te.assignment_id = a.id
         WHERE ${CLIENT_ASSIGNMENTS} AND a.deleted_at IS NULL
           AND te.work_date <= ? AND te.status IN ('approved', 'exported') AND te.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM invoice_line_time_entries l WHERE l.time_entry_id = te.id AND l.invoice_id IS DISTINCT FROM ?)
           AND NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.time_entry_id = te.id AND il.deleted_at IS NULL)
         ORDER BY te.assignment_id, te.work_date, te.id`,
      ratesOfClient: `SELECT ar.id, ar.assignment_id, ar.effective_from, ar.bill_rate_cents, ar.ot_bill_rate_cents, ar.dt_bill_rate_cents
         FROM assignments a ${d.orderedJoin} assignment_rates ar ON ar.assignment_id = a.id
         WHERE ${CLIENT_ASSIGNMENTS} AND ar.deleted_at IS NULL
         ORDER BY ar.assignment_id, ar.effective_from, ar.id`,
    };
  }

  /**
   * THE billable quantities of a client up to the end of a period, one per hour type of a time
   * entry: approved or exported (billing does not wait for payroll), not deleted, and not on any
   * invoice line yet — neither one the hub drafted (except the draft being replaced) nor one
   * imported with a time entry id. Time from before the period is caught up (late approvals).
   * Corrections (adjustment entries, signed hours) extend this one query.
   */
  async billableTime(clientId: string, periodEnd: string, replacingInvoiceId: string | null): Promise<BillableTime[]> {
    const rows = await this.sql.all<RawBillable>(this.q.billableTime, [clientId, clientId, periodEnd, replacingInvoiceId]);
    const out: BillableTime[] = [];
    // An approved adjustment (decision 0018) is an entry of its own with signed hours: once
    // approved it bills like any entry, so a correction of invoiced time is a credit or extra line
    // on the next invoice and never touches the issued one.
    for (const r of rows) {
      const hours = [r.regular_hours, r.overtime_hours, r.double_time_hours];
      for (let i = 0; i < HOUR_TYPES.length; i++) {
        const centiHours = centiHoursOf(hours[i] ?? 0);
        if (centiHours !== 0) {
          out.push({ timeEntryId: r.id, assignmentId: r.assignment_id, workDate: r.work_date, hourType: HOUR_TYPES[i] ?? 'regular', centiHours, adjustsEntryId: r.adjusts_entry_id });
        }
      }
    }
    return out;
  }

  /** Every bill rate row of the client's assignments, by assignment, sorted by effective date. */
  async ratesOfClient(clientId: string): Promise<Map<string, RatePeriod[]>> {
    const rows = await this.sql.all<RawRate>(this.q.ratesOfClient, [clientId, clientId]);
    const out = new Map<string, RatePeriod[]>();
    for (const r of rows) {
      let list = out.get(r.assignment_id);
      if (!list) out.set(r.assignment_id, (list = []));
      // Two rows on one date: the later-written (larger id) wins, as the sort puts it last.
      if (list.at(-1)?.effectiveFrom === r.effective_from) list.pop();
      list.push({
        id: r.id, assignmentId: r.assignment_id, effectiveFrom: r.effective_from,
        billRateCents: r.bill_rate_cents, otBillRateCents: r.ot_bill_rate_cents, dtBillRateCents: r.dt_bill_rate_cents,
      });
    }
    return out;
  }

  async get(invoiceId: string): Promise<HubInvoiceRow | null> {
    const raw = await this.sql.get<RawHub>('SELECT * FROM hub_invoices WHERE invoice_id = ?', [invoiceId]);
    return raw ? toHub(raw) : null;
  }

  /** The open draft of a client's period, if any. */
  async openDraft(clientId: string, periodStart: string): Promise<HubInvoiceRow | null> {
    const raw = await this.sql.get<RawHub>('SELECT * FROM hub_invoices WHERE client_id = ? AND period_start = ? AND issued_at IS NULL', [clientId, periodStart]);
    return raw ? toHub(raw) : null;
  }

  async insert(row: Omit<HubInvoiceRow, 'issuedAt' | 'issuedBy'>): Promise<void> {
    this.sql.assertInTransaction('hub invoice');
    await this.sql.run(
      'INSERT INTO hub_invoices (invoice_id, client_id, period_start, period_end, drafted_at, drafted_by, held) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [row.invoiceId, row.clientId, row.periodStart, row.periodEnd, row.draftedAt, row.draftedBy, JSON.stringify(row.held)],
    );
  }

  /** A re-draft: new drafting facts on the same draft. */
  async redrafted(invoiceId: string, draftedAt: string, draftedBy: string, held: readonly HeldLine[]): Promise<void> {
    this.sql.assertInTransaction('hub invoice');
    await this.sql.run('UPDATE hub_invoices SET drafted_at = ?, drafted_by = ?, held = ? WHERE invoice_id = ?', [draftedAt, draftedBy, JSON.stringify(held), invoiceId]);
  }

  /**
   * Removes a draft's lines and their links before it is drafted again. A draft is a worksheet, not
   * a record of money owed (decision 0016); an issued invoice's lines are refused by the triggers.
   */
  async clearDraftLines(invoiceId: string): Promise<void> {
    this.sql.assertInTransaction('hub invoice');
    await this.sql.run('DELETE FROM invoice_line_time_entries WHERE invoice_id = ?', [invoiceId]);
    await this.sql.run('DELETE FROM invoice_lines WHERE invoice_id = ?', [invoiceId]);
  }

  /**
   * Links lines to the time they bill; a time entry's hour type already billed fails the unique
   * index. Written as multi-row `VALUES` of bound parameters (the drafting hot path): each value is
   * bound once, where a JSON batch was parsed again for every column of every row, and the
   * statement is plain SQL both dialects take.
   */
  async link(links: Iterable<LineLink>): Promise<number> {
    this.sql.assertInTransaction('invoice line link');
    const values: SqlParam[] = [];
    for (const l of links) values.push(l.lineId, l.invoiceId, l.timeEntryId, l.hourType, l.centiHours);
    return INSERT_LINKS.run(this.sql, values);
  }

  /**
   * Writes a draft's canonical invoice lines (the same columns `CanonicalRepo.insertMany` writes,
   * revision 1), as multi-row `VALUES` like the links.
   */
  async insertLines(lines: readonly DraftLineRow[], now: string): Promise<void> {
    this.sql.assertInTransaction('invoice lines');
    const values: SqlParam[] = [];
    for (const l of lines) values.push(l.id, 1, now, now, now, l.invoiceId, l.assignmentId, null, l.kind, l.description, l.quantity, l.rateCents, l.amountCents);
    await INSERT_LINES.run(this.sql, values);
  }

  async markIssued(invoiceId: string, at: string, by: string): Promise<boolean> {
    this.sql.assertInTransaction('hub invoice');
    const result = await this.sql.run('UPDATE hub_invoices SET issued_at = ?, issued_by = ? WHERE invoice_id = ? AND issued_at IS NULL', [at, by, invoiceId]);
    return result.changes === 1;
  }

  /** The time entries an invoice bills. */
  async timeEntryIds(invoiceId: string): Promise<string[]> {
    return this.sql.column<string>('SELECT DISTINCT time_entry_id FROM invoice_line_time_entries WHERE invoice_id = ? ORDER BY time_entry_id', [invoiceId]);
  }

  /** The links of an invoice's lines, by line. */
  async linksOf(invoiceId: string): Promise<Map<string, LineLink[]>> {
    const rows = await this.sql.all<RawLink>(
      // hour_type completes the order: one line may bill two hour types of one entry.
      'SELECT line_id, invoice_id, time_entry_id, hour_type, centi_hours FROM invoice_line_time_entries WHERE invoice_id = ? ORDER BY line_id, time_entry_id, hour_type',
      [invoiceId],
    );
    const out = new Map<string, LineLink[]>();
    for (const r of rows) {
      let list = out.get(r.line_id);
      if (!list) out.set(r.line_id, (list = []));
      list.push({ lineId: r.line_id, invoiceId: r.invoice_id, timeEntryId: r.time_entry_id, hourType: r.hour_type, centiHours: r.centi_hours });
    }
    return out;
  }

  /** Hub invoices, newest first, optionally of one client or only drafts / only issued. */
  async list(filter: { clientId?: string; issued?: boolean; limit: number }): Promise<HubInvoiceRow[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.clientId !== undefined) {
      where.push('client_id = ?');
      params.push(filter.clientId);
    }
    if (filter.issued !== undefined) where.push(filter.issued ? 'issued_at IS NOT NULL' : 'issued_at IS NULL');
    const sql = `SELECT * FROM hub_invoices ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY invoice_id DESC LIMIT ?`;
    return (await this.sql.all<RawHub>(sql, [...params, filter.limit])).map(toHub);
  }
}
