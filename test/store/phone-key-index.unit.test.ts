import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTITIES } from '../../src/model/index.ts';
import type { Store } from '../../src/store/index.ts';
import { keyExpression } from '../../src/store/key-sql.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

/**
 * The phone key is looked up on every page of a pull. Without an index on its normalised form,
 * each lookup read the whole table (at ×100 of the Greenhouse bench, half of the hub's time), and
 * the migration's index text can drift from `keyExpression`: SQLite uses an expression index only
 * for the same expression, so the plan is checked, not only the answers.
 */

const NOW = '2026-03-01T12:00:00.000Z';
const PHONE = ENTITIES.candidate.matchKeys?.find((k) => k.name === 'phone');

let t: TempStore;
let store: Store;
let db: SqliteDatabase;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
  db = openDatabase(t.path, { readonly: true });
});
afterEach(() => {
  db.close();
  t.dispose();
});

describe('phone key index', () => {
  it.each([['candidates', 'candidates_phone'], ['contacts', 'contacts_phone']])('%s: the lookup searches %s instead of scanning', (table, index) => {
    const sql = `SELECT id FROM ${table} WHERE deleted_at IS NULL AND ${keyExpression('phone', 'phone')} IN (SELECT json_extract(value, '$[0]') FROM json_each(?))`;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('[]') as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join(' | ')).toContain(`SEARCH ${table} USING INDEX ${index} (<expr>=?)`);
    expect(plan.some((d) => d.startsWith(`SCAN ${table}`))).toBe(false);
  });

  it('finds candidates by their normalised phone through idsByKey, never a deleted one', async () => {
    if (!PHONE) throw new Error('the candidate entity lost its phone key');
    const cand = (phone: string) => ({ firstName: 'A', lastName: 'B', email: null, phone, city: null, state: null, status: 'active', employeeType: null });
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('candidate', [
        { id: 'k1', fields: cand('(937) 555-0142'), changedAt: null },
        { id: 'k2', fields: cand('+1 937.555.0142'), changedAt: null },
        { id: 'k3', fields: cand('937-555-0199'), changedAt: null },
        { id: 'k4', fields: cand('9375550142'), changedAt: null },
      ], NOW);
      await tx.canonical.setDeleted('candidate', ['k4'], NOW, NOW);
    });
    const found = await store.repos.canonical.idsByKey('candidate', PHONE.parts, [JSON.stringify(['9375550142'])]);
    expect([...found.entries()].map(([k, ids]) => [k, [...ids].sort()])).toEqual([[JSON.stringify(['9375550142']), ['k1', 'k2']]]);
  });
});
