import type { EntityName, MatchKeyPart } from '../../model/index.ts';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { keyExpression } from '../key-sql.ts';
import { ENTITY_TABLES, TABLE_INFO } from '../tables.ts';
import type { CanonicalRow, FieldMap, Scalar } from '../types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { rowAtATime } from './bulk.ts';

export interface CanonicalWrite {
  id: string;
  fields: FieldMap;
  changedAt: string | null;
}

/**
 * A row filter in SQL over the entity's own table (unqualified column names), with its `?`
 * parameters: how the access policy narrows a read to what the caller may see (never fetched and
 * then filtered in JavaScript).
 */
export interface SqlScope {
  /** Dialect-neutral SQL; `@ids` stands for a set of ids bound as one JSON array parameter. */
  readonly sql: string;
  readonly params: readonly Scalar[];
}

/** The token a scope's SQL uses for "one JSON array parameter of ids" (`x IN @ids`); the repository expands it per dialect. */
export const IDS = '@ids';

export interface ListQuery {
  /** The caller's access scope (see SqlScope); absent is every row. */
  scope?: SqlScope;
  /** Equality filters on model fields. */
  where?: Readonly<Record<string, Scalar>>;
  /** Keyset paging: ids sort in creation order (UUIDv7). */
  after?: string;
  limit: number;
  includeDeleted?: boolean;
}

interface RawRow {
  id: string;
  revision: number;
  created_at: string;
  updated_at: string;
  changed_at: string | null;
  deleted_at: string | null;
  [column: string]: Scalar;
}

type ColumnType = 'text' | 'int' | 'real';

/** The statements of one entity's table in one dialect, built once per process. */
interface EntitySql {
  readonly table: string;
  /** Model fields in column order, as the batch rows carry them. */
  readonly fields: readonly string[];
  readonly getMany: string;
  readonly getOne: string;
  readonly exists: string;
  /** One row: [id, changedAt, ...fields, now, now] (SQLite, see rowAtATime). */
  readonly insertOne: string;
  /** A JSON array of rows [id, changedAt, ...fields], with now twice (PostgreSQL). */
  readonly insert: string;
  /** One row: [...fields, now, changedAt, id]. */
  readonly updateOne: string;
  /** As insert, with now once. */
  readonly update: string;
  readonly count: string;
  readonly countAll: string;
}

const entitySql = new Map<string, EntitySql>();
const typesOf = new Map<EntityName, ReadonlyMap<string, ColumnType>>();

/** The SQL type of each column of an entity's table, from the one schema (batch rows need it on PostgreSQL). */
function columnTypes(entity: EntityName): ReadonlyMap<string, ColumnType> {
  const known = typesOf.get(entity);
  if (known) return known;
  const out = new Map<string, ColumnType>();
  for (const column of getTableConfig(ENTITY_TABLES[entity]).columns) {
    out.set(column.name, column.columnType === 'SQLiteInteger' ? 'int' : column.columnType === 'SQLiteReal' ? 'real' : 'text');
  }
  typesOf.set(entity, out);
  return out;
}

function buildEntitySql(d: Dialect, entity: EntityName): EntitySql {
  const info = TABLE_INFO[entity];
  const table = info.name;
  const types = columnTypes(entity);
  const fields = [...info.columns.keys()];
  const columns = fields.map((f) => info.columns.get(f) as string); // cast: the keys come from this map
  const at = (i: number, column: string) => d.jsonAt('r', i, types.get(column) ?? 'text');
  const ids = d.textList('?');
  return {
    table,
    fields,
    getMany: `SELECT * FROM ${table} WHERE id IN ${ids}`,
    getOne: `SELECT * FROM ${table} WHERE id = ?`,
    exists: `SELECT id FROM ${table} WHERE id IN ${ids}`,
    insertOne: `INSERT INTO ${table} (${columns.join(', ')}, id, changed_at, created_at, updated_at, revision)
      VALUES (${columns.map(() => '?, ').join('')}?, ?, ?, ?, 1)`,
    // One statement per batch: rows are [id, changedAt, ...fields] (one round trip on PostgreSQL). The
    // casts type the time parameters, which PostgreSQL cannot infer from a SELECT list.
    insert: `INSERT INTO ${table} (id, revision, created_at, updated_at, changed_at${columns.map((c) => `, ${c}`).join('')})
      SELECT ${d.jsonAt('r', 0)}, 1, CAST(? AS TEXT), CAST(? AS TEXT), ${d.jsonAt('r', 1)}${columns.map((c, i) => `, ${at(i + 2, c)}`).join('')}
      FROM ${d.jsonRows('?', 'r')} WHERE true`,
    updateOne: `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')}, revision = revision + 1, updated_at = ?, changed_at = ? WHERE id = ?`,
    // Rows as for insert; the table's own name qualifies id (SQLite's json_each has an id column too).
    update: `UPDATE ${table} SET ${columns.map((c, i) => `${c} = ${at(i + 2, c)}`).join(', ')},
      revision = revision + 1, updated_at = ?, changed_at = ${d.jsonAt('r', 1)}
      FROM ${d.jsonRows('?', 'r')} WHERE ${table}.id = ${d.jsonAt('r', 0)}`,
    count: `SELECT count(*) FROM ${table} WHERE deleted_at IS NULL`,
    countAll: `SELECT count(*) FROM ${table}`,
  };
}

/** Rows per batch statement (PostgreSQL): one statement's JSON stays a few hundred kilobytes. */
const BATCH = 1_000;

/** Reads and writes canonical rows of any entity, with statements built from its table. */
export class CanonicalRepo {
  constructor(private readonly sql: SqlRunner) {}

  private of(entity: EntityName): EntitySql {
    const d = this.sql.dialect;
    const key = `${d.name}:${entity}`;
    let built = entitySql.get(key);
    if (!built) {
      built = buildEntitySql(d, entity);
      entitySql.set(key, built);
    }
    return built;
  }

  private toRow(entity: EntityName, raw: RawRow): CanonicalRow {
    const fields: FieldMap = {};
    for (const [field, column] of TABLE_INFO[entity].columns) fields[field] = raw[column] ?? null;
    return {
      id: raw.id,
      revision: raw.revision,
      createdAt: raw.created_at,
      updatedAt: raw.updated_at,
      changedAt: raw.changed_at,
      deletedAt: raw.deleted_at,
      fields,
    };
  }

  async getMany(entity: EntityName, ids: readonly string[]): Promise<Map<string, CanonicalRow>> {
    const out = new Map<string, CanonicalRow>();
    if (ids.length === 0) return out;
    const rows = await this.sql.all<RawRow>(this.of(entity).getMany, [JSON.stringify(ids)]);
    for (const raw of rows) out.set(raw.id, this.toRow(entity, raw));
    return out;
  }

  async get(entity: EntityName, id: string): Promise<CanonicalRow | null> {
    const raw = await this.sql.get<RawRow>(this.of(entity).getOne, [id]);
    return raw ? this.toRow(entity, raw) : null;
  }

  /** A scope's `@ids` tokens as this dialect's JSON array row source. */
  private expand(scopeSql: string): string {
    return scopeSql.replaceAll(IDS, this.sql.dialect.textList('?'));
  }

  /** One row, only when it is inside `scope`: a row outside is answered exactly like a missing one. */
  async getScoped(entity: EntityName, id: string, scope: SqlScope | undefined): Promise<CanonicalRow | null> {
    if (scope === undefined) return this.get(entity, id);
    const raw = await this.sql.get<RawRow>(`SELECT * FROM ${TABLE_INFO[entity].name} WHERE id = ? AND (${this.expand(scope.sql)})`, [id, ...scope.params]);
    return raw ? this.toRow(entity, raw) : null;
  }

  async exists(entity: EntityName, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set(await this.sql.column<string>(this.of(entity).exists, [JSON.stringify(ids)]));
  }

  /** Canonical ids whose email matches, lower-cased; deleted rows never match. */
  async idsByEmail(entity: EntityName, emailField: string, emails: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (emails.length === 0) return out;
    const info = TABLE_INFO[entity];
    const column = info.columns.get(emailField);
    if (!column) throw new Error(`${entity} has no field ${emailField}`);
    const rows = await this.sql.all<{ id: string; email: string }>(
      `SELECT id, lower(${column}) AS email FROM ${info.name}
       WHERE lower(${column}) IN ${this.sql.dialect.textList('?')} AND deleted_at IS NULL`,
      [JSON.stringify(emails)],
    );
    for (const row of rows) {
      const list = out.get(row.email) ?? [];
      list.push(row.id);
      out.set(row.email, list);
    }
    return out;
  }

  /**
   * Canonical ids per natural-key value (a JSON array of the parts, normalised as `keyValue` in the
   * model does); deleted rows never match. One query per key and batch; exact parts and emails use the
   * tables' indexes.
   */
  async idsByKey(entity: EntityName, parts: readonly MatchKeyPart[], values: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (values.length === 0 || parts.length === 0) return out;
    const d = this.sql.dialect;
    const info = TABLE_INFO[entity];
    const types = columnTypes(entity);
    const columns = parts.map((p) => {
      const column = info.columns.get(p.field);
      if (!column) throw new Error(`${entity} has no field ${p.field}`);
      return column;
    });
    const exprs = parts.map((p, i) => keyExpression(columns[i] as string, p.norm, d.name));
    const lhs = exprs.length === 1 ? (exprs[0] as string) : `(${exprs.join(', ')})`;
    // An exact part compares with the column's own type (PostgreSQL has no implicit text → bigint).
    const rhsType = (i: number): ColumnType => (parts[i]?.norm === 'exact' ? types.get(columns[i] as string) ?? 'text' : 'text');
    const rhs = `SELECT ${exprs.map((_, i) => d.jsonAt('r', i, rhsType(i))).join(', ')} FROM ${d.jsonRows('?', 'r')}`;
    const rows = await this.sql.all<{ id: string } & Record<string, Scalar>>(
      `SELECT id, ${exprs.map((e, i) => `${e} AS k${i}`).join(', ')} FROM ${info.name} WHERE deleted_at IS NULL AND ${lhs} IN (${rhs})`,
      [`[${values.join(',')}]`],
    );
    for (const row of rows) {
      // Key parts are text (keyValue); a numeric exact column reads back as a number.
      const key = JSON.stringify(parts.map((_, i) => String(row[`k${i}`] ?? '')));
      const list = out.get(key) ?? [];
      list.push(row.id);
      out.set(key, list);
    }
    return out;
  }

  async insertMany(entity: EntityName, rows: readonly CanonicalWrite[], now: string): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('insert');
    const q = this.of(entity);
    if (rowAtATime(this.sql)) {
      const params: Scalar[] = new Array<Scalar>(q.fields.length + 4);
      for (const row of rows) {
        fieldParams(q.fields, row, params);
        params[q.fields.length] = row.id;
        params[q.fields.length + 1] = row.changedAt;
        params[q.fields.length + 2] = now;
        params[q.fields.length + 3] = now;
        await this.sql.run(q.insertOne, params);
      }
      return;
    }
    for (let i = 0; i < rows.length; i += BATCH) {
      await this.sql.run(q.insert, [now, now, batchJson(q.fields, rows, i, Math.min(rows.length, i + BATCH))]);
    }
  }

  /** Writes the full field set of each row and bumps its revision. */
  async updateMany(entity: EntityName, rows: readonly CanonicalWrite[], now: string): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('update');
    const q = this.of(entity);
    if (rowAtATime(this.sql)) {
      const params: Scalar[] = new Array<Scalar>(q.fields.length + 3);
      for (const row of rows) {
        fieldParams(q.fields, row, params);
        params[q.fields.length] = now;
        params[q.fields.length + 1] = row.changedAt;
        params[q.fields.length + 2] = row.id;
        await this.sql.run(q.updateOne, params);
      }
      return;
    }
    // One statement updates a row once: a row listed twice starts a new statement, so every write
    // lands in order and bumps the revision, as one UPDATE per row does.
    let start = 0;
    let seen = new Set<string>();
    for (let i = 0; i <= rows.length; i++) {
      const row = rows[i];
      if (row === undefined || seen.has(row.id) || i - start === BATCH) {
        await this.sql.run(q.update, [now, batchJson(q.fields, rows, start, i)]);
        start = i;
        seen = new Set();
      }
      if (row !== undefined) seen.add(row.id);
    }
  }

  /** Soft delete (and undo): money-bearing rows are never removed, so no row ever is. */
  async setDeleted(entity: EntityName, ids: readonly string[], deletedAt: string | null, now: string): Promise<number> {
    if (ids.length === 0) return 0;
    this.sql.assertInTransaction('soft delete');
    const info = TABLE_INFO[entity];
    const result = await this.sql.run(
      `UPDATE ${info.name} SET deleted_at = ?, revision = revision + 1, updated_at = ?
       WHERE id IN ${this.sql.dialect.textList('?')} AND deleted_at IS ${deletedAt === null ? 'NOT NULL' : 'NULL'}`,
      [deletedAt, now, JSON.stringify(ids)],
    );
    return result.changes;
  }

  async list(entity: EntityName, query: ListQuery): Promise<CanonicalRow[]> {
    const info = TABLE_INFO[entity];
    const clauses: string[] = [];
    const params: Scalar[] = [];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      const column = info.columns.get(field);
      if (!column) throw new Error(`${entity} has no field ${field}`);
      if (value === null) clauses.push(`${column} IS NULL`);
      else {
        clauses.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (query.scope !== undefined) {
      clauses.push(`(${this.expand(query.scope.sql)})`);
      params.push(...query.scope.params);
    }
    if (!query.includeDeleted) clauses.push('deleted_at IS NULL');
    if (query.after !== undefined) {
      clauses.push('id > ?');
      params.push(query.after);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    params.push(query.limit);
    const rows = await this.sql.all<RawRow>(`SELECT * FROM ${info.name} ${where} ORDER BY id LIMIT ?`, params);
    return rows.map((raw) => this.toRow(entity, raw));
  }

  async count(entity: EntityName, includeDeleted = false): Promise<number> {
    const q = this.of(entity);
    return (await this.sql.value<number>(includeDeleted ? q.countAll : q.count)) ?? 0;
  }
}

/** The row's field values, in column order, into the start of `params`. */
function fieldParams(fields: readonly string[], row: CanonicalWrite, params: Scalar[]): void {
  for (let i = 0; i < fields.length; i++) params[i] = row.fields[fields[i] as string] ?? null; // cast: i < fields.length
}

/** Rows `from` to `to` (exclusive) as the batch statements read them: a JSON array of [id, changedAt, ...fields]. */
function batchJson(fields: readonly string[], rows: readonly CanonicalWrite[], from: number, to: number): string {
  const out: Scalar[][] = [];
  for (let i = from; i < to; i++) {
    const row = rows[i] as CanonicalWrite; // cast: i is within the array
    const values: Scalar[] = [row.id, row.changedAt];
    for (const f of fields) values.push(row.fields[f] ?? null);
    out.push(values);
  }
  return JSON.stringify(out);
}
