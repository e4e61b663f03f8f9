import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the PostgreSQL scenarios use (trust auth, as the tests'); CROSSWALK_BENCH_PG overrides it. */
export const BENCH_PG_URL = process.env['CROSSWALK_BENCH_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name of its own for one pass: passes never see each other's rows, and each is dropped after. */
export function benchSchemaName(scenario: string): string {
  return `cw_bench_${scenario.replace(/[^a-z0-9]/g, '_')}_${randomBytes(5).toString('hex')}`;
}

/** Runs `sql` on a connection of its own (schema set-up and clean-up, outside anything timed). */
export async function adminQuery(sql: string, url = BENCH_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function dropBenchSchema(schema: string, url = BENCH_PG_URL): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, url);
}

/**
 * The raw baseline's write: rows into one plain table with multi-row INSERTs of `perStatement`
 * rows (named, so each size is parsed and planned once), `perTransaction` rows a transaction.
 * `suffix` follows the VALUES list (an ON CONFLICT clause for the upserts).
 */
export async function insertRows(
  client: pg.ClientBase,
  table: string,
  columns: number,
  rows: ReadonlyArray<readonly unknown[]>,
  options: { perStatement?: number; perTransaction?: number; suffix?: string } = {},
): Promise<number> {
  const perStatement = options.perStatement ?? 1_000;
  const perTransaction = options.perTransaction ?? 10_000;
  const suffix = options.suffix ?? '';
  const texts = new Map<number, string>();
  const textFor = (n: number): string => {
    let text = texts.get(n);
    if (text === undefined) {
      const tuples: string[] = [];
      for (let r = 0; r < n; r++) tuples.push(`(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`);
      text = `INSERT INTO ${table} VALUES ${tuples.join(', ')} ${suffix}`;
      texts.set(n, text);
    }
    return text;
  };
  let changed = 0;
  for (let t = 0; t < rows.length; t += perTransaction) {
    await client.query('BEGIN');
    const end = Math.min(rows.length, t + perTransaction);
    for (let s = t; s < end; s += perStatement) {
      const chunk = rows.slice(s, Math.min(end, s + perStatement));
      const result = await client.query({ name: `raw-${table}-${chunk.length}-${suffix.length}`, text: textFor(chunk.length), values: chunk.flat() });
      changed += result.rowCount ?? 0;
    }
    await client.query('COMMIT');
  }
  return changed;
}
