import type { EntityName } from '../model/index.ts';
import type { SystemRef } from './bind.ts';
import type { CompiledMapping } from './compile.ts';
import { MappingError } from './errors.ts';
import { describeKind, fieldsOf, type FieldKind } from './field-kinds.ts';
import { loadMappings, type FileStatus } from './load.ts';

export interface EntityReport {
  readonly entity: EntityName;
  readonly mappings: ReadonlyArray<{
    readonly system: string;
    readonly vendorEntity: string;
    readonly file: string;
    /** Fields carried in, and out. */
    readonly in: number;
    readonly out: number;
  }>;
  /** canonical field → declared owner (fields no file names an owner for are left out). */
  readonly owners: Readonly<Record<string, string>>;
}

export interface MappingCheckReport {
  /** True when every file loaded (inactive files count as fine). */
  readonly ok: boolean;
  readonly files: readonly FileStatus[];
  readonly entities: readonly EntityReport[];
  readonly errors: ReadonlyArray<ReturnType<MappingError['toJSON']>>;
}

/** What `crosswalk mappings check` reports: each file's status, each entity's mappings and owners, every error. */
export function checkMappings(dir: string, systems: readonly SystemRef[]): MappingCheckReport {
  const loaded = loadMappings(dir, systems);
  const { registry } = loaded;
  // What an import or a pull would reject row by row is an error here, at the file.
  const seen = new Set<string>();
  const gaps = registry.all().flatMap((m) => {
    if (seen.has(m.file)) return [];
    seen.add(m.file);
    return requiredGaps(m);
  });
  const failing = new Set(gaps.map((g) => g.file));
  const errors = [...loaded.errors, ...gaps];
  const files = loaded.files.map((f) => (failing.has(f.file) ? { ...f, status: 'error' as const } : f));
  const byEntity = new Map<EntityName, EntityReport['mappings'][number][]>();
  const owners = new Map<EntityName, Record<string, string>>();
  for (const m of registry.all()) {
    const list = byEntity.get(m.entity) ?? [];
    list.push({ system: m.system, vendorEntity: m.vendorEntity, file: m.file, in: m.inboundFields().length, out: m.outboundFields().length });
    byEntity.set(m.entity, list);
    const declared = owners.get(m.entity) ?? {};
    for (const f of m.fields) {
      const owner = registry.ownerOf(m.entity, f.target);
      if (owner !== undefined) declared[f.target] = owner;
    }
    owners.set(m.entity, declared);
  }
  const entities = [...byEntity].map(([entity, mappings]) => ({ entity, mappings, owners: owners.get(entity) ?? {} }));
  return { ok: errors.length === 0, files, entities, errors: errors.map((e) => e.toJSON()) };
}

/** The report as lines of text for a terminal. */
export function formatCheckReport(report: MappingCheckReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    const what = f.entity ? ` ${f.vendorEntity ?? '?'} → ${f.entity}` : '';
    const where = f.status === 'ok' ? ` (${f.systems.join(', ')})` : f.status === 'inactive' ? ' (inactive: no configured system uses it)' : '';
    lines.push(`${f.status === 'error' ? 'FAIL' : f.status === 'inactive' ? 'skip' : 'ok  '} ${f.file}${what}${where}`);
  }
  if (report.errors.length > 0) {
    lines.push('', `${report.errors.length} error(s):`);
    for (const e of report.errors) lines.push(`  ${e.text}`);
  }
  return lines.join('\n');
}

/**
 * A file that may create canonical records (`match.unmatched: create`, the default) and carries
 * anything in must carry every required canonical field in: a new record without one fails the
 * model's schema, so an import would reject every row (and a pull every record) not already known.
 * Files that only match existing records (`unmatched: review`) or only push may carry less.
 */
export function requiredGaps(m: CompiledMapping): MappingError[] {
  const carried = new Set(m.inboundFields().map((f) => f.target));
  if (m.match.unmatched !== 'create' || carried.size === 0) return [];
  const out: MappingError[] = [];
  for (const info of fieldsOf(m.entity).values()) {
    if (info.nullable || carried.has(info.name)) continue;
    const kind = info.ref ? `a reference to ${info.ref}` : describeKind(info.kind);
    const fix = info.ref
      ? `map it: { target: ${info.name}, from: <${m.source === null ? 'path' : 'column'}>, transform: { ref: { entity: ${info.ref} } } }`
      : `map it, { target: ${info.name}, from: <${m.source === null ? 'path' : 'column'}> }, or give it a default, { target: ${info.name}, transform: { default: ${defaultExample(info.kind)} } }`;
    out.push(new MappingError(m.file, m.lineOf(['fields']), 'fields', 'required_field_unmapped', `${m.entity}.${info.name} (${kind}) is required but not mapped in, so every new record would be rejected: ${fix}`));
  }
  return out;
}

function defaultExample(kind: FieldKind): string {
  switch (kind.type) {
    case 'integer':
    case 'number':
      return '0';
    case 'enum':
      return kind.values[0] ?? '<value>';
    case 'date':
      return '2026-01-01';
    case 'datetime':
      return '2026-01-01T00:00:00Z';
    case 'string':
      return '<text>';
  }
}
