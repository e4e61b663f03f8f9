import type { VendorRecord } from '../../connectors/kit/index.ts';
import type { ApplySummary, IncomingRecord } from '../../src/engine/index.ts';
import { addSummary, emptySummary } from '../../src/engine/index.ts';
import type { CompiledMapping } from '../../src/mapping/index.ts';
import type { EntityName } from '../../src/model/index.ts';
import type { Repos } from '../../src/store/index.ts';
import type { Hub } from '../../src/hub.ts';

export interface MappedBatch {
  readonly entity: EntityName;
  readonly records: IncomingRecord[];
}

export interface Mapped {
  readonly batches: MappedBatch[];
  /** Vendor records that could not even be identified (no key): reported, never silently dropped. */
  readonly unidentified: string[];
}

/** A vendor page through every mapping its vendor entity feeds. */
export function mapRecords(mappings: readonly CompiledMapping[], records: readonly VendorRecord[]): Mapped {
  const unidentified: string[] = [];
  const batches = mappings.map((mapping) => {
    const out: IncomingRecord[] = [];
    for (const record of records) {
      const result = mapping.toIncoming(record);
      if (result.ok) out.push(result.record);
      else if (mapping === mappings[0]) unidentified.push(`${mapping.vendorEntity}: ${result.error}`);
    }
    return { entity: mapping.entity, records: out };
  });
  return { batches, unidentified };
}

/** Applies mapped batches inside the caller's unit of work; one summary for the page. */
export async function applyMapped(
  hub: Hub,
  tx: Repos,
  system: string,
  mapped: Mapped,
  ids: { runId?: string; jobId?: string },
): Promise<ApplySummary> {
  const total = emptySummary();
  for (const batch of mapped.batches) {
    if (batch.records.length === 0) continue;
    addSummary(total, await hub.engine().applyIn(tx, { system, entity: batch.entity, records: batch.records, ...ids }));
  }
  return total;
}

/** Summary counts as run counters (only the non-zero ones, so reports stay short). */
export function summaryCounts(summary: ApplySummary, extra: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries({ ...summary, ...extra })) if (v !== 0) out[k] = v;
  return out;
}
