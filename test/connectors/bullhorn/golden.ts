import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMappingSources, type CompiledMapping, type MappingRegistry } from '../../../src/mapping/index.ts';
import type { Scalar } from '../../../src/store/index.ts';

/** The golden cases: a Bullhorn payload, the mapping it goes through, and the expected files' stem. */

export const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const MAPPINGS_DIR = fileURLToPath(new URL('../../../mappings/bullhorn/', import.meta.url));

export interface GoldenCase {
  readonly payload: string;
  /** The canonical entity whose Bullhorn mapping reads it. */
  readonly canonical: string;
  readonly stem: string;
  /** `data` for a single-entity answer, `rows` for a search page (each row mapped). */
  readonly shape: 'data' | 'rows';
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { payload: 'bullhorn-clientcorporation.json', canonical: 'client', stem: 'client', shape: 'data' },
  { payload: 'bullhorn-location.json', canonical: 'worksite', stem: 'worksite', shape: 'data' },
  { payload: 'bullhorn-clientcontact.json', canonical: 'contact', stem: 'contact', shape: 'data' },
  { payload: 'bullhorn-joborder.json', canonical: 'requisition', stem: 'requisition', shape: 'data' },
  { payload: 'bullhorn-candidate.json', canonical: 'candidate', stem: 'candidate', shape: 'data' },
  { payload: 'bullhorn-search-response.json', canonical: 'candidate', stem: 'candidate-search', shape: 'rows' },
  { payload: 'bullhorn-jobsubmission.json', canonical: 'submission', stem: 'submission', shape: 'data' },
  { payload: 'bullhorn-placement.json', canonical: 'assignment', stem: 'assignment', shape: 'data' },
  { payload: 'bullhorn-placementratecard.json', canonical: 'assignment_rate', stem: 'assignment-rate', shape: 'data' },
];

/** Only the Bullhorn files, bound to one system `bullhorn`: other vendors' files cannot break these tests. */
export function bullhornRegistry(): MappingRegistry {
  const sources = readdirSync(MAPPINGS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => ({ path: `bullhorn/${name}`, text: readFileSync(join(MAPPINGS_DIR, name), 'utf8') }));
  const { registry, errors } = loadMappingSources('mappings', sources, [{ id: 'bullhorn', connector: 'bullhorn' }]);
  if (errors.length > 0) throw new Error(`bullhorn mappings do not load:\n${errors.map(String).join('\n')}`);
  return registry;
}

export function readGolden(name: string): unknown {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')) as unknown;
}

/** What the golden files hold for one case: the incoming records, and the bodies mapped back. */
export interface GoldenOutput {
  readonly canonical: unknown[];
  readonly vendor: unknown[];
}

/**
 * Vendor records → `toIncoming` → (references given a stand-in canonical id) → `toVendor`: the
 * way out resolves each stand-in back to the Bullhorn id it came from.
 */
export function runGolden(registry: MappingRegistry, c: GoldenCase): GoldenOutput {
  const mapping = registry.get('bullhorn', c.canonical);
  if (!mapping) throw new Error(`no bullhorn mapping for ${c.canonical}`);
  const payload = readGolden(c.payload) as { data: unknown };
  const records: unknown[] = c.shape === 'rows' ? (payload.data as unknown[]) : [payload.data];
  const canonical: unknown[] = [];
  const vendor: unknown[] = [];
  for (const record of records) {
    const result = mapping.toIncoming(record);
    if (!result.ok) throw new Error(`${c.payload}: ${result.error}`);
    canonical.push(result.record);
    vendor.push(mapBack(mapping, result.record.values));
  }
  return { canonical, vendor };
}

const STAND_IN = /^canonical:([A-Za-z_]+):(.+)$/;

function mapBack(mapping: CompiledMapping, values: Readonly<Record<string, unknown>>): unknown {
  const fields: Record<string, Scalar> = {};
  for (const [field, value] of Object.entries(values)) {
    if (typeof value === 'object' && value !== null && 'ref' in value) {
      const ref = (value as { ref: { externalId: string } }).ref;
      fields[field] = `canonical:${field}:${ref.externalId}`;
    } else {
      fields[field] = value as Scalar;
    }
  }
  const body = mapping.toVendor(fields, (_entity, canonicalId) => STAND_IN.exec(canonicalId)?.[2] ?? null);
  return body.ok ? body.body : { error: body.error };
}
