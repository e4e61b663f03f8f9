import { emptySummary, type ApplySummary, type IncomingRecord, type IncomingValue } from '../engine/index.ts';
import type { EntityName } from '../model/index.ts';
import type { Repos } from '../store/index.ts';
import type { BoundStage } from './binding.ts';
import type { ChunkContext } from './chunk-context.ts';
import type { CsvRecord } from './records.ts';
import { checkGroups, killGroups } from './groups.ts';
import { keyed } from './keys.ts';
import { resolveRefs } from './refs.ts';
import { cellOf, columnInReason, errorAt, keyCells, rowObject, schemaProblems, transformProblems, type Fail, type RowError, type RowState, type StageItem } from './rows.ts';

/** Per-entity counts of an import: the engine's summary plus rows that repeated a group's record. */
export type EntityCounts = ApplySummary & { repeated: number };

export function emptyCounts(): EntityCounts {
  return { ...emptySummary(), repeated: 0 };
}

/** Adds counts (or an engine summary, which has no `repeated`) into `into`. */
export function addCounts(into: EntityCounts, from: Readonly<ApplySummary> & { readonly repeated?: number }): EntityCounts {
  for (const key of Object.keys(emptySummary()) as Array<keyof ApplySummary>) into[key] += from[key];
  into.repeated += from.repeated ?? 0;
  return into;
}

export interface ChunkOutcome {
  readonly errors: RowError[];
  readonly counts: Map<EntityName, EntityCounts>;
  /** Rows with at least one problem. */
  readonly badRows: number;
}

/** Records per engine call inside a chunk's unit of work. */
const ENGINE_SLICE = 500;

/**
 * One chunk of rows through every stage of its kind, inside the caller's unit of work: map and
 * check each row, resolve references (unknown ones are row errors, never held), derive stable row
 * keys, catch duplicates within the file, skip rows identical to what is stored (the engine's own
 * hash guard, read without parsing), check dates against the assignment, then apply the rest
 * through the engine and report its refusals by line. `replay` only re-learns the keys of rows an
 * interrupted import already committed, writing nothing.
 */
export type { ChunkContext };

export async function processChunk(ctx: ChunkContext, tx: Repos, records: readonly CsvRecord[], mode: 'apply' | 'replay'): Promise<ChunkOutcome> {
  const errors: RowError[] = [];
  const counts = new Map<EntityName, EntityCounts>();
  const rows: RowState[] = records.map((record) => ({ record, dead: false, group: null, run: 0 }));
  const fail = (row: RowState, error: RowError) => {
    row.dead = true;
    errors.push(error);
  };
  const { binding } = ctx;

  // A. Shape, then mapping and field checks for every stage (no database yet).
  for (const row of rows) {
    if (row.record.fields.length !== ctx.headerLength) {
      fail(row, errorAt(row, null, null, `has ${row.record.fields.length} field${row.record.fields.length === 1 ? '' : 's'}; the header has ${ctx.headerLength}`));
      continue;
    }
    for (const [column, index] of binding.positions) {
      const cell = row.record.fields[index] ?? '';
      if (cell.includes('\uFFFD')) fail(row, errorAt(row, column, cell, 'holds U+FFFD, the replacement character: the text was damaged before it reached this file'));
    }
    if (binding.groupColumn !== null) row.group = (row.record.fields[binding.groupColumn] ?? '').trim();
  }
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1] as RowState;
    (rows[i] as RowState).run = prev.run + (prev.group === (rows[i] as RowState).group ? 0 : 1);
  }
  const items: Array<StageItem[]> = binding.stages.map(() => []);
  binding.stages.forEach((stage, s) => {
    for (const row of rows) {
      if (row.record.fields.length !== ctx.headerLength) continue;
      if (stage.def.optional && stage.own.every((i) => (row.record.fields[i] ?? '').trim() === '')) continue;
      const obj = rowObject(stage, row.record);
      const mapped = stage.mapping.toIncoming(obj);
      if (!mapped.ok) {
        const blank = stage.keyColumns.filter((c) => (cellOf(stage, row.record, c) ?? '').trim() === '');
        const reason = blank.length > 0 ? `${blank.join(' and ')} ${blank.length > 1 ? 'are' : 'is'} blank: needed to identify the row` : mapped.error;
        fail(row, errorAt(row, (blank.length > 0 ? blank : stage.keyColumns).join(' + ') || null, blank.length > 0 ? null : keyCells(stage, row.record), reason));
        continue;
      }
      const incoming = blankAsZero(stage, mapped.record);
      const problems = transformProblems(stage, row, obj, incoming);
      if (problems.length > 0) {
        row.dead = true;
        errors.push(...problems);
        continue;
      }
      (items[s] as StageItem[]).push({ row, obj, incoming, key: null, hash: null, refs: {} });
    }
  });

  // B. Groups (an invoice and its lines) stay together and add up.
  if (binding.groupColumn !== null) checkGroups(ctx, rows, items, errors);
  killGroups(rows, errors);

  // C1. References to records outside this kind: unknown ones are errors, reported not guessed.
  const internal = new Set<EntityName>();
  for (let s = 0; s < binding.stages.length; s++) {
    const stage = binding.stages[s] as BoundStage;
    await resolveRefs(ctx, tx, stage, live(items[s] as StageItem[]), internal, fail);
    internal.add(stage.def.entity);
  }
  killGroups(rows, errors);

  // C2/C3. Stage by stage: keys, duplicates, the hash guard, entity checks, the engine.
  const earlier = new Set<EntityName>();
  for (let s = 0; s < binding.stages.length; s++) {
    const stage = binding.stages[s] as BoundStage;
    const entity = stage.def.entity;
    const count = counts.get(entity) ?? emptyCounts();
    counts.set(entity, count);
    let work = live(items[s] as StageItem[]);
    if (earlier.size > 0) {
      await resolveRefs(ctx, tx, stage, work, null, fail, earlier);
      work = live(work);
    }
    earlier.add(entity);
    work = keyed(ctx, stage, s, work, count, fail);
    killGroups(rows, errors);
    work = live(work);
    if (mode === 'replay' || work.length === 0) continue;

    // The engine's hash guard, read without parsing a link: the same record again costs a lookup.
    // Unlike the engine, a record refused last time is reported again rather than called unchanged.
    const hashes = await tx.imports.linkHashes(ctx.system, entity, work.map((w) => w.key as string));
    const changed: StageItem[] = [];
    for (const w of work) {
      const link = hashes.get(w.key as string);
      if (link === undefined || link.state === 'held' || link.hash !== w.hash) changed.push(w);
      else if (link.state === 'parked') count.parked++;
      else if (link.reason !== null) {
        count.rejected++;
        const column = columnInReason(stage, link.reason);
        fail(w.row, errorAt(w.row, column, column === null ? null : cellOf(stage, w.row.record, column), `refused before, and unchanged since: ${link.reason}`));
      } else count.unchanged++;
    }
    // Only what the engine will see needs the schema's checks: a row equal to a stored record was
    // valid when it was stored (a re-import of a million rows skips a few million checks).
    for (const w of changed) {
      const problems = schemaProblems(stage, w.row, w.obj, w.incoming);
      if (problems.length === 0) continue;
      w.row.dead = true;
      errors.push(...problems);
    }
    if (entity === 'time_entry') await checkWorkDates(tx, stage, live(changed), fail);
    const apply = live(changed);
    if (apply.length === 0) continue;
    // The engine gets the chunk in slices: its per-record objects die young instead of piling up
    // for the whole chunk (peak memory); the unit of work, and so the commit, stays the chunk's.
    for (let i = 0; i < apply.length; i += ENGINE_SLICE) {
      const slice = apply.slice(i, i + ENGINE_SLICE);
      const before = await tx.imports.lastLedgerSeq();
      const summary = await ctx.engine.applyIn(tx, { system: ctx.system, entity, records: slice.map((w) => w.incoming), runId: ctx.runId });
      addCounts(count, summary);
      if (summary.rejected === 0) continue;
      const byKey = new Map(slice.map((w) => [w.key as string, w]));
      for (const r of await tx.imports.rejectedSince(ctx.runId, before)) {
        const w = r.externalId === null || r.entity !== entity ? undefined : byKey.get(r.externalId);
        if (!w) continue;
        const reason = r.reason ?? 'rejected';
        const column = columnInReason(stage, reason);
        fail(w.row, errorAt(w.row, column, column === null ? null : cellOf(stage, w.row.record, column), reason));
      }
    }
    killGroups(rows, errors);
  }

  errors.sort((a, b) => a.line - b.line);
  return { errors, counts, badRows: rows.filter((r) => r.dead).length };
}

function live(items: readonly StageItem[]): StageItem[] {
  return items.filter((w) => !w.row.dead);
}

/**
 * Hours a timesheet leaves blank, or a column it leaves out, are zero hours. The record is the
 * mapping's fresh output for this row, so it is changed in place rather than copied.
 */
function blankAsZero(stage: BoundStage, record: IncomingRecord): IncomingRecord {
  const fields = stage.def.blankAsZero;
  if (!fields || record.invalid !== undefined) return record;
  const values = record.values as Record<string, IncomingValue>;
  for (const f of fields) {
    const v = values[f];
    if (v === null || v === undefined) values[f] = 0;
  }
  return record;
}

/** A work date must fall within its assignment's start and end dates. */
async function checkWorkDates(tx: Repos, stage: BoundStage, items: readonly StageItem[], fail: Fail): Promise<void> {
  const ids = [...new Set(items.map((w) => w.refs['assignmentId']).filter((id): id is string => id !== undefined))];
  if (ids.length === 0) return;
  const assignments = await tx.canonical.getMany('assignment', ids);
  const column = stage.fieldColumns.get('workDate') ?? null;
  for (const w of items) {
    const id = w.refs['assignmentId'];
    const date = w.incoming.values['workDate'];
    const a = id === undefined ? undefined : assignments.get(id);
    if (!a || typeof date !== 'string') continue;
    const start = a.fields['startDate'] as string;
    const end = a.fields['endDate'] as string | null;
    if (date < start || (end !== null && date > end)) {
      const span = end === null ? `starts ${start}` : `runs ${start} to ${end}`;
      fail(w.row, errorAt(w.row, column, column === null ? null : cellOf(stage, w.row.record, column), `work date ${date} is outside the assignment, which ${span}`));
    }
  }
}

