import { centiHoursOf, HOUR_TYPES, type BillableTime, type HeldLine, type HourType, type RatePeriod } from '../../model/index.ts';
import { parseJson, type Statements } from '../sqlite/statements.ts';

// better-sqlite3 hands rows back untyped; each statement's row shape is declared next to it and read
// through `as` at the statement.

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
 * Rows per multi-row INSERT: 128 rows × 13 columns stays far under SQLite's and PostgreSQL's bound
 * parameter limits.
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
 * statement shapes in the statement cache whatever the row count. Each shape's text is built once.
 * Returns the rows inserted.
 */
class MultiRowInsert {
  private readonly sql = new Map<number, string>();
  constructor(
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  run(s: Statements, values: ReadonlyArray<string | number | null>): number {
    const width = this.columns.length;
    let at = 0;
    let n = 0;
    for (let rows = ROWS_PER_INSERT; rows >= 1; rows /= 2) {
      while (values.length - at >= rows * width) {
        n += s.get(this.sqlOf(rows)).run(values.slice(at, at + rows * width)).changes;
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

/**
 * What drafting reads and writes beyond the canonical rows: the billable time of a client, its
 * rate cards, the hub's invoice bookkeeping and the line ↔ time entry links.
 */
export class InvoicingRepo {
  constructor(private readonly s: Statements) {}

  /**
   * THE billable quantities of a client up to the end of a period, one per hour type of a time
   * entry: approved or exported (billing does not wait for payroll), not deleted, and not on any
   * invoice line yet — neither one the hub drafted (except the draft being replaced) nor one
   * imported with a time entry id. Time from before the period is caught up (late approvals).
   * Corrections (adjustment entries, signed hours) extend this one query.
   */
  async billableTime(clientId: string, periodEnd: string, replacingInvoiceId: string | null): Promise<BillableTime[]> {
    const rows = this.s
      .get(
        `SELECT te.id, te.assignment_id, te.work_date, te.regular_hours, te.overtime_hours, te.double_time_hours, te.adjusts_entry_id
         FROM assignments a CROSS JOIN time_entries te ON te.assignment_id = a.id
         WHERE ${CLIENT_ASSIGNMENTS} AND a.deleted_at IS NULL
           AND te.work_date <= ? AND te.status IN ('approved', 'exported') AND te.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM invoice_line_time_entries l WHERE l.time_entry_id = te.id AND l.invoice_id IS NOT ?)
           AND NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.time_entry_id = te.id AND il.deleted_at IS NULL)
         ORDER BY te.assignment_id, te.work_date, te.id`,
      )
      .raw()
      .all(clientId, clientId, periodEnd, replacingInvoiceId) as Array<[string, string, string, number, number, number, string | null]>;
    const out: BillableTime[] = [];
    // An approved adjustment (decision 0018) is an entry of its own with signed hours: once
    // approved it bills like any entry, so a correction of invoiced time is a credit or extra line
    // on the next invoice and never touches the issued one.
    for (const [id, assignmentId, workDate, regular, overtime, double, adjustsEntryId] of rows) {
      const hours = [regular, overtime, double];
      for (let i = 0; i < HOUR_TYPES.length; i++) {
        const centiHours = centiHoursOf(hours[i] ?? 0);
        if (centiHours !== 0) out.push({ timeEntryId: id, assignmentId, workDate, hourType: HOUR_TYPES[i] ?? 'regular', centiHours, adjustsEntryId });
      }
    }
    return out;
  }

  /** Every bill rate row of the client's assignments, by assignment, sorted by effective date. */
  async ratesOfClient(clientId: string): Promise<Map<string, RatePeriod[]>> {
    const rows = this.s
      .get(
        `SELECT ar.id, ar.assignment_id, ar.effective_from, ar.bill_rate_cents, ar.ot_bill_rate_cents, ar.dt_bill_rate_cents
         FROM assignments a CROSS JOIN assignment_rates ar ON ar.assignment_id = a.id
         WHERE ${CLIENT_ASSIGNMENTS} AND ar.deleted_at IS NULL
         ORDER BY ar.assignment_id, ar.effective_from, ar.id`,
      )
      .raw()
      .all(clientId, clientId) as Array<[string, string, string, number, number | null, number | null]>;
    const out = new Map<string, RatePeriod[]>();
    for (const [id, assignmentId, effectiveFrom, billRateCents, otBillRateCents, dtBillRateCents] of rows) {
      let list = out.get(assignmentId);
      if (!list) out.set(assignmentId, (list = []));
      // Two rows on one date: the later-written (larger id) wins, as the sort puts it last.
      if (list.at(-1)?.effectiveFrom === effectiveFrom) list.pop();
      list.push({ id, assignmentId, effectiveFrom, billRateCents, otBillRateCents, dtBillRateCents });
    }
    return out;
  }

  async get(invoiceId: string): Promise<HubInvoiceRow | null> {
    const raw = this.s.get('SELECT * FROM hub_invoices WHERE invoice_id = ?').get(invoiceId) as RawHub | undefined;
    return raw ? toHub(raw) : null;
  }

  /** The open draft of a client's period, if any. */
  async openDraft(clientId: string, periodStart: string): Promise<HubInvoiceRow | null> {
    const raw = this.s.get('SELECT * FROM hub_invoices WHERE client_id = ? AND period_start = ? AND issued_at IS NULL').get(clientId, periodStart) as RawHub | undefined;
    return raw ? toHub(raw) : null;
  }

  async insert(row: Omit<HubInvoiceRow, 'issuedAt' | 'issuedBy'>): Promise<void> {
    this.s.assertInTransaction('hub invoice');
    this.s
      .get('INSERT INTO hub_invoices (invoice_id, client_id, period_start, period_end, drafted_at, drafted_by, held) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.invoiceId, row.clientId, row.periodStart, row.periodEnd, row.draftedAt, row.draftedBy, JSON.stringify(row.held));
  }

  /** A re-draft: new drafting facts on the same draft. */
  async redrafted(invoiceId: string, draftedAt: string, draftedBy: string, held: readonly HeldLine[]): Promise<void> {
    this.s.assertInTransaction('hub invoice');
    this.s.get('UPDATE hub_invoices SET drafted_at = ?, drafted_by = ?, held = ? WHERE invoice_id = ?').run(draftedAt, draftedBy, JSON.stringify(held), invoiceId);
  }

  /**
   * Removes a draft's lines and their links before it is drafted again. A draft is a worksheet, not
   * a record of money owed (decision 0016); an issued invoice's lines are refused by the triggers.
   */
  async clearDraftLines(invoiceId: string): Promise<void> {
    this.s.assertInTransaction('hub invoice');
    this.s.get('DELETE FROM invoice_line_time_entries WHERE invoice_id = ?').run(invoiceId);
    this.s.get('DELETE FROM invoice_lines WHERE invoice_id = ?').run(invoiceId);
  }

  /**
   * Links lines to the time they bill; a time entry's hour type already billed fails the unique
   * index. Written as multi-row `VALUES` of bound parameters (the drafting hot path): each value is
   * bound once, where a JSON batch was parsed again for every column of every row, and the
   * statement is plain SQL any dialect takes.
   */
  async link(links: Iterable<LineLink>): Promise<number> {
    this.s.assertInTransaction('invoice line link');
    const values: Array<string | number> = [];
    for (const l of links) values.push(l.lineId, l.invoiceId, l.timeEntryId, l.hourType, l.centiHours);
    return INSERT_LINKS.run(this.s, values);
  }

  /**
   * Writes a draft's canonical invoice lines (the same columns `CanonicalRepo.insertMany` writes,
   * revision 1), as multi-row `VALUES` like the links.
   */
  async insertLines(lines: readonly DraftLineRow[], now: string): Promise<void> {
    this.s.assertInTransaction('invoice lines');
    const values: Array<string | number | null> = [];
    for (const l of lines) values.push(l.id, 1, now, now, now, l.invoiceId, l.assignmentId, null, l.kind, l.description, l.quantity, l.rateCents, l.amountCents);
    INSERT_LINES.run(this.s, values);
  }

  async markIssued(invoiceId: string, at: string, by: string): Promise<boolean> {
    this.s.assertInTransaction('hub invoice');
    return this.s.get('UPDATE hub_invoices SET issued_at = ?, issued_by = ? WHERE invoice_id = ? AND issued_at IS NULL').run(at, by, invoiceId).changes === 1;
  }

  /** The time entries an invoice bills. */
  async timeEntryIds(invoiceId: string): Promise<string[]> {
    return this.s.get('SELECT DISTINCT time_entry_id FROM invoice_line_time_entries WHERE invoice_id = ? ORDER BY time_entry_id').pluck().all(invoiceId) as string[];
  }

  /** The links of an invoice's lines, by line. */
  async linksOf(invoiceId: string): Promise<Map<string, LineLink[]>> {
    const rows = this.s
      .get('SELECT line_id, invoice_id, time_entry_id, hour_type, centi_hours FROM invoice_line_time_entries WHERE invoice_id = ? ORDER BY line_id, time_entry_id')
      .raw()
      .all(invoiceId) as Array<[string, string, string, HourType, number]>;
    const out = new Map<string, LineLink[]>();
    for (const [lineId, inv, timeEntryId, hourType, centiHours] of rows) {
      let list = out.get(lineId);
      if (!list) out.set(lineId, (list = []));
      list.push({ lineId, invoiceId: inv, timeEntryId, hourType, centiHours });
    }
    return out;
  }

  /** Hub invoices, newest first, optionally of one client or only drafts / only issued. */
  async list(filter: { clientId?: string; issued?: boolean; limit: number }): Promise<HubInvoiceRow[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.clientId !== undefined) {
      where.push('client_id = ?');
      params.push(filter.clientId);
    }
    if (filter.issued !== undefined) where.push(filter.issued ? 'issued_at IS NOT NULL' : 'issued_at IS NULL');
    const sql = `SELECT * FROM hub_invoices ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY invoice_id DESC LIMIT ?`;
    return (this.s.get(sql).all(...params, filter.limit) as RawHub[]).map(toHub);
  }
}
