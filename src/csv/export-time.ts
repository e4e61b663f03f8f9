import type { Writable } from 'node:stream';
import { applyLocalChange, RefusedError, type SyncPolicy } from '../engine/index.ts';
import { nowIso } from '../lib/time.ts';
import type { Store } from '../store/index.ts';
import type { PayrollEntryRow } from '../store/index.ts';
import { missingIdentity, payrollLayout, type AdpOptions, type Layout, type PayrollEntry, type PayrollFormat } from './payroll.ts';
import { createCsvWriter } from './write.ts';

export interface Period {
  /** First work date, ISO. */
  readonly from: string;
  /** Last work date, ISO, inclusive. */
  readonly to: string;
}

/** Payroll periods run a week to a month; this leaves room for an off-cycle catch-up. */
export const MAX_PERIOD_DAYS = 62;

/** `2026-11-09..2026-11-15` → a period, or a reason. */
export function parsePeriod(text: string): Period | { error: string } {
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!m) return { error: `a period is FROM..TO in ISO dates, e.g. 2026-11-09..2026-11-15 (got "${text}")` };
  const [from, to] = [m[1] as string, m[2] as string];
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (Number.isNaN(days) || new Date(`${from}T00:00:00Z`).toISOString().slice(0, 10) !== from || new Date(`${to}T00:00:00Z`).toISOString().slice(0, 10) !== to) {
    return { error: `${text} is not a pair of calendar dates` };
  }
  if (days < 0) return { error: `the period ends (${to}) before it starts (${from})` };
  if (days >= MAX_PERIOD_DAYS) return { error: `the period is ${days + 1} days; at most ${MAX_PERIOD_DAYS}` };
  return { from, to };
}

export interface TimeExportOptions {
  readonly format: PayrollFormat;
  readonly period: Period;
  /** Also write entries already exported (or invoiced), without marking them again. @defaultValue false */
  readonly includeExported?: boolean;
  /** Write the file but mark nothing and record no run: a preview. @defaultValue false */
  readonly dryRun?: boolean;
  /** The system whose links carry payroll ids (ADP file numbers, Gusto employee IDs). @defaultValue the format's name */
  readonly payrollSystem?: string;
  readonly adp?: AdpOptions;
  /** Who exports, for the ledger and the time entry history. @defaultValue `export:<format>` */
  readonly actor?: string;
  readonly now?: () => string;
  /** End the output stream when done (false for stdout). @defaultValue true */
  readonly endOutput?: boolean;
  /** Entries marked per unit of work. @defaultValue 500 */
  readonly chunk?: number;
}

export interface SkippedEntry {
  readonly entryId: string;
  readonly worker: string;
  readonly workDate: string;
  readonly reason: string;
}

export interface TimeExportResult {
  /** The export run (null for a dry run): re-download its file with `exportTimeRun`. */
  readonly runId: string | null;
  readonly format: PayrollFormat;
  readonly period: Period;
  /** Rows in the file (aggregated per worker). */
  readonly rows: number;
  /** Time entries in the file. */
  readonly entries: number;
  /** Entries this export moved from approved to exported. */
  readonly marked: number;
  /** Entries in the file that an earlier export had already marked. */
  readonly alreadyExported: number;
  /** Entries left out of the file, each with why; they stay approved. */
  readonly skipped: readonly SkippedEntry[];
}

const PAGE = 2000;

/**
 * Approved time for a pay period as a payroll file (Gusto or ADP layout). Every entry written is
 * marked exported exactly once, through `applyLocalChange` (ledger row, history line, fan-out) in
 * units of work of a few hundred, each re-checking the entry is still approved, so two exports of
 * the same period cannot both take an entry. Entries are marked before the file is written; if
 * writing fails, the run keeps them and `exportTimeRun` writes their file again.
 */
export async function exportTime(store: Store, policy: SyncPolicy, options: TimeExportOptions, out: Writable): Promise<TimeExportResult> {
  const now = options.now ?? nowIso;
  const { format, period } = options;
  const statuses = options.includeExported ? ['approved', 'exported', 'invoiced'] : ['approved'];
  const rows: PayrollEntryRow[] = [];
  for (let after: string | null = null; ; ) {
    const page = await store.repos.imports.payrollEntries({ from: period.from, to: period.to, statuses, afterId: after, limit: PAGE });
    rows.push(...page);
    if (page.length < PAGE) break;
    after = (page.at(-1) as PayrollEntryRow).id;
  }
  const entries = await enrich(store, rows, options.payrollSystem ?? format);
  const skipped: SkippedEntry[] = [];
  const eligible: PayrollEntry[] = [];
  for (const e of entries) {
    const reason = missingIdentity(format, e, options.adp);
    if (reason === null) eligible.push(e);
    else skipped.push(skip(e, reason));
  }
  const earlier = eligible.filter((e) => e.status !== 'approved');
  let file: PayrollEntry[] = eligible;
  let runId: string | null = null;
  let marked = 0;
  const report = { format, period, includeExported: options.includeExported ?? false, payrollSystem: options.payrollSystem ?? format, adp: options.adp ?? {} };
  if (!options.dryRun) {
    const run = await store.unitOfWork((tx) => tx.runs.start('export', `export:${format}`, 'time_entry', now(), report));
    runId = run.id;
    const actor = options.actor ?? `export:${format}`;
    const taken = new Set<string>();
    const approved = eligible.filter((e) => e.status === 'approved');
    const size = options.chunk ?? 500;
    try {
      for (let i = 0; i < approved.length; i += size) {
        const slice = approved.slice(i, i + size);
        await store.unitOfWork(async (tx) => {
          const current = await tx.canonical.getMany('time_entry', slice.map((e) => e.id));
          for (const e of slice) {
            if (current.get(e.id)?.fields['status'] !== 'approved') {
              skipped.push(skip(e, 'no longer approved: another export or a change took it first'));
              continue;
            }
            try {
              await applyLocalChange(
                tx, policy,
                { entity: 'time_entry', canonicalId: e.id, changes: { status: 'exported' }, actor, comment: `exported to ${format} for ${period.from}..${period.to} (run ${run.id})`, runId: run.id },
                now(),
              );
              taken.add(e.id);
            } catch (err) {
              if (!(err instanceof RefusedError)) throw err;
              skipped.push(skip(e, err.message));
            }
          }
        });
      }
    } catch (err) {
      await store.unitOfWork((tx) => tx.runs.finish(run.id, 'failed', { ...report, marked: taken.size }, err instanceof Error ? err.message : String(err), now()));
      throw err;
    }
    marked = taken.size;
    file = [...earlier, ...approved.filter((e) => taken.has(e.id))];
  }
  let written = 0;
  try {
    written = await writeLayout(layoutOf(format, file, period, options.adp), out, options.endOutput ?? true);
  } catch (err) {
    if (runId !== null) {
      const id = runId;
      await store.unitOfWork((tx) => tx.runs.finish(id, 'failed', { ...report, marked }, `marked ${marked} entries but the file was not written: ${err instanceof Error ? err.message : String(err)}`, now()));
    }
    throw err;
  }
  const result: TimeExportResult = { runId, format, period, rows: written, entries: file.length, marked, alreadyExported: earlier.length, skipped };
  if (runId !== null) {
    const id = runId;
    await store.unitOfWork(async (tx) => {
      await tx.runs.progress(id, report, { rows: written, entries: file.length, marked, alreadyExported: earlier.length, skipped: skipped.length });
      await tx.runs.finish(id, 'succeeded', { ...report, ...result }, null, now());
    });
  }
  return result;
}

/**
 * The file of an earlier time export run, written again from the entries its ledger rows show it
 * marked, in the run's own format: for a download that was lost, or a run that failed after
 * marking. Marks nothing.
 */
export async function exportTimeRun(store: Store, runId: string, out: Writable, options: { endOutput?: boolean } = {}): Promise<TimeExportResult> {
  const run = await store.repos.runs.get(runId);
  if (!run || run.kind !== 'export' || run.entity !== 'time_entry') throw new RefusedError(`no time export run ${runId}`, 'not_found');
  const saved = (run.cursor ?? {}) as { format?: PayrollFormat; period?: Period; payrollSystem?: string; adp?: AdpOptions };
  if (!saved.format || !saved.period) throw new RefusedError(`run ${runId} does not say which format it wrote`, 'invalid');
  const ids = await store.repos.imports.changedByRun(runId, 'time_entry');
  const entries = await enrich(store, await store.repos.imports.payrollEntriesByIds(ids), saved.payrollSystem ?? saved.format);
  const rows = await writeLayout(layoutOf(saved.format, entries, saved.period, saved.adp), out, options.endOutput ?? true);
  return { runId, format: saved.format, period: saved.period, rows, entries: entries.length, marked: 0, alreadyExported: entries.length, skipped: [] };
}

function layoutOf(format: PayrollFormat, entries: readonly PayrollEntry[], period: Period, adp: AdpOptions | undefined): Layout {
  return payrollLayout(format, entries, period, adp);
}

async function writeLayout(layout: Layout, out: Writable, endOutput: boolean): Promise<number> {
  const writer = createCsvWriter(out, layout.header, { endOutput });
  for (const row of layout.rows) await writer.write(row);
  await writer.end();
  return writer.rows;
}

function skip(e: PayrollEntryRow, reason: string): SkippedEntry {
  return { entryId: e.id, worker: `${e.firstName} ${e.lastName}`, workDate: e.workDate, reason };
}


/** Payroll ids from the worker's link to the payroll system, and the pay rate on each work date. */
async function enrich(store: Store, rows: readonly PayrollEntryRow[], payrollSystem: string): Promise<PayrollEntry[]> {
  const links = await store.repos.imports.linkMeta(payrollSystem, 'candidate', [...new Set(rows.map((r) => r.candidateId))]);
  const rates = await store.repos.imports.payRatesOn(rows.map((r) => ({ assignmentId: r.assignmentId, date: r.workDate })));
  return rows.map((r) => {
    const linkMeta = links.get(r.candidateId)?.meta ?? {};
    return { ...r, linkMeta, payRateCents: rates.get(`${r.assignmentId}|${r.workDate}`) ?? null };
  });
}
