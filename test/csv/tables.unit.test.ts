import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvImportErrors, csvImports } from '../../src/store/schema/csv.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

let t: TempStore;
beforeEach(() => {
  t = openTempStore();
});
afterEach(() => t.dispose());

/**
 * The migrated CSV tables are what the drizzle schema declares: same columns, types, NOT NULL and
 * indexes (a schema edit without a regenerated migration fails here).
 */
describe('CSV tables', () => {
  it.each([
    ['csv_imports', csvImports],
    ['csv_import_errors', csvImportErrors],
  ] as Array<[string, SQLiteTable]>)('%s matches its drizzle schema', (name, table) => {
    const config = getTableConfig(table);
    expect(config.name).toBe(name);
    const actual = (t.store.db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>).map((c) => ({
      name: c.name, type: c.type.toLowerCase(), notNull: c.notnull === 1,
    }));
    const expected = config.columns.map((c) => ({ name: c.name, type: c.getSQLType().toLowerCase(), notNull: c.notNull || c.primary }));
    expect(actual).toEqual(expected);
    const indexes = (t.store.db.prepare(`PRAGMA index_list(${name})`).all() as Array<{ name: string; origin: string }>).filter((i) => i.origin === 'c').map((i) => i.name).sort();
    expect(indexes).toEqual(config.indexes.map((i) => i.config.name).sort());
  });

  it('keeps one live import per file, source and kind', async () => {
    const row = { fileSha256: 'ab', source: 'billing', kind: 'time_entries', fileName: null, sizeBytes: 1, encoding: null, delimiter: null, runId: null, owner: null, error: null, startedAt: '2026-11-20T00:00:00.000Z' };
    await t.store.unitOfWork((tx) => tx.imports.create({ ...row, id: 'a', status: 'succeeded' }));
    await expect(t.store.unitOfWork((tx) => tx.imports.create({ ...row, id: 'b', status: 'running' }))).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    await t.store.unitOfWork((tx) => tx.imports.create({ ...row, id: 'c', status: 'refused' }));
    expect(await t.store.repos.imports.findLive('ab', 'billing', 'time_entries')).toMatchObject({ id: 'a' });
  });
});
