import type { EntityName } from '../../model/index.ts';
import { TABLE_INFO } from '../tables.ts';
import type { Scalar } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson } from '../sqlite/statements.ts';

export type ImportStatus = 'running' | 'succeeded' | 'failed' | 'refused';

export interface ImportRow {
  id: string;
  fileSha256: string;
  source: string;
  kind: string;
  fileName: string | null;
  sizeBytes: number;
  encoding: string | null;
  delimiter: string | null;
  status: ImportStatus;
  runId: string | null;
  nextRecord: number;
  nextLine: number;
  counts: Record<string, unknown>;
  errorCount: number;
  owner: string | null;
  heartbeatAt: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ImportErrorRow {
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface NewImport {
  id: string;
  fileSha256: string;
  source: string;
  kind: string;
  fileName: string | null;
  sizeBytes: number;
  encoding: string | null;
  delimiter: string | null;
  status: ImportStatus;
  runId: string | null;
  owner: string | null;
  error: string | null;
  startedAt: string;
}

/** What the hash guard needs from a link: nothing is parsed, so re-reading a million costs little. */
export interface LinkHash {
  readonly hash: string | null;
  readonly state: string;
  /** Set when the last record from the system was refused (or is held or parked): why. */
  readonly reason: string | null;
}

/** A time entry with what a payroll file needs from its assignment and worker. */
export interface PayrollEntryRow {
  id: string;
  assignmentId: string;
  workDate: string;
  regularHours: number;
  overtimeHours: number;
  doubleTimeHours: number;
  status: string;
  title: string | null;
  candidateId: string;
  firstName: string;
  lastName: string;
  email: string | null;
}

export interface InvoiceRegisterRow {
  id: string;
  number: string;
  clientId: string;
  clientName: string | null;
  issueDate: string;
  dueDate: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  status: string;
  totalCents: number;
  currency: string;
  lines: number;
}

interface RawImport {
  id: string;
  file_sha256: string;
  source: string;
  kind: string;
  file_name: string | null;
  size_bytes: number;
  encoding: string | null;
  delimiter: string | null;
  status: string;
  run_id: string | null;
  next_record: number;
  next_line: number;
  counts: string | null;
  error_count: number;
  owner: string | null;
  heartbeat_at: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

function toImport(raw: RawImport): ImportRow {
  return {
    id: raw.id,
    fileSha256: raw.file_sha256,
    source: raw.source,
    kind: raw.kind,
    fileName: raw.file_name,
    sizeBytes: raw.size_bytes,
    encoding: raw.encoding,
    delimiter: raw.delimiter,
    status: raw.status as ImportStatus,
    runId: raw.run_id,
    nextRecord: raw.next_record,
    nextLine: raw.next_line,
    counts: parseJson<Record<string, unknown>>(raw.counts) ?? {},
    errorCount: raw.error_count,
    owner: raw.owner,
    heartbeatAt: raw.heartbeat_at,
    error: raw.error,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
  };
}

/**
 * CSV import and export bookkeeping (`csv_imports`, `csv_import_errors`), plus the few reads the
 * CSV paths need in bulk that the generic repositories do not offer: a parse-free hash lookup on
 * `links`, the rejections of a run since a ledger position, and keyset pages of raw rows for export.
 */
export class ImportsRepo {
  private readonly q: {
    readonly addErrors: string;
    readonly linkHashes: string;
    readonly payrollEntries: string;
    readonly payrollEntriesByIds: string;
    readonly payRatesOn: string;
    readonly linkMeta: string;
  };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    const ids = d.textList('?');
    const payrollSelect = `SELECT te.id, te.assignment_id AS "assignmentId", te.work_date AS "workDate", te.regular_hours AS "regularHours",
           te.overtime_hours AS "overtimeHours", te.double_time_hours AS "doubleTimeHours", te.status,
           a.title, a.candidate_id AS "candidateId", c.first_name AS "firstName", c.last_name AS "lastName", c.email
         FROM time_entries te
         JOIN assignments a ON a.id = te.assignment_id
         JOIN candidates c ON c.id = a.candidate_id`;
    this.q = {
      // One statement per batch of problems: a JSON array of rows, one round trip on PostgreSQL.
      addErrors: `INSERT INTO csv_import_errors (import_id, seq, line, "column", value, reason)
        SELECT ?, ${d.jsonAt('r', 0, 'int')}, ${d.jsonAt('r', 1, 'int')}, ${d.jsonAt('r', 2)}, ${d.jsonAt('r', 3)}, ${d.jsonAt('r', 4)}
        FROM ${d.jsonRows('?', 'r')}`,
      linkHashes: `SELECT external_id, source_hash, state, reason FROM links WHERE system = ? AND entity = ? AND external_id IN ${ids}`,
      payrollEntries: `${payrollSelect}
         WHERE te.status IN ${ids} AND te.work_date >= ? AND te.work_date <= ? AND te.payroll_held_until IS NULL
           AND te.deleted_at IS NULL AND te.id > ?
         ORDER BY te.id LIMIT ?`,
      payrollEntriesByIds: `${payrollSelect}
         WHERE te.id IN ${ids}`,
      // Each pair is a JSON array [assignment id, date].
      payRatesOn: `SELECT ${d.jsonAt('p', 0)} AS "assignmentId", ${d.jsonAt('p', 1)} AS date,
           (SELECT r.pay_rate_cents FROM assignment_rates r
             WHERE r.assignment_id = ${d.jsonAt('p', 0)} AND r.effective_from <= ${d.jsonAt('p', 1)} AND r.deleted_at IS NULL
             ORDER BY r.effective_from DESC LIMIT 1) AS cents
         FROM ${d.jsonRows('?', 'p')}`,
      linkMeta: `SELECT canonical_id AS "canonicalId", external_id AS "externalId", meta FROM links
         WHERE entity = ? AND system = ? AND canonical_id IN ${ids} AND state = 'linked'`,
    };
  }

  async get(id: string): Promise<ImportRow | null> {
    const raw = await this.sql.get<RawImport>('SELECT * FROM csv_imports WHERE id = ?', [id]);
    return raw ? toImport(raw) : null;
  }

  /** The running or finished import of this file for a source and kind (at most one, by index). */
  async findLive(fileSha256: string, source: string, kind: string): Promise<ImportRow | null> {
    const raw = await this.sql.get<RawImport>(
      `SELECT * FROM csv_imports WHERE file_sha256 = ? AND source = ? AND kind = ? AND status IN ('running', 'succeeded')`,
      [fileSha256, source, kind],
    );
    return raw ? toImport(raw) : null;
  }

  /** Newest first, keyset paged by id (UUIDv7, so by start time). */
  async list(q: { limit: number; before?: string; source?: string; kind?: string }): Promise<ImportRow[]> {
    const clauses: string[] = [];
    const params: Array<string | number> = [];
    if (q.before !== undefined) { clauses.push('id < ?'); params.push(q.before); }
    if (q.source !== undefined) { clauses.push('source = ?'); params.push(q.source); }
    if (q.kind !== undefined) { clauses.push('kind = ?'); params.push(q.kind); }
    params.push(q.limit);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (await this.sql.all<RawImport>(`SELECT * FROM csv_imports ${where} ORDER BY id DESC LIMIT ?`, params)).map(toImport);
  }

  async create(row: NewImport): Promise<void> {
    this.sql.assertInTransaction('import start');
    await this.sql.run(
      `INSERT INTO csv_imports (id, file_sha256, source, kind, file_name, size_bytes, encoding, delimiter, status, run_id,
         next_record, next_line, counts, error_count, owner, heartbeat_at, error, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '{}', 0, ?, ?, ?, ?, ?)`,
      [
        row.id, row.fileSha256, row.source, row.kind, row.fileName, row.sizeBytes, row.encoding, row.delimiter, row.status,
        row.runId, row.owner, row.startedAt, row.error, row.startedAt, row.status === 'running' ? null : row.startedAt,
      ],
    );
  }

  /** A new owner for a running import whose owner died; false when someone else took it first. */
  async takeOver(id: string, previousOwner: string | null, owner: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('import take-over');
    // IS NOT DISTINCT FROM: a null previous owner matches a null owner (SQLite's `IS`, in both dialects).
    const result = await this.sql.run(
      `UPDATE csv_imports SET owner = ?, heartbeat_at = ? WHERE id = ? AND status = 'running' AND owner IS NOT DISTINCT FROM ?`,
      [owner, now, id, previousOwner],
    );
    return result.changes === 1;
  }

  /** Moves the resume point, in the same transaction as the rows it covers. */
  async progress(id: string, nextRecord: number, nextLine: number, counts: Record<string, unknown>, errorCount: number, now: string): Promise<void> {
    this.sql.assertInTransaction('import progress');
    await this.sql.run(
      'UPDATE csv_imports SET next_record = ?, next_line = ?, counts = ?, error_count = ?, heartbeat_at = ? WHERE id = ?',
      [nextRecord, nextLine, JSON.stringify(counts), errorCount, now, id],
    );
  }

  async finish(id: string, status: Exclude<ImportStatus, 'running'>, counts: Record<string, unknown>, error: string | null, now: string): Promise<void> {
    this.sql.assertInTransaction('import finish');
    await this.sql.run(
      'UPDATE csv_imports SET status = ?, counts = ?, error = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?',
      [status, JSON.stringify(counts), error, now, now, id],
    );
  }

  /** Appends problems numbered from `firstSeq`. */
  async addErrors(importId: string, firstSeq: number, errors: readonly ImportErrorRow[]): Promise<void> {
    if (errors.length === 0) return;
    this.sql.assertInTransaction('import errors');
    for (let i = 0; i < errors.length; i += 1_000) {
      const batch = errors.slice(i, i + 1_000).map((e, j) => [firstSeq + i + j, e.line, e.column, e.value, e.reason]);
      await this.sql.run(this.q.addErrors, [importId, JSON.stringify(batch)]);
    }
  }

  async errors(importId: string, q: { afterSeq?: number; limit: number }): Promise<Array<ImportErrorRow & { seq: number }>> {
    return this.sql.all<ImportErrorRow & { seq: number }>(
      'SELECT seq, line, "column" AS "column", value, reason FROM csv_import_errors WHERE import_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [importId, q.afterSeq ?? -1, q.limit],
    );
  }

  /** `links.source_hash` and state by external id, read without parsing bases: the import's hash guard. */
  async linkHashes(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, LinkHash>> {
    const out = new Map<string, LinkHash>();
    if (externalIds.length === 0) return out;
    // Sorted keys walk the primary key in order: a shuffled file costs no more than a sorted one.
    const sorted = [...externalIds].sort();
    const rows = await this.sql.arrays<[string, string | null, string, string | null]>(this.q.linkHashes, [system, entity, JSON.stringify(sorted)]);
    for (const [externalId, hash, state, reason] of rows) out.set(externalId, { hash, state, reason });
    return out;
  }

  /** The last ledger sequence number: a batch's own rows are the ones after it. */
  async lastLedgerSeq(): Promise<number> {
    return (await this.sql.value<number>('SELECT coalesce(max(seq), 0) FROM ledger')) ?? 0;
  }

  /** Records of a run rejected after a ledger position: the engine's refusals, to report by line. */
  async rejectedSince(runId: string, afterSeq: number): Promise<Array<{ entity: string; externalId: string | null; reason: string | null }>> {
    // `outcome <> 'applied'` lets SQLite use the partial index of exceptions (it cannot infer it).
    return this.sql.all<{ entity: string; externalId: string | null; reason: string | null }>(
      `SELECT entity, external_id AS "externalId", reason FROM ledger
       WHERE outcome <> 'applied' AND outcome = 'rejected' AND seq > ? AND run_id = ? ORDER BY seq`,
      [afterSeq, runId],
    );
  }

  /** Canonical ids the ledger shows a run changed for an entity, in ledger order (an export's entries). */
  async changedByRun(runId: string, entity: EntityName): Promise<string[]> {
    return this.sql.column<string>(
      `SELECT canonical_id FROM ledger WHERE run_id = ? AND entity = ? AND outcome = 'applied' AND canonical_id IS NOT NULL ORDER BY seq`,
      [runId, entity],
    );
  }

  /**
   * One keyset page of an entity's live rows as arrays: `id` then the given model fields, in id order.
   * Pages rather than one long iterator, so an export never holds the connection between pages.
   */
  async pageRaw(entity: EntityName, fields: readonly string[], afterId: string | null, limit: number): Promise<Scalar[][]> {
    const info = TABLE_INFO[entity];
    const columns = fields.map((f) => {
      const column = info.columns.get(f);
      if (column === undefined) throw new Error(`${entity} has no field ${f}`);
      return column;
    });
    const select = ['id', ...columns].join(', ');
    return this.sql.arrays<Scalar[]>(`SELECT ${select} FROM ${info.name} WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?`, [afterId ?? '', limit]);
  }

  /**
   * Time entries worked in a period with the given statuses, with their assignment and worker,
   * keyset paged by id. Walks `time_entries_status_date`.
   */
  async payrollEntries(q: { from: string; to: string; statuses: readonly string[]; afterId: string | null; limit: number }): Promise<PayrollEntryRow[]> {
    return this.sql.all<PayrollEntryRow>(this.q.payrollEntries, [JSON.stringify(q.statuses), q.from, q.to, q.afterId ?? '', q.limit]);
  }

  /** Time entries by id with their assignment and worker (the entries an export run marked). */
  async payrollEntriesByIds(ids: readonly string[]): Promise<PayrollEntryRow[]> {
    if (ids.length === 0) return [];
    return this.sql.all<PayrollEntryRow>(this.q.payrollEntriesByIds, [JSON.stringify(ids)]);
  }

  /** The pay rate (cents) in effect on a date for each assignment and date asked about. */
  async payRatesOn(pairs: ReadonlyArray<{ assignmentId: string; date: string }>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (pairs.length === 0) return out;
    const rows = await this.sql.all<{ assignmentId: string; date: string; cents: number | null }>(
      this.q.payRatesOn,
      [JSON.stringify(pairs.map((p) => [p.assignmentId, p.date]))],
    );
    for (const r of rows) if (r.cents !== null) out.set(`${r.assignmentId}|${r.date}`, r.cents);
    return out;
  }

  /** Invoices with their client's name and line count, by issue date (optionally within a period). */
  async invoiceRegister(q: { from?: string; to?: string; afterKey: [string, string] | null; limit: number }): Promise<InvoiceRegisterRow[]> {
    const [afterDate, afterNumber] = q.afterKey ?? ['', ''];
    // A draft the hub has not issued yet is not in the register.
    return this.sql.all<InvoiceRegisterRow>(
      `SELECT i.id, i.number, i.client_id AS "clientId", c.name AS "clientName", i.issue_date AS "issueDate", i.due_date AS "dueDate",
         i.period_start AS "periodStart", i.period_end AS "periodEnd", i.status, i.total_cents AS "totalCents", i.currency,
         (SELECT count(*) FROM invoice_lines l WHERE l.invoice_id = i.id AND l.deleted_at IS NULL) AS lines
       FROM invoices i LEFT JOIN clients c ON c.id = i.client_id
       WHERE i.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = i.id AND h.issued_at IS NULL)
         AND i.issue_date >= ? AND i.issue_date <= ? AND (i.issue_date, i.number) > (?, ?)
       ORDER BY i.issue_date, i.number LIMIT ?`,
      [q.from ?? '0000-00-00', q.to ?? '9999-99-99', afterDate, afterNumber, q.limit],
    );
  }

  /** Link meta of one system's links for canonical records (payroll file numbers, employee codes). */
  async linkMeta(system: string, entity: EntityName, canonicalIds: readonly string[]): Promise<Map<string, { externalId: string; meta: Record<string, unknown> }>> {
    const out = new Map<string, { externalId: string; meta: Record<string, unknown> }>();
    if (canonicalIds.length === 0) return out;
    const rows = await this.sql.all<{ canonicalId: string; externalId: string; meta: string | null }>(
      this.q.linkMeta,
      [entity, system, JSON.stringify(canonicalIds)],
    );
    for (const r of rows) out.set(r.canonicalId, { externalId: r.externalId, meta: parseJson<Record<string, unknown>>(r.meta) ?? {} });
    return out;
  }
}
