/**
 * The SQL that differs between SQLite and PostgreSQL, as fragments a repository splices into text it
 * otherwise writes once. Everything else is the common subset: `?` placeholders, `ON CONFLICT … DO
 * NOTHING | DO UPDATE SET x = excluded.x`, `RETURNING`, `coalesce`, `lower`, `substr`, `count(*)`.
 * Timestamps are ISO-8601 UTC text and booleans 0/1 integers in both, so they compare alike.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * A subquery yielding one text column `value` per element of a JSON array bound at `param`
   * (a `?` the caller fills with `JSON.stringify(array)`): `x IN ${d.textList('?')}`.
   */
  textList(param: string): string;
  /**
   * A row source of the JSON array of arrays bound at `param`, one row per element, as `alias`.
   * In `INSERT … SELECT … FROM ${jsonRows} ON CONFLICT`, add `WHERE true` before ON CONFLICT:
   * SQLite otherwise parses the ON as a join constraint.
   */
  jsonRows(param: string, alias: string): string;
  /**
   * The element `index` (0-based) of a JSON array value `row` produced by `jsonRows`, as `type`
   * (PostgreSQL's `->>` yields text, which an integer column does not take without a cast).
   */
  jsonAt(row: string, index: number, type?: 'text' | 'int' | 'real'): string;
  /** The top-level `key` of a JSON object held in text column `column`, as text (null when absent). */
  jsonField(column: string, key: string): string;
  /** Case-insensitive LIKE (SQLite's LIKE already is for ASCII; PostgreSQL needs ILIKE). */
  readonly ilike: string;
  /** The larger of two values (SQLite's scalar max, PostgreSQL's greatest). */
  greatest(a: string, b: string): string;
  /** The smaller of two values. */
  least(a: string, b: string): string;
  /**
   * `column` kept out of index choice: SQLite's unary `+` (a planner hint), plain in PostgreSQL,
   * whose planner costs the choice itself.
   */
  noIndex(column: string): string;
  /**
   * An inner join (`a ${orderedJoin} b ON …`) whose left table drives the loop: SQLite's CROSS JOIN,
   * its planner hint not to reorder, and PostgreSQL's plain JOIN (PostgreSQL's CROSS JOIN takes no
   * ON, and its planner costs the order itself).
   */
  readonly orderedJoin: string;
  /** Rows locked for this transaction, skipping rows another transaction holds (empty in SQLite, whose writers are serialised). */
  readonly forUpdateSkipLocked: string;
  /** Rows locked for this transaction (empty in SQLite). */
  readonly forUpdate: string;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  textList: (param) => `(SELECT value FROM json_each(${param}))`,
  jsonRows: (param, alias) => `json_each(${param}) AS ${alias}`,
  jsonAt: (row, index) => `${row}.value ->> ${index}`,
  jsonField: (column, key) => `(${column} ->> '$.${key}')`,
  ilike: 'LIKE',
  greatest: (a, b) => `max(${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
  noIndex: (column) => `+${column}`,
  orderedJoin: 'CROSS JOIN',
  forUpdateSkipLocked: '',
  forUpdate: '',
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  textList: (param) => `(SELECT value FROM json_array_elements_text(${param}::json) AS value)`,
  jsonRows: (param, alias) => `json_array_elements(${param}::json) AS ${alias}(value)`,
  jsonAt: (row, index, type = 'text') => `(${row}.value ->> ${index})${type === 'int' ? '::bigint' : type === 'real' ? '::float8' : ''}`,
  jsonField: (column, key) => `(${column}::json ->> '${key}')`,
  ilike: 'ILIKE',
  greatest: (a, b) => `greatest(${a}, ${b})`,
  least: (a, b) => `least(${a}, ${b})`,
  noIndex: (column) => column,
  orderedJoin: 'JOIN',
  forUpdateSkipLocked: 'FOR UPDATE SKIP LOCKED',
  forUpdate: 'FOR UPDATE',
};
