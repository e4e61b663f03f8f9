import { emptySummary, hashIncoming, isRef, type ApplySummary, type Engine, type IncomingRecord, type IncomingValue } from '../engine/index.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import type { Repos } from '../store/index.ts';
import type { Binding, BoundStage } from './binding.ts';
import type { CsvRecord } from './records.ts';
import { cellOf, columnInReason, entityLabel, errorAt, fieldProblems, keyCells, rowObject, type RowError, type RowState, type StageItem } from './rows.ts';
import type { SeenKeys } from './scratch.ts';

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

export interface ChunkContext {
  readonly binding: Binding;
  /** `csv:<source>` */
  readonly system: string;
  readonly engine: Engine;
  /** Ledger rows of the import carry it; the engine's rejections are found by it. */
  readonly runId: string;
  readonly seen: SeenKeys;
  readonly headerLength: number;
}

export interface ChunkOutcome {
  readonly errors: RowError[];
  readonly counts: Map<EntityName, EntityCounts>;
  /** Rows with at least one problem. */
  readonly badRows: number;
}

/** Namespace of group keys in the seen-keys file; stages use their index. */
const GROUP_NS = 1000;
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
      const problems = fieldProblems(stage, row, obj, incoming);
      if (problems.length > 0) {
        row.dead = true;
        errors.push(...problems);
        continue;
      }
      (items[s] as StageItem[]).push({ row, incoming, key: null, hash: null, refs: {} });
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
    if (entity === 'time_entry') await checkWorkDates(tx, stage, changed, fail);
    const apply = live(changed);
    if (apply.length === 0) continue;
    // The engine gets the chunk in slices: its per-record objects die young instead of piling up
    // for the whole chunk (peak memory, G2); the unit of work, and so the commit, stays the chunk's.
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

/** Hours a timesheet leaves blank, or a column it leaves out, are zero hours. */
function blankAsZero(stage: BoundStage, record: IncomingRecord): IncomingRecord {
  const fields = stage.def.blankAsZero;
  if (!fields || record.invalid !== undefined) return record;
  let values: Record<string, IncomingValue> | null = null;
  for (const f of fields) {
    const v = record.values[f];
    if (v === null || v === undefined) {
      values ??= { ...record.values };
      values[f] = 0;
    }
  }
  return values === null ? record : { ...record, values };
}

/**
 * Resolves reference fields. With `only` unset: references to entities outside this kind (the
 * ones `skip` does not hold). With `only`: references to records earlier stages just applied.
 */
async function resolveRefs(
  ctx: ChunkContext,
  tx: Repos,
  stage: BoundStage,
  items: readonly StageItem[],
  skip: ReadonlySet<EntityName> | null,
  fail: (row: RowState, error: RowError) => void,
  only?: ReadonlySet<EntityName>,
): Promise<void> {
  const refs = ENTITIES[stage.def.entity].refs;
  const isInternal = (target: EntityName, value: IncomingValue) => isRef(value) && value.ref.system === ctx.system && (skip ?? only)?.has(target) === true;
  const wanted = new Map<string, { system: string; target: EntityName; ids: Set<string> }>();
  const plain = new Map<EntityName, Set<string>>();
  const take = (field: string, value: IncomingValue | undefined): boolean => {
    const target = refs[field];
    if (target === undefined || value === null || value === undefined) return false;
    const internal = isInternal(target, value);
    return only ? internal : !internal;
  };
  for (const w of items) {
    for (const [field, value] of Object.entries(w.incoming.values)) {
      if (!take(field, value)) continue;
      const target = refs[field] as EntityName;
      if (isRef(value)) {
        const k = `${value.ref.system}\u0000${target}`;
        const group = wanted.get(k) ?? { system: value.ref.system, target, ids: new Set<string>() };
        group.ids.add(value.ref.externalId);
        wanted.set(k, group);
      } else if (typeof value === 'string') {
        const set = plain.get(target) ?? new Set<string>();
        set.add(value);
        plain.set(target, set);
      }
    }
  }
  const found = new Map<string, string>();
  for (const [k, group] of wanted) {
    const ids = await tx.links.resolve(group.system, group.target, [...group.ids]);
    for (const [ext, id] of ids) found.set(`${k}\u0000${ext}`, id);
  }
  const exists = new Map<EntityName, Set<string>>();
  for (const [target, ids] of plain) exists.set(target, await tx.canonical.exists(target, [...ids]));
  for (const w of items) {
    for (const [field, value] of Object.entries(w.incoming.values)) {
      if (!take(field, value)) continue;
      const target = refs[field] as EntityName;
      const column = stage.fieldColumns.get(field) ?? null;
      const cell = column === null ? null : cellOf(stage, w.row.record, column);
      if (isRef(value)) {
        const id = found.get(`${value.ref.system}\u0000${target}\u0000${value.ref.externalId}`);
        if (id === undefined) {
          fail(w.row, errorAt(w.row, column, cell, `no ${entityLabel(target)} with ${value.ref.system} id ${value.ref.externalId} is known`));
          break;
        }
        w.refs[field] = id;
      } else if (typeof value === 'string') {
        if (!exists.get(target)?.has(value)) {
          fail(w.row, errorAt(w.row, column, cell, `no ${entityLabel(target)} with id ${value} exists`));
          break;
        }
        w.refs[field] = value;
      }
    }
  }
}

/**
 * Gives each item its stable row key and claims it in the file's seen keys: a second row with the
 * same key is a duplicate (both lines in the reason), or, for records that repeat on every row of
 * a group, must carry the same values.
 */
function keyed(ctx: ChunkContext, stage: BoundStage, ns: number, items: readonly StageItem[], count: { repeated: number }, fail: (row: RowState, error: RowError) => void): StageItem[] {
  const natural = stage.def.naturalKey;
  const out: StageItem[] = [];
  for (const w of items) {
    if (natural !== null) {
      const parts: string[] = [];
      let missing: string | null = null;
      for (const field of natural) {
        const value = w.refs[field] ?? w.incoming.values[field];
        if (value === null || value === undefined || typeof value === 'object') {
          missing = field;
          break;
        }
        parts.push(String(value));
      }
      if (missing !== null) {
        const column = stage.fieldColumns.get(missing) ?? null;
        fail(w.row, errorAt(w.row, column, null, `${column ?? missing} is needed to identify the row`));
        continue;
      }
      w.key = parts.join('|');
      w.incoming = { ...w.incoming, externalId: w.key };
    } else {
      w.key = w.incoming.externalId;
    }
    w.hash = hashIncoming(w.incoming);
    out.push(w);
  }
  const claims = ctx.seen.claimMany(ns, out.map((w) => ({ key: w.key as string, line: w.row.record.line, hash: w.hash })));
  const what = keyDescription(stage);
  const columns = keyColumnNames(stage);
  const kept: StageItem[] = [];
  out.forEach((w, i) => {
    const claim = claims[i];
    if (claim === undefined || claim.first) {
      kept.push(w);
      return;
    }
    const cells = columns.map((c) => cellOf(stage, w.row.record, c) ?? '').join(' | ');
    if (stage.def.repeats === 'same') {
      if (claim.same) count.repeated++;
      else fail(w.row, errorAt(w.row, columns.join(' + '), cells, `differs from line ${claim.line}, which has the same ${what}`));
      return;
    }
    fail(w.row, errorAt(w.row, columns.join(' + '), cells, `duplicate of line ${claim.line}: the same ${what}`));
  });
  return kept;
}

function keyColumnNames(stage: BoundStage): string[] {
  const natural = stage.def.naturalKey;
  return natural === null ? [...stage.keyColumns] : natural.map((f) => stage.fieldColumns.get(f) ?? f);
}

function keyDescription(stage: BoundStage): string {
  const columns = keyColumnNames(stage);
  return columns.length === 1 ? (columns[0] as string) : `${columns.slice(0, -1).join(', ')} and ${columns.at(-1) as string}`;
}

/** A work date must fall within its assignment's start and end dates. */
async function checkWorkDates(tx: Repos, stage: BoundStage, items: readonly StageItem[], fail: (row: RowState, error: RowError) => void): Promise<void> {
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

/**
 * Invoice groups: the lines of one invoice come together (a number seen in an earlier group is an
 * error), and add up to the invoice's total.
 */
function checkGroups(ctx: ChunkContext, rows: readonly RowState[], items: ReadonlyArray<readonly StageItem[]>, errors: RowError[]): void {
  const groups: Array<{ key: string; rows: RowState[] }> = [];
  for (const row of rows) {
    const last = groups.at(-1);
    if (last && last.rows[0]?.run === row.run) last.rows.push(row);
    else groups.push({ key: row.group ?? '', rows: [row] });
  }
  const groupColumn = ctx.binding.stages[0]?.fieldColumns.get(ctx.binding.kind.groupBy ?? '') ?? null;
  const claims = ctx.seen.claimMany(GROUP_NS, groups.map((g) => ({ key: g.key, line: (g.rows[0] as RowState).record.line, hash: null })));
  const header = ctx.binding.stages[0];
  const lines = ctx.binding.stages[1];
  const headerOf = new Map((items[0] ?? []).map((w) => [w.row, w]));
  const lineOf = new Map((items[1] ?? []).map((w) => [w.row, w]));
  groups.forEach((g, i) => {
    const claim = claims[i];
    const first = g.rows[0] as RowState;
    if (g.key === '') return;
    if (claim !== undefined && !claim.first) {
      for (const row of g.rows) {
        if (row.dead) continue;
        row.dead = true;
        errors.push(errorAt(row, groupColumn, g.key, `the lines of invoice ${g.key} must come together: it already appeared on line ${claim.line}`));
      }
      return;
    }
    if (g.rows.some((r) => r.dead) || !header || !lines) return;
    const total = headerOf.get(first)?.incoming.values['totalCents'];
    let sum = 0;
    for (const row of g.rows) {
      const amount = lineOf.get(row)?.incoming.values['amountCents'];
      if (typeof amount === 'number') sum += amount;
    }
    if (typeof total === 'number' && sum !== total) {
      const column = header.fieldColumns.get('totalCents') ?? null;
      first.dead = true;
      errors.push(errorAt(first, column, column === null ? null : cellOf(header, first.record, column), `the lines of invoice ${g.key} add up to ${money(sum)}, not ${money(total)}`));
    }
  });
}

/** A group with a bad row is not imported at all: its other rows say why. */
function killGroups(rows: readonly RowState[], errors: RowError[]): void {
  const bad = new Map<number, number>();
  for (const row of rows) if (row.dead && row.group !== null && row.group !== '' && !bad.has(row.run)) bad.set(row.run, row.record.line);
  if (bad.size === 0) return;
  for (const row of rows) {
    const line = row.group === null || row.group === '' ? undefined : bad.get(row.run);
    if (line === undefined || row.dead) continue;
    row.dead = true;
    errors.push(errorAt(row, null, null, `not imported: invoice ${row.group ?? ''} has a problem on line ${line}`));
  }
}

function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
