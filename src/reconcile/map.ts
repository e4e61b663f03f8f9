import type { VendorRecord } from '../../connectors/kit/types.ts';
import { hashIncoming, type IncomingRecord } from '../engine/index.ts';
import type { CompiledMapping } from '../mapping/index.ts';
import { ENTITY_NAMES, type EntityName } from '../model/index.ts';
import type { StagedRow } from '../store/repos/reconcile-repo.ts';

/** The mappings a reconcile of a vendor entity goes through: those that carry something in, parents first. */
export function inboundMappings(mappings: readonly CompiledMapping[]): CompiledMapping[] {
  return mappings
    .filter((m) => m.inboundFields().length > 0)
    .sort((a, b) => ENTITY_NAMES.indexOf(a.entity) - ENTITY_NAMES.indexOf(b.entity));
}

/**
 * A listing page as staging rows: per mapping, the external id and `hashIncoming` of the mapped
 * record — the hash the engine keeps on the link, so a record that did not change matches exactly.
 * A record without a usable key cannot be staged and is counted, never silently dropped.
 */
export function stageRows(mappings: readonly CompiledMapping[], records: readonly VendorRecord[]): { rows: StagedRow[]; unidentified: string[] } {
  const rows: StagedRow[] = [];
  const unidentified: string[] = [];
  mappings.forEach((mapping, i) => {
    for (const record of records) {
      const result = mapping.toIncoming(record);
      if (!result.ok) {
        if (i === 0) unidentified.push(`${mapping.vendorEntity}: ${result.error}`);
        continue;
      }
      const r = result.record;
      rows.push({ entity: mapping.entity, externalId: r.externalId, hash: hashIncoming(r), sourceModifiedAt: r.sourceModifiedAt, deleted: r.deleted === true });
    }
  });
  return { rows, unidentified };
}

/** Fetched vendor records mapped per canonical entity, keeping only the ids asked for. */
export function mapFetched(
  mappings: readonly CompiledMapping[],
  records: readonly VendorRecord[],
  wanted: ReadonlySet<string>,
): Array<{ entity: EntityName; records: IncomingRecord[] }> {
  return mappings.map((mapping) => {
    const out: IncomingRecord[] = [];
    for (const record of records) {
      const result = mapping.toIncoming(record);
      if (result.ok && wanted.has(result.record.externalId)) out.push(result.record);
    }
    return { entity: mapping.entity, records: out };
  });
}

/** The external ids among `records` by the first mapping's key: what the source still has. */
export function keysOf(mapping: CompiledMapping, records: readonly VendorRecord[]): Set<string> {
  const keys = new Set<string>();
  for (const record of records) {
    const key = mapping.keyOf(record);
    if (key !== null) keys.add(key);
  }
  return keys;
}
