import type { EntityName } from '../model/index.ts';
import type { SystemRef } from './bind.ts';
import type { MappingError } from './errors.ts';
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
  const { registry, errors, files } = loadMappings(dir, systems);
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
