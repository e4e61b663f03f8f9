import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportEntity } from '../../src/csv/export-entity.ts';
import { exportInvoices } from '../../src/csv/export-invoices.ts';
import { exportTime, exportTimeRun, parsePeriod, type TimeExportOptions } from '../../src/csv/export-time.ts';
import { importCsv } from '../../src/csv/import.ts';
import { join } from 'node:path';
import type { LinkRow } from '../../src/store/index.ts';
import { CORPUS_DIR, T0, worldFrom, worldTemplate, type World, type WorldTemplate } from './support/world.ts';

const WEEK = { from: '2026-11-09', to: '2026-11-15' };
let template: WorldTemplate;
let world: World;
beforeAll(async () => {
  template = await worldTemplate({ timeEntries: true });
});
afterAll(() => template.dispose());
beforeEach(() => {
  world = worldFrom(template);
});
afterEach(() => world.dispose());

function capture(): { out: PassThrough; bytes: () => Buffer; rows: () => string[][] } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const bytes = () => Buffer.concat(chunks);
  return { out, bytes, rows: (): string[][] => parse(bytes(), { bom: true, relax_column_count: false }) };
}

const time = (over: Partial<TimeExportOptions> = {}) => {
  const c = capture();
  return exportTime(world.store, world.policy, { format: 'gusto', period: WEEK, now: () => T0, ...over }, c.out).then((result) => ({ result, ...c }));
};

const count = (sql: string, ...params: unknown[]) => world.store.db.prepare(sql).pluck().get(...params) as number;

describe('payroll export of approved time', () => {
  it('writes the approved entries of the period (Gusto layout) and marks each exported once, with a ledger row and a history line', async () => {
    const approved = count("SELECT count(*) FROM time_entries WHERE status = 'approved' AND work_date BETWEEN ? AND ?", WEEK.from, WEEK.to);
    expect(approved).toBeGreaterThan(20);
    const { result, bytes, rows } = await time();
    expect(result.marked).toBe(approved);
    expect(result.entries).toBe(approved);
    expect(result.alreadyExported).toBe(0);
    expect(result.skipped).toEqual([]);
    expect(count("SELECT count(*) FROM time_entries WHERE status = 'approved' AND work_date BETWEEN ? AND ?", WEEK.from, WEEK.to)).toBe(0);
    expect(count("SELECT count(*) FROM ledger WHERE run_id = ? AND action = 'transition' AND direction = 'local'", result.runId)).toBe(approved);
    expect(count("SELECT count(*) FROM time_entry_events WHERE to_status = 'exported' AND from_status = 'approved' AND actor = 'export:gusto'")).toBe(approved);

    const b = bytes();
    expect([...b.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(b.toString('utf8')).toContain('\r\n');
    expect(b.toString('utf8').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const [header, ...body] = rows();
    expect(header).toEqual(['first_name', 'last_name', 'gusto_employee_id', 'title', 'regular_hours', 'overtime_hours', 'double_overtime_hours']);
    expect(body).toHaveLength(result.rows);
    // Hours per worker and title add up to the entries', to the hundredth.
    const total = body.reduce((s, r) => s + Math.round(Number(r[4]) * 100) + Math.round(Number(r[5]) * 100) + Math.round(Number(r[6]) * 100), 0);
    const expected = count("SELECT round(sum(regular_hours + overtime_hours + double_time_hours) * 100) FROM time_entries t JOIN ledger l ON l.canonical_id = t.id AND l.run_id = ?", result.runId);
    expect(total).toBe(expected);
    const run = await world.store.repos.runs.get(result.runId as string);
    expect(run).toMatchObject({ kind: 'export', system: 'export:gusto', entity: 'time_entry', status: 'succeeded' });
    expect(run?.counts).toMatchObject({ marked: approved, entries: approved });
  });

  it('keeps the accents of names, in UTF-8 with a BOM that spreadsheets honour', async () => {
    const { rows } = await time({ includeExported: true });
    const names = rows().slice(1).map((r) => `${r[0] ?? ''} ${r[1] ?? ''}`);
    const accented = names.filter((n) => /[^\x00-\x7f]/.test(n));
    expect(accented.length).toBeGreaterThan(0);
    const known = new Set(template.dataset.candidates.map((c) => `${c.firstName} ${c.lastName}`));
    for (const n of names) expect(known.has(n)).toBe(true);
  });

  it('exporting again writes nothing new and marks nothing; --include-exported writes them again without re-marking', async () => {
    const first = await time();
    const ledger = count('SELECT count(*) FROM ledger');
    const again = await time();
    expect(again.result).toMatchObject({ entries: 0, marked: 0, rows: 0 });
    expect(again.rows()).toHaveLength(1);
    const included = await time({ includeExported: true });
    expect(included.result.marked).toBe(0);
    expect(included.result.alreadyExported).toBeGreaterThanOrEqual(first.result.entries);
    expect(count('SELECT count(*) FROM ledger')).toBe(ledger);
  });

  it('a dry run writes the file and marks nothing, records no run', async () => {
    const runs = count('SELECT count(*) FROM runs');
    const ledger = count('SELECT count(*) FROM ledger');
    const approved = count("SELECT count(*) FROM time_entries WHERE status = 'approved' AND work_date BETWEEN ? AND ?", WEEK.from, WEEK.to);
    const { result, rows } = await time({ dryRun: true });
    expect(result.runId).toBeNull();
    expect(result.marked).toBe(0);
    expect(result.entries).toBe(approved);
    expect(rows().length).toBe(result.rows + 1);
    expect(count("SELECT count(*) FROM time_entries WHERE status = 'approved' AND work_date BETWEEN ? AND ?", WEEK.from, WEEK.to)).toBe(approved);
    expect(count('SELECT count(*) FROM ledger')).toBe(ledger);
    expect(count('SELECT count(*) FROM runs')).toBe(runs);
  });

  it('the file of a past run can be written again, identically, marking nothing', async () => {
    const first = await time();
    const c = capture();
    const again = await exportTimeRun(world.store, first.result.runId as string, c.out);
    expect(again.rows).toBe(first.result.rows);
    expect(c.bytes().equals(first.bytes())).toBe(true);
  });

  it('ADP layout: company code, batch, file number, hours and the placement pay rate; workers without a file number are left approved and listed', async () => {
    const approvedRows = world.store.db
      .prepare(`SELECT DISTINCT a.candidate_id FROM time_entries t JOIN assignments a ON a.id = t.assignment_id WHERE t.status = 'approved' AND t.work_date BETWEEN ? AND ?`)
      .pluck()
      .all(WEEK.from, WEEK.to) as string[];
    const [withoutNumber, ...numbered] = approvedRows;
    const links: LinkRow[] = numbered.map((candidateId, i) => ({
      system: 'adp', entity: 'candidate', externalId: `G3ZX${i}`, canonicalId: candidateId, state: 'linked', base: null, sourceHash: null,
      sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: { payrollFileNumber: String(4000 + i).padStart(6, '0'), payrollGroupCode: '7QN' },
      tombstonedAt: null, seenRunId: null, createdAt: T0, updatedAt: T0,
    }));
    await world.store.unitOfWork((tx) => tx.links.upsertMany(links));
    const { result, rows } = await time({ format: 'adp' });
    const [header, ...body] = rows();
    expect(header).toEqual(['Co Code', 'Batch ID', 'File #', 'Reg Hours', 'O/T Hours', 'Hours 3 Code', 'Hours 3 Amount', 'Temp Rate']);
    for (const r of body) {
      expect(r[0]).toBe('7QN');
      expect(r[1]).toBe('CW261115');
      expect(r[2]).toMatch(/^00\d{4}$/);
      expect(r[3]).toMatch(/^\d+\.\d\d$/);
      expect(r[7]).toMatch(/^\d+\.\d\d$/);
    }
    expect(result.skipped.length).toBeGreaterThan(0);
    expect(result.skipped.every((s) => s.reason.startsWith('no ADP file number'))).toBe(true);
    const left = count(`SELECT count(*) FROM time_entries t JOIN assignments a ON a.id = t.assignment_id WHERE a.candidate_id = ? AND t.status = 'approved' AND t.work_date BETWEEN ? AND ?`, withoutNumber, WEEK.from, WEEK.to);
    expect(left).toBe(result.skipped.length);
  });

  it('reads periods as FROM..TO and refuses nonsense', () => {
    expect(parsePeriod('2026-11-09..2026-11-15')).toEqual(WEEK);
    expect(parsePeriod('2026-11-15..2026-11-09')).toEqual({ error: 'the period ends (2026-11-09) before it starts (2026-11-15)' });
    expect(parsePeriod('2026-02-30..2026-03-01')).toEqual({ error: '2026-02-30..2026-03-01 is not a pair of calendar dates' });
    expect(parsePeriod('last week')).toMatchObject({ error: expect.stringContaining('FROM..TO') as string });
    expect(parsePeriod('2026-01-01..2026-12-31')).toEqual({ error: 'the period is 365 days; at most 62' });
  });
});

describe('invoice register and entity exports', () => {
  it('the invoice register lists each invoice once, amounts to the cent', async () => {
    const report = await importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind: 'invoices', path: join(CORPUS_DIR, 'invoices/input.csv'), now: () => T0 });
    expect(report.counts['invoice']?.created).toBe(2);
    const c = capture();
    expect(await exportInvoices(world.store, {}, c.out)).toEqual({ rows: 2 });
    expect(c.rows()).toEqual([
      ['Invoice #', 'Client', 'Client ID', 'Invoice Date', 'Due Date', 'Period Start', 'Period End', 'Status', 'Lines', 'Total', 'Currency'],
      ['INV-2026-900001', 'Falcon Clinics Group', world.ids.get('cl-000001'), '2026-11-23', '2026-12-23', '2026-11-16', '2026-11-22', 'issued', '2', '1234.50', 'USD'],
      ['INV-2026-900005', 'Falcon Clinics Group', world.ids.get('cl-000001'), '2026-11-23', '2026-12-23', '2026-11-16', '2026-11-22', 'issued', '1', '10.00', 'USD'],
    ]);
  });

  it('an entity export has client-visible columns by default; pay rates only with internal', async () => {
    const visible = capture();
    await exportEntity(world.store, { entity: 'assignment_rate' }, visible.out);
    const [header, first] = visible.rows();
    expect(header).toEqual(['id', 'assignmentId', 'effectiveFrom', 'billRateCents', 'otBillRateCents', 'dtBillRateCents']);
    expect(first?.[3]).toMatch(/^\d+$/);
    const internal = capture();
    const result = await exportEntity(world.store, { entity: 'assignment_rate', internal: true }, internal.out);
    expect(result.columns).toContain('payRateCents');
    expect(result.rows).toBe(template.dataset.assignmentRates.length);
    const candidates = capture();
    await exportEntity(world.store, { entity: 'candidate' }, candidates.out);
    expect(candidates.rows()[0]).toEqual(['id', 'firstName', 'lastName', 'status']);
  });
});
