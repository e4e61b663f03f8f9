import { getTableColumns, is, SQL } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  doublePrecision,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type AnyPgColumn,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
  type TableConfig,
} from 'drizzle-orm/pg-core';
import { getTableConfig, type SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqliteSchema from '../schema/index.ts';

/**
 * The PostgreSQL tables, built from the one schema in `src/store/schema` (written with drizzle's
 * SQLite builders) by a small factory, so there is no second hand-kept table tree to drift.
 * `drizzle.pg.config.ts` points drizzle-kit here to write `src/store/migrations-pg`.
 *
 * Column types map one to one: text → text, integer → bigint (number mode; cents and counts fit
 * 2^53), real → double precision, an auto-increment integer key → bigserial. Timestamps stay
 * ISO-8601 text and booleans 0/1, so both dialects compare and sort them alike. Primary keys,
 * unique and partial indexes, expression indexes and foreign keys carry over; index expressions
 * are dialect-neutral SQL (`lower(email)`, `status = 'open'`).
 */

type AnyPgTable = PgTableWithColumns<TableConfig>;

function columnFor(column: SQLiteColumn): PgColumnBuilderBase {
  const name = column.name;
  let builder;
  switch (column.columnType) {
    case 'SQLiteText':
      builder = text(name);
      break;
    case 'SQLiteInteger':
      // cast: SQLiteInteger carries autoIncrement; the base column type does not declare it
      builder = (column as SQLiteColumn & { autoIncrement?: boolean }).autoIncrement ? bigserial(name, { mode: 'number' }) : bigint(name, { mode: 'number' });
      break;
    case 'SQLiteReal':
      builder = doublePrecision(name);
      break;
    default:
      throw new Error(`postgres schema: column ${name} has type ${column.columnType}, which has no mapping yet`);
  }
  if (column.primary) builder = builder.primaryKey();
  if (column.notNull && !column.primary) builder = builder.notNull();
  if (column.hasDefault && column.default !== undefined) {
    // cast: a plain default (number or string) of the SQLite column carries over unchanged
    builder = builder.default(column.default as never);
  }
  return builder;
}

const built = new Map<SQLiteTable, AnyPgTable>();

function pgColumnOf(column: SQLiteColumn): AnyPgColumn {
  const table = built.get(column.table);
  if (!table) throw new Error(`postgres schema: table of ${column.name} not built`);
  const pgColumn = Object.values(getTableColumns(table)).find((c) => c.name === column.name);
  if (!pgColumn) throw new Error(`postgres schema: no column ${column.name}`);
  return pgColumn;
}


function derive(table: SQLiteTable): AnyPgTable {
  const config = getTableConfig(table);
  const columns: Record<string, PgColumnBuilderBase> = {};
  // cast: drizzle types a generic table's columns with `any` data; each is a SQLiteColumn
  const own = Object.entries(getTableColumns(table)) as unknown as Array<[string, SQLiteColumn]>;
  for (const [key, column] of own) columns[key] = columnFor(column);
  const keyOf = new Map(own.map(([key, column]) => [column, key]));
  const pg = pgTable(config.name, columns, (self) => {
    // Indexes and keys take the table's own extra-config columns (drizzle clones their index options).
    const ownColumn = (column: SQLiteColumn): AnyPgColumn => {
      const found = self[keyOf.get(column) ?? ''];
      if (!found) throw new Error(`postgres schema: ${config.name}.${column.name} not found`);
      return found;
    };
    const indexPart = (part: SQLiteColumn | SQL): AnyPgColumn | SQL => (is(part, SQL) ? part : ownColumn(part));
    return [
    ...config.primaryKeys.map((pk) => primaryKey({ name: pk.getName(), columns: pk.columns.map(ownColumn) as [AnyPgColumn, ...AnyPgColumn[]] })), // cast: a primary key has at least one column
    ...config.indexes.map((ix) => {
      const parts = ix.config.columns.map(indexPart) as [AnyPgColumn | SQL, ...Array<AnyPgColumn | SQL>]; // cast: an index has at least one column
      const built = (ix.config.unique ? uniqueIndex(ix.config.name) : index(ix.config.name)).on(...parts);
      return ix.config.where ? built.where(ix.config.where) : built;
    }),
    ...config.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return foreignKey({
        name: fk.getName(),
        columns: ref.columns.map(ownColumn) as [AnyPgColumn, ...AnyPgColumn[]], // cast: as above
        foreignColumns: ref.foreignColumns.map(pgColumnOf) as [AnyPgColumn, ...AnyPgColumn[]], // cast: as above
      });
    }),
    ];
  });
  // cast: pgTable's precise column types are not needed (repositories write SQL); the generic shape is
  return pg;
}

function deriveAll(): Record<string, AnyPgTable> {
  const out: Record<string, AnyPgTable> = {};
  for (const [key, value] of Object.entries(sqliteSchema)) {
    if (!is(value, SQLiteTable)) continue;
    const pg = derive(value);
    built.set(value, pg);
    out[key] = pg;
  }
  return out;
}

/** Every table of the schema, for PostgreSQL. */
export const pgTables: Readonly<Record<string, AnyPgTable>> = deriveAll();
