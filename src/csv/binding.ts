import type { z } from 'zod';
import type { CompiledMapping, MappedField } from '../mapping/index.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import type { KindDef, StageDef } from './kinds.ts';
import { CsvRefusal } from './limits.ts';

/** One canonical entity of a kind, bound to the file's header. */
export interface BoundStage {
  readonly def: StageDef;
  readonly mapping: CompiledMapping;
  /** Every column the mapping reads that the header has: mapping name → position in a record. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly index: number }>;
  /** Positions of the columns only this stage reads: an optional stage applies when one is filled. */
  readonly own: readonly number[];
  /** The mapping's key columns, as the mapping names them. */
  readonly keyColumns: readonly string[];
  /** Canonical field → the column it is read from (the first, for a concat). */
  readonly fieldColumns: ReadonlyMap<string, string>;
  readonly inbound: readonly MappedField[];
}

export interface Binding {
  readonly kind: KindDef;
  readonly stages: readonly BoundStage[];
  /** Header cells no mapping reads: left alone, listed in the report. */
  readonly ignored: readonly string[];
  /** Mapping column name → header position, for every column read. */
  readonly positions: ReadonlyMap<string, number>;
  /** Position of the column that groups rows (the invoice number), when the kind groups. */
  readonly groupColumn: number | null;
}

/** Header cells match mapping columns regardless of case, spacing and Unicode form. */
export function normaliseHeader(cell: string): string {
  return cell.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The column a CSV mapping path names: a plain name (a `.` or `[` in a header cannot be mapped). */
function columnOf(pathText: string, file: string): string {
  if (/[.[\]]/.test(pathText)) {
    throw new CsvRefusal('missing_columns', `${file}: "${pathText}" is a nested path; a CSV mapping reads plain column names`);
  }
  return pathText;
}

function readsOf(field: MappedField): string[] {
  return field.codec.reads.map((p) => p.text);
}

/**
 * Binds a kind's mappings to a header: which record position feeds which mapping column, which
 * columns are required (and missing), which are ignored. Refuses the file when a required column
 * is missing or a column a mapping reads appears twice.
 */
export function bindColumns(kind: KindDef, mappings: readonly CompiledMapping[], header: readonly string[], headerLine: number): Binding {
  const byName = new Map<string, number[]>();
  header.forEach((cell, i) => {
    const key = normaliseHeader(cell);
    if (key === '') return;
    byName.set(key, [...(byName.get(key) ?? []), i]);
  });
  const positions = new Map<string, number>();
  const position = (column: string): number | undefined => {
    const found = byName.get(normaliseHeader(column));
    if (found === undefined) return undefined;
    if (found.length > 1) {
      throw new CsvRefusal('duplicate_column', `column "${column}" appears ${found.length} times in the header (columns ${found.map((i) => i + 1).join(', ')})`, headerLine);
    }
    positions.set(column, found[0] as number);
    return found[0];
  };

  const stages: BoundStage[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const def of kind.stages) {
    const mapping = mappings.find((m) => m.entity === def.entity);
    if (!mapping) {
      if (!def.optional) throw new CsvRefusal('no_mapping', `no mapping gives ${def.entity} for ${kind.kind}`);
      continue;
    }
    const inbound = mapping.inboundFields();
    const all = [...new Set(mapping.pathTexts().map((t) => columnOf(t, mapping.file)))];
    const columns: Array<{ name: string; index: number }> = [];
    for (const name of all) {
      const index = position(name);
      if (index !== undefined) columns.push({ name, index });
    }
    const keyColumns = probeKeyColumns(mapping, all);
    const optionalFields = new Set(def.blankAsZero ?? []);
    const required = new Set<string>(keyColumns);
    for (const f of inbound) {
      // A column may be left out when its field has a default, is a concat, counts blank as zero,
      // or may be null anyway (a record without it keeps what it had).
      if (f.transform === 'default' || f.transform === 'concat' || optionalFields.has(f.target) || nullable(def.entity, f.target)) continue;
      for (const c of readsOf(f)) required.add(c);
    }
    const ownNames = all.filter((n) => !seen.has(n));
    const present = columns.filter((c) => ownNames.includes(c.name));
    // An optional stage none of whose own columns is in the file is simply not part of this import.
    if (def.optional && present.length === 0) continue;
    for (const name of required) if (!positions.has(name) && !missing.includes(name)) missing.push(name);
    for (const n of all) seen.add(n);
    const fieldColumns = new Map<string, string>();
    for (const f of inbound) {
      const first = readsOf(f)[0];
      if (first !== undefined) fieldColumns.set(f.target, first);
    }
    stages.push({ def, mapping, columns, own: present.map((c) => c.index), keyColumns, fieldColumns, inbound });
  }
  if (missing.length > 0) {
    throw new CsvRefusal('missing_columns', `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, headerLine);
  }
  const used = new Set(positions.values());
  const ignored = header.filter((cell, i) => !used.has(i) && cell.trim() !== '');
  let groupColumn: number | null = null;
  if (kind.groupBy !== undefined) {
    const column = stages[0]?.fieldColumns.get(kind.groupBy);
    groupColumn = column === undefined ? null : (positions.get(column) ?? null);
  }
  return { kind, stages, ignored, positions, groupColumn };
}

function nullable(entity: EntityName, field: string): boolean {
  const schema = (ENTITIES[entity].schema.shape as Record<string, z.ZodType>)[field];
  return schema !== undefined && schema.safeParse(null).success;
}

/** The mapping's key columns: the ones whose blank makes `keyOf` give up. */
function probeKeyColumns(mapping: CompiledMapping, columns: readonly string[]): string[] {
  return columns.filter((c) => {
    const probe: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const other of columns) probe[other] = other === c ? '' : 'x';
    return mapping.keyOf(probe) === null;
  });
}
