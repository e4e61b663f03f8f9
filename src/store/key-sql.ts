import type { KeyNorm } from '../model/index.ts';
import type { Dialect } from './sql/dialect.ts';

/**
 * The SQL twin of `normaliseKeyPart` in the model: the two must agree on every value. The store's
 * natural-key lookups compare this expression, and the schema indexes the same text (the phone
 * key's `*_phone` indexes), so SQLite answers a lookup from the index instead of normalising every
 * row of the table on every page of a pull. Column names are unqualified.
 */
export function keyExpression(column: string, norm: KeyNorm, dialect: Dialect['name'] = 'sqlite'): string {
  if (dialect === 'postgres') return pgKeyExpression(column, norm);
  switch (norm) {
    case 'exact':
      return column;
    case 'email':
      // lower(column) alone, so the tables' lower(email) indexes answer it; emails are stored trimmed.
      return `lower(${column})`;
    case 'phone':
      return `substr(replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), -10)`;
    case 'text':
      return `lower(trim(replace(replace(replace(${column}, '.', ''), ',', ''), '  ', ' '), ' '))`;
  }
}

/**
 * The same normalisation in PostgreSQL's words: `right(x, 10)` for SQLite's `substr(x, -10)` (a
 * negative start means something else there) and `btrim` for SQLite's two-argument `trim`. The
 * phone text is the one src/store/migrations-pg/0002_phone_key_index.sql indexes.
 */
function pgKeyExpression(column: string, norm: KeyNorm): string {
  switch (norm) {
    case 'exact':
      return column;
    case 'email':
      return `lower(${column})`;
    case 'phone':
      return `right(replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), 10)`;
    case 'text':
      return `lower(btrim(replace(replace(replace(${column}, '.', ''), ',', ''), '  ', ' '), ' '))`;
  }
}
