import { expect } from 'vitest';
import { loadMappingSources, type CompiledMapping, type LoadResult, type SystemRef } from '../../src/mapping/index.ts';

export const SYSTEMS: readonly SystemRef[] = [
  { id: 'bullhorn', connector: 'bullhorn' },
  { id: 'gusto', connector: 'gusto' },
];

/** Loads mapping texts keyed by their path under `mappings/`. */
export function load(files: Record<string, string>, systems: readonly SystemRef[] = SYSTEMS): LoadResult {
  return loadMappingSources('mappings', Object.entries(files).map(([path, text]) => ({ path, text })), systems);
}

/** Error strings of a load, for exact comparisons. */
export function errorsOf(files: Record<string, string>, systems: readonly SystemRef[] = SYSTEMS): string[] {
  return load(files, systems).errors.map(String);
}

/**
 * One Bullhorn mapping for `canonical` with the given `fields:` block (YAML, indented as a list),
 * loaded and expected to be clean.
 */
export function mapping(canonical: string, fields: string, head = ''): CompiledMapping {
  const text = `vendor: bullhorn\nentity: Thing\ncanonical: ${canonical}\nkey: id\n${head}fields:\n${fields}`;
  const result = load({ 'bullhorn/thing.yaml': text });
  expect(result.errors.map(String)).toEqual([]);
  const m = result.registry.get('bullhorn', canonical);
  if (!m) throw new Error(`no ${canonical} mapping loaded`);
  return m;
}

/** The problems of one Bullhorn mapping file, as error strings. */
export function problems(canonical: string, fields: string, head = ''): string[] {
  return errorsOf({ 'bullhorn/thing.yaml': `vendor: bullhorn\nentity: Thing\ncanonical: ${canonical}\nkey: id\n${head}fields:\n${fields}` });
}
