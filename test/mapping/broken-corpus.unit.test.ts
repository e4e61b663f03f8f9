import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAPPING_ERROR_CODES, loadMappings } from '../../src/mapping/index.ts';
import { SYSTEMS } from './helpers.ts';

/**
 * Each folder under test/fixtures/mappings-broken is a mappings tree (`<case>/mappings/…`) with the
 * exact error strings it must produce in `<case>/expected.txt`, one per line.
 */
const CORPUS = join(import.meta.dirname, '../fixtures/mappings-broken');
const cases = readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('broken mapping corpus', () => {
  it('has at least 15 cases, each with an expected file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect(existsSync(join(CORPUS, c, 'expected.txt')), c).toBe(true);
  });

  it.each(cases)('%s gives exactly its expected errors', (name) => {
    const expected = readFileSync(join(CORPUS, name, 'expected.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const result = loadMappings(join(CORPUS, name, 'mappings'), SYSTEMS);
    expect(expected.length).toBeGreaterThan(0);
    expect(result.errors.map(String)).toEqual(expected);
    for (const e of result.errors) expect(Object.keys(MAPPING_ERROR_CODES)).toContain(e.code);
  });

  it('leaves a broken file out and still loads the good one beside it', () => {
    const result = loadMappings(join(CORPUS, 'good-beside-broken', 'mappings'), SYSTEMS);
    expect(result.registry.all().map((m) => m.file)).toEqual(['mappings/gusto/employee.yaml']);
    expect(result.files.map((f) => [f.file, f.status])).toEqual([
      ['mappings/bullhorn/candidate.yaml', 'error'],
      ['mappings/gusto/employee.yaml', 'ok'],
    ]);
  });

  it('keeps the first owner of a field and refuses the file that disagrees', () => {
    const result = loadMappings(join(CORPUS, 'owner-disagreement', 'mappings'), SYSTEMS);
    expect(result.registry.all().map((m) => m.system)).toEqual(['bullhorn']);
    expect(result.registry.ownerOf('candidate', 'firstName')).toBe('bullhorn');
    expect(result.errors[0]?.code).toBe('owner_conflict');
  });

  it('covers the codes the brief lists', () => {
    const seen = new Set<string>();
    for (const c of cases) for (const e of loadMappings(join(CORPUS, c, 'mappings'), SYSTEMS).errors) seen.add(e.code);
    for (const code of [
      'yaml_syntax', 'unknown_transform', 'unknown_target', 'duplicate_target', 'ref_not_reference', 'enum_value_not_allowed',
      'sensitive_field', 'owner_conflict', 'unknown_owner', 'concat_outbound', 'vendor_mismatch', 'missing_key',
    ] as const) {
      expect(seen.has(code), code).toBe(true);
    }
  });
});
