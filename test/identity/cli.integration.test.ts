import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { loadMappings } from '../../src/mapping/index.ts';
import type { IdentityReviewRow } from '../../src/store/index.ts';
import { candidateValues, rec } from '../support/records.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { MAPPINGS_DIR } from '../csv/support/world.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');

/** `crosswalk identity list|link|split` in a child process, on the repository's config and mappings, with CROSSWALK_DB. */
let t: TempStore;
let env: Record<string, string>;
const ids: Record<string, string> = {};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    // execFile's error carries the exit code and both streams.
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  t = openTempStore();
  env = { CROSSWALK_DB: t.path };
  const { registry, errors } = loadMappings(MAPPINGS_DIR, [{ id: 'bullhorn', connector: 'bullhorn' }, { id: 'gusto', connector: 'gusto' }]);
  expect(errors).toEqual([]);
  const engine = new Engine(t.store, { policy: registry });
  const bullhornFields = [...(registry.inbound('bullhorn', 'candidate')?.fields.keys() ?? [])];
  const candidate = (over: Record<string, string>) => Object.fromEntries(bullhornFields.map((f) => [f, candidateValues(over)[f] ?? null]));
  await engine.apply({ system: 'bullhorn', entity: 'candidate', records: [
    rec('101', candidate({ email: 'twin@example.test' })),
    rec('102', candidate({ firstName: 'Bo', email: 'twin@example.test' })),
  ] });
  await engine.apply({ system: 'gusto', entity: 'candidate', records: [
    rec('emp-1', { firstName: 'Bo', lastName: 'Quill', email: 'twin@example.test' }, { match: { email: 'twin@example.test' } }),
    // Matches nothing: Gusto's mapping asks for review.
    rec('emp-2', { firstName: 'Cy', lastName: 'Quill', email: 'solo@example.test' }, { match: { email: 'solo@example.test' } }),
  ] });
  for (const k of ['101', '102']) ids[k] = (await t.store.repos.links.get('bullhorn', 'candidate', k))?.canonicalId ?? '';
  t.store.close();
});
afterAll(() => t.dispose());

describe('crosswalk identity', () => {
  let review: IdentityReviewRow;

  it('list shows the open question with its evidence (--json, and for people)', async () => {
    const r = await cli(['identity', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as IdentityReviewRow[];
    expect(rows.map((x) => x.externalId).sort()).toEqual(['emp-1', 'emp-2']);
    review = rows.find((x) => x.externalId === 'emp-1') as IdentityReviewRow;
    expect(review).toMatchObject({ system: 'gusto', entity: 'candidate', externalId: 'emp-1', status: 'open', reason: 'email twin@example.test matches 2 candidate records' });
    const human = await cli(['identity', 'list']);
    expect(human.stdout).toContain('email twin@example.test matches 2 candidate records');
    expect(human.stdout).toContain(`crosswalk identity link ${review.id} <canonicalId>`);
  });

  it('link answers it; answering again is refused with the reason', async () => {
    const r = await cli(['identity', 'link', review.id, ids['102'] ?? '', '--by', 'ops:test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ canonicalId: ids['102'], review: { status: 'linked', decidedBy: 'ops:test' } });
    const again = await cli(['identity', 'split', review.id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('was already answered (linked) by ops:test');
    const listed = JSON.parse((await cli(['identity', 'list', '--status', 'linked', '--json'])).stdout) as IdentityReviewRow[];
    expect(listed.map((x) => x.id)).toEqual([review.id]);
  });

  it('links link answers the identity question of the record too, with who decided', async () => {
    const r = await cli(['links', 'link', 'gusto', 'candidate', 'emp-2', ids['101'] ?? '', '--by', 'ops:kim', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const answered = JSON.parse((await cli(['identity', 'list', '--status', 'linked', '--json'])).stdout) as IdentityReviewRow[];
    expect(answered.find((x) => x.externalId === 'emp-2')).toMatchObject({ status: 'linked', decidedBy: 'ops:kim', canonicalId: ids['101'] });
  });
});
