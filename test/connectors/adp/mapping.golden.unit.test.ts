import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingSources } from '../../../src/mapping/index.ts';

/**
 * ADP's documented worker payload (copied into golden/) through the ADP mapping, compared with a
 * plain expected JSON file. `UPDATE_GOLDEN=1` rewrites it; review the diff before keeping it.
 */
const GOLDEN = join(import.meta.dirname, 'golden');
const text = readFileSync(join(import.meta.dirname, '../../../mappings/adp/worker.yaml'), 'utf8');
const { registry, errors } = loadMappingSources('mappings', [{ path: 'adp/worker.yaml', text }], [{ id: 'adp', connector: 'adp' }]);

function expectGolden(name: string, actual: unknown): void {
  const file = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  if (!existsSync(file)) throw new Error(`${name} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('the ADP worker mapping against the documented payload', () => {
  it('loads without errors', () => {
    expect(errors.map(String)).toEqual([]);
  });

  it('worker → candidate by associateOID: names, personal email and mobile; never the birth date or the SSN', () => {
    const payload = JSON.parse(readFileSync(join(GOLDEN, 'adp-worker.json'), 'utf8')) as { workers: unknown[] };
    const incoming = registry.get('adp', 'candidate')?.toIncoming(payload.workers[0]);
    expectGolden('worker.incoming.json', incoming);
    expect(JSON.stringify(incoming)).not.toMatch(/birth|SSN|4417|governmentID/i);
  });
});
