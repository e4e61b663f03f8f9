import type { EntityName, MatchKeyPart } from '../../model/index.ts';
import { keyExpression } from '../key-sql.ts';
import { TABLE_INFO } from '../tables.ts';
import type { CanonicalRow, FieldMap, Scalar } from '../types.ts';
import type { Statements } from '../sqlite/statements.ts';

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
  readonly sql: string;
  readonly params: readonly Scalar[];
}

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

/** Reads and writes canonical rows of any entity with prepared statements built from its table. */
export class CanonicalRepo {
  constructor(private readonly s: Statements) {}

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
    const table = TABLE_INFO[entity].name;
    const rows = this.s.get(`SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as RawRow[];
    for (const raw of rows) out.set(raw.id, this.toRow(entity, raw));
    return out;
  }

  async get(entity: EntityName, id: string): Promise<CanonicalRow | null> {
    const raw = this.s.get(`SELECT * FROM ${TABLE_INFO[entity].name} WHERE id = ?`).get(id) as RawRow | undefined;
    return raw ? this.toRow(entity, raw) : null;
  }

  /** One row, only when it is inside `scope`: a row outside is answered exactly like a missing one. */
  async getScoped(entity: EntityName, id: string, scope: SqlScope | undefined): Promise<CanonicalRow | null> {
    if (scope === undefined) return this.get(entity, id);
    const raw = this.s.get(`SELECT * FROM ${TABLE_INFO[entity].name} WHERE id = ? AND (${scope.sql})`).get(id, ...scope.params) as RawRow | undefined;
    return raw ? this.toRow(entity, raw) : null;
  }

  async exists(entity: EntityName, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.s
      .get(`SELECT id FROM ${TABLE_INFO[entity].name} WHERE id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(JSON.stringify(ids)) as string[];
    return new Set(rows);
  }

  /** Canonical ids whose email matches, lower-cased; deleted rows never match. */
  async idsByEmail(entity: EntityName, emailField: string, emails: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (emails.length === 0) return out;
    const info = TABLE_INFO[entity];
    const column = info.columns.get(emailField);
    if (!column) throw new Error(`${entity} has no field ${emailField}`);
    const rows = this.s
      .get(
        `SELECT id, lower(${column}) AS email FROM ${info.name}
         WHERE lower(${column}) IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL`,
      )
      .all(JSON.stringify(emails)) as Array<{ id: string; email: string }>;
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
    const info = TABLE_INFO[entity];
    const exprs = parts.map((p) => {
      const column = info.columns.get(p.field);
      if (!column) throw new Error(`${entity} has no field ${p.field}`);
      return keyExpression(column, p.norm);
    });
    const lhs = exprs.length === 1 ? (exprs[0] as string) : `(${exprs.join(', ')})`;
    const rhs = `SELECT ${exprs.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?)`;
    // better-sqlite3 returns unknown rows: these are the id and the k0..kn text columns selected here.
    const rows = this.s
      .get(`SELECT id, ${exprs.map((e, i) => `${e} AS k${i}`).join(', ')} FROM ${info.name} WHERE deleted_at IS NULL AND ${lhs} IN (${rhs})`)
      .all(`[${values.join(',')}]`) as Array<{ id: string } & Record<string, string>>;
    for (const row of rows) {
      const key = JSON.stringify(parts.map((_, i) => row[`k${i}`] ?? ''));
      const list = out.get(key) ?? [];
      list.push(row.id);
      out.set(key, list);
    }
    return out;
  }

  async insertMany(entity: EntityName, rows: readonly CanonicalWrite[], now: string): Promise<void> {
    if (rows.length === 0) return;
    this.s.assertInTransaction('insert');
    const info = TABLE_INFO[entity];
    const fields = [...info.columns.keys()];
    const columns = ['id', 'revision', 'created_at', 'updated_at', 'changed_at', ...fields.map((f) => info.columns.get(f))];
    const stmt = this.s.get(
      `INSERT INTO ${info.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    const params: Scalar[] = new Array<Scalar>(columns.length);
    for (const row of rows) {
      params[0] = row.id;
      params[1] = 1;
      params[2] = now;
      params[3] = now;
      params[4] = row.changedAt;
      for (let i = 0; i < fields.length; i++) params[5 + i] = row.fields[fields[i] as string] ?? null;
      stmt.run(params);
    }
  }

  /** Writes the full field set of each row and bumps its revision. */
  async updateMany(entity: EntityName, rows: readonly CanonicalWrite[], now: string): Promise<void> {
    if (rows.length === 0) return;
    this.s.assertInTransaction('update');
    const info = TABLE_INFO[entity];
    const fields = [...info.columns.keys()];
    const sets = fields.map((f) => `${info.columns.get(f)} = ?`).join(', ');
    const stmt = this.s.get(
      `UPDATE ${info.name} SET ${sets}, revision = revision + 1, updated_at = ?, changed_at = ? WHERE id = ?`,
    );
    const params: Scalar[] = new Array<Scalar>(fields.length + 3);
    for (const row of rows) {
      for (let i = 0; i < fields.length; i++) params[i] = row.fields[fields[i] as string] ?? null;
      params[fields.length] = now;
      params[fields.length + 1] = row.changedAt;
      params[fields.length + 2] = row.id;
      stmt.run(params);
    }
  }

  /** Soft delete (and undo): money-bearing rows are never removed, so no row ever is. */
  async setDeleted(entity: EntityName, ids: readonly string[], deletedAt: string | null, now: string): Promise<number> {
    if (ids.length === 0) return 0;
    this.s.assertInTransaction('soft delete');
    const info = TABLE_INFO[entity];
    const result = this.s
      .get(
        `UPDATE ${info.name} SET deleted_at = ?, revision = revision + 1, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS ${deletedAt === null ? 'NOT NULL' : 'NULL'}`,
      )
      .run(deletedAt, now, JSON.stringify(ids));
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
      clauses.push(`(${query.scope.sql})`);
      params.push(...query.scope.params);
    }
    if (!query.includeDeleted) clauses.push('deleted_at IS NULL');
    if (query.after !== undefined) {
      clauses.push('id > ?');
      params.push(query.after);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    params.push(query.limit);
    const rows = this.s.get(`SELECT * FROM ${info.name} ${where} ORDER BY id LIMIT ?`).all(...params) as RawRow[];
    return rows.map((raw) => this.toRow(entity, raw));
  }

  async count(entity: EntityName, includeDeleted = false): Promise<number> {
    const info = TABLE_INFO[entity];
    return this.s
      .get(`SELECT count(*) FROM ${info.name}${includeDeleted ? '' : ' WHERE deleted_at IS NULL'}`)
      .pluck()
      .get() as number;
  }
}
