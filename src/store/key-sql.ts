import type { KeyNorm } from '../model/index.ts';

/**
 * The SQL twin of `normaliseKeyPart` in the model: the two must agree on every value. The store's
 * natural-key lookups compare this expression, and the schema indexes the same text (the phone
 * key's `*_phone` indexes), so SQLite answers a lookup from the index instead of normalising every
 * row of the table on every page of a pull. Column names are unqualified.
 */
export function keyExpression(column: string, norm: KeyNorm): string {
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
