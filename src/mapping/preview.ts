import { isRef, type IncomingRecord } from '../engine/types.ts';
import { ENTITIES } from '../model/index.ts';
import type { Scalar } from '../store/index.ts';
import type { CompiledMapping, VendorResult } from './compile.ts';
import type { MappingRegistry } from './registry.ts';

export interface PreviewField {
  readonly target: string;
  readonly source: string | null;
  readonly transform: string;
  readonly direction: 'in' | 'out' | 'both';
  /** The owner the engine uses for this system's writes, and where it comes from. */
  readonly owner: string;
  readonly ownerFrom: 'this file' | 'another file' | 'default';
  readonly conflict: 'manual' | 'latest';
  /** The mapped value, a reference shown as `<entity system:id>`; undefined when the record says nothing. */
  readonly value: Scalar | undefined;
}

export type MappingPreview =
  | {
      readonly ok: true;
      readonly mapping: { readonly file: string; readonly system: string; readonly vendor: string; readonly vendorEntity: string; readonly entity: string };
      readonly incoming: IncomingRecord;
      readonly fields: readonly PreviewField[];
      /** The record mapped back through the outbound fields, references shown symbolically. */
      readonly back: VendorResult;
    }
  | { readonly ok: false; readonly error: string };

/**
 * What `crosswalk mappings preview` shows for one vendor record: the IncomingRecord the engine
 * would receive, each field's owner/direction/conflict rule, and the record mapped back.
 */
export function previewMapping(registry: MappingRegistry, system: string, entity: string, vendorRecord: unknown): MappingPreview {
  const mapping: CompiledMapping | undefined = registry.get(system, entity) ?? registry.byVendorEntity(system, entity);
  if (!mapping) return { ok: false, error: `no mapping for ${entity} in ${system}` };
  const result = mapping.toIncoming(vendorRecord);
  if (!result.ok) return { ok: false, error: result.error };
  const incoming = result.record;
  const shown: Record<string, Scalar> = {};
  for (const [field, value] of Object.entries(incoming.values)) {
    shown[field] = isRef(value) ? `${value.ref.system}:${value.ref.externalId}` : value;
  }
  const rules = registry.inbound(mapping.system, mapping.entity);
  const fields = mapping.fields.map((f): PreviewField => {
    const declared = registry.ownerOf(mapping.entity, f.target);
    const owner = f.owner ?? rules?.fields.get(f.target)?.owner ?? declared ?? 'shared';
    const value = incoming.values[f.target];
    return {
      target: f.target,
      source: f.source,
      transform: f.transform,
      direction: f.direction,
      owner,
      ownerFrom: f.owner !== null ? 'this file' : declared !== undefined ? 'another file' : 'default',
      conflict: f.conflict,
      value: value === undefined ? undefined : isRef(value) ? `<${ENTITIES[mapping.entity].refs[f.target] ?? 'record'} ${value.ref.system}:${value.ref.externalId}>` : value,
    };
  });
  return {
    ok: true,
    mapping: { file: mapping.file, system: mapping.system, vendor: mapping.vendor, vendorEntity: mapping.vendorEntity, entity: mapping.entity },
    incoming,
    fields,
    back: mapping.toVendorSymbolic(shown),
  };
}
