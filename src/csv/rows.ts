import type { z } from 'zod';
import { isRef, type IncomingRecord, type IncomingValue } from '../engine/index.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import type { BoundStage } from './binding.ts';
import type { CsvRecord } from './records.ts';
import { excerpt, maskDigits } from './mask.ts';

/** One problem with one row, as the report shows it. */
export interface RowError {
  readonly line: number;
  readonly column: string | null;
  /** Masked and shortened. */
  readonly value: string | null;
  readonly reason: string;
}

/** A row on its way through the stages; dead once anything is wrong with it. */
export interface RowState {
  readonly record: CsvRecord;
  dead: boolean;
  /** The group (invoice number) the row belongs to, for kinds that group. */
  group: string | null;
  /** Its run of consecutive rows with that group: what is imported, or not, as one. */
  run: number;
}

/** Marks a row bad with its problem. */
export type Fail = (row: RowState, error: RowError) => void;

/** A stage's record for one row. */
export interface StageItem {
  readonly row: RowState;
  /** The row as the mapping read it (mapping column → cell): for error values. */
  readonly obj: Record<string, string>;
  incoming: IncomingRecord;
  /** Set once the row's external id is its natural key. */
  key: string | null;
  hash: string | null;
  /** Canonical ids of its references, as resolved. */
  readonly refs: Record<string, string>;
}

export function cellOf(stage: BoundStage, record: CsvRecord, column: string): string | null {
  const c = stage.columns.find((x) => x.name === column);
  return c === undefined ? null : (record.fields[c.index] ?? null);
}

/** The record as the mapping reads it: mapping column name → cell. */
export function rowObject(stage: BoundStage, record: CsvRecord): Record<string, string> {
  const obj = Object.create(null) as Record<string, string>;
  for (const c of stage.columns) obj[c.name] = record.fields[c.index] ?? '';
  return obj;
}

/** A row's problem; the value and the reason are masked (a reason may quote the value). */
export function errorAt(row: RowState, column: string | null, value: string | null, reason: string): RowError {
  return { line: row.record.line, column, value: excerpt(value), reason: maskDigits(reason) };
}

/**
 * Where the mapping could not convert a cell (the record is `invalid`): one problem per field, on
 * its column, with the mapping's own reason.
 */
export function transformProblems(stage: BoundStage, row: RowState, obj: Record<string, string>, incoming: IncomingRecord): RowError[] {
  if (incoming.invalid === undefined) return [];
  const out: RowError[] = [];
  for (const f of stage.inbound) {
    const result = f.codec.inbound(obj);
    if (result.ok) continue;
    const column = stage.fieldColumns.get(f.target) ?? null;
    out.push(errorAt(row, column, column === null ? null : (obj[column] ?? null), result.reason));
  }
  // A problem the fields do not explain (the modified time, say): reported on the row.
  if (out.length === 0) out.push(errorAt(row, null, null, incoming.invalid));
  return out;
}

/**
 * The canonical schema's checks on each converted value, on its column (a reference is checked
 * when it resolves, not here), and for time entries the hours of one day together.
 */
export function schemaProblems(stage: BoundStage, row: RowState, obj: Record<string, string>, incoming: IncomingRecord): RowError[] {
  const out: RowError[] = [];
  const entity = stage.def.entity;
  const shape = ENTITIES[entity].schema.shape as Record<string, z.ZodType>;
  const refs = ENTITIES[entity].refs;
  for (const [field, value] of Object.entries(incoming.values)) {
    if (isRef(value) || (refs[field] !== undefined && typeof value === 'string')) continue;
    const schema = shape[field];
    if (schema === undefined) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) continue;
    const column = stage.fieldColumns.get(field) ?? null;
    const raw = column === null ? null : (obj[column] ?? null);
    out.push(errorAt(row, column, raw, describeIssue(field, value, parsed.error)));
  }
  if (out.length === 0 && entity === 'time_entry') out.push(...hoursPerDay(stage, row, obj, incoming.values));
  return out;
}

function describeIssue(field: string, value: IncomingValue, error: z.ZodError): string {
  if (value === null) return 'is required';
  if (field.endsWith('Hours') && typeof value === 'number' && (value < 0 || value > 24)) return `${value} hours is outside 0–24`;
  const issue = error.issues[0];
  return issue ? issue.message : 'is not valid';
}

/** Regular, overtime and double time together stay within one day. */
function hoursPerDay(stage: BoundStage, row: RowState, obj: Record<string, string>, values: Readonly<Record<string, IncomingValue>>): RowError[] {
  const parts = ['regularHours', 'overtimeHours', 'doubleTimeHours'];
  // An ordinary entry carries hours as worked, 0–24 each; only an adjustment (decision 0018)
  // carries a signed change, and it names the entry it adjusts.
  if (values['adjustsEntryId'] === undefined || values['adjustsEntryId'] === null) {
    const negative: RowError[] = [];
    for (const p of parts) {
      const v = values[p];
      const column = stage.fieldColumns.get(p) ?? null;
      if (typeof v === 'number' && v < 0) negative.push(errorAt(row, column, column === null ? null : (obj[column] ?? null), `${v} hours is outside 0–24`));
    }
    if (negative.length > 0) return negative;
  }
  let total = 0;
  for (const p of parts) {
    const v = values[p];
    if (typeof v === 'number') total += v;
  }
  if (Math.round(total * 100) <= 2400) return [];
  const columns = parts.map((p) => stage.fieldColumns.get(p)).filter((c): c is string => c !== undefined && obj[c] !== undefined);
  const shown = Math.round(total * 100) / 100;
  return [errorAt(row, columns.join(' + ') || null, columns.map((c) => obj[c] ?? '').join(' + '), `${shown} hours in one day is more than 24`)];
}

/** The canonical field an engine reason is about, when it names one the stage reads. */
export function columnInReason(stage: BoundStage, reason: string): string | null {
  let best: { at: number; column: string } | null = null;
  for (const [field, column] of stage.fieldColumns) {
    const m = new RegExp(`(^|[^A-Za-z])${field}([^A-Za-z]|$)`).exec(reason);
    // The field named first is the one the reason is about (`endDate: endDate is before startDate`).
    if (m && (best === null || m.index < best.at)) best = { at: m.index, column };
  }
  return best?.column ?? null;
}

/** Plain text of a key for messages: `1234 | 11/09/2026`. */
export function keyCells(stage: BoundStage, record: CsvRecord): string {
  return stage.keyColumns.map((c) => cellOf(stage, record, c) ?? '').join(' | ');
}

export function entityLabel(entity: EntityName): string {
  return entity.replaceAll('_', ' ');
}
