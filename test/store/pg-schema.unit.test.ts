import { is } from 'drizzle-orm';
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as entry from '../../src/store/postgres/pg-schema-entry.ts';
import { numberPlaceholders } from '../../src/store/postgres/placeholders.ts';
import { pgTables } from '../../src/store/postgres/schema.ts';
import * as sqliteSchema from '../../src/store/schema/index.ts';

describe('PostgreSQL schema from the one table definition', () => {
  it('derives every SQLite table, and drizzle-kit sees each of them', () => {
    const sqliteKeys = Object.entries(sqliteSchema).filter(([, v]) => is(v, SQLiteTable)).map(([k]) => k).sort();
    expect(Object.keys(pgTables).sort()).toEqual(sqliteKeys);
    const exported = Object.entries(entry).filter(([, v]) => is(v, PgTable)).map(([k]) => k).sort();
    expect(exported).toEqual(sqliteKeys);
  });

  it('keeps names, columns and indexes table by table', () => {
    for (const [key, value] of Object.entries(sqliteSchema)) {
      if (!is(value, SQLiteTable)) continue;
      const lite = getTableConfig(value);
      const pgTable = pgTables[key];
      expect(pgTable, key).toBeDefined();
      if (!pgTable) continue;
      const pg = getPgTableConfig(pgTable);
      expect(pg.name).toBe(lite.name);
      expect(pg.columns.map((c) => c.name).sort(), key).toEqual(lite.columns.map((c) => c.name).sort());
      expect(pg.indexes.map((i) => i.config.name).sort(), key).toEqual(lite.indexes.map((i) => i.config.name).sort());
      expect(pg.foreignKeys.length, key).toBe(lite.foreignKeys.length);
    }
  });
});

describe('placeholders', () => {
  it('numbers ? outside quotes only', () => {
    expect(numberPlaceholders(`SELECT * FROM t WHERE a = ? AND b = '?' AND "c?" = ? AND d IN (?, ?)`)).toBe(`SELECT * FROM t WHERE a = $1 AND b = '?' AND "c?" = $2 AND d IN ($3, $4)`);
    expect(numberPlaceholders(`SELECT 'it''s ?' , ?`)).toBe(`SELECT 'it''s ?' , $1`);
  });
});
