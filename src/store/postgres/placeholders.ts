/**
 * `?` placeholders → PostgreSQL's `$1, $2, …`, skipping quoted text and identifiers, so repositories
 * write one SQL text for both dialects. Translations are cached: the same text always maps the same.
 */
const cache = new Map<string, string>();

export function numberPlaceholders(sql: string): string {
  const known = cache.get(sql);
  if (known !== undefined) return known;
  let out = '';
  let n = 0;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      out += ch;
      if (ch === quote) quote = null; // a doubled quote closes and reopens: same result
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (cache.size > 10_000) cache.clear(); // dynamic SQL (listing filters) must not grow it forever
  cache.set(sql, out);
  return out;
}
