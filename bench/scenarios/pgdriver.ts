import pg from 'pg';
import postgres from 'postgres';
import type { Scenario } from '../run.ts';
import { median, type Figure } from '../lib/figures.ts';

/**
 * Issue 16's driver choice, by measurement: `pg` (node-postgres) against `postgres` (porsager) on
 * the four shapes of work the hub's store does — a unit of work upserting a batch of canonical rows
 * with one multi-row statement, point reads by id (the engine's lookups), a batched read by a list
 * of ids, and the outbox claim (`FOR UPDATE SKIP LOCKED`) from four connections at once. Each driver
 * runs the same SQL on the same server, alternating, medians of 3 rounds; figures are rows (or
 * claims) per second and informational: the choice is written down in docs/decisions/.
 *
 * Needs PostgreSQL: CROSSWALK_BENCH_PG (default postgres://postgres@127.0.0.1:5432/test).
 */

const URL = process.env['CROSSWALK_BENCH_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_pgdriver_${process.pid}`;
const COLUMNS = ['id', 'revision', 'updated_at', 'first_name', 'last_name', 'email', 'status', 'fields'] as const;

type Row = readonly [string, number, string, string, string, string, string, string];

interface Driver {
  readonly name: string;
  exec(sql: string): Promise<void>;
  /** One transaction: a multi-row upsert of `rows`. */
  upsertBatch(rows: readonly Row[]): Promise<void>;
  readOne(id: string): Promise<number>;
  readMany(ids: readonly string[]): Promise<number>;
  /** One transaction: claims up to `n` pending outbox rows, marks them, returns how many. */
  claim(n: number): Promise<number>;
  end(): Promise<void>;
}

function upsertSql(count: number): string {
  const values: string[] = [];
  for (let r = 0; r < count; r++) values.push(`(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
  return `INSERT INTO ${SCHEMA}.contacts (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}
    ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at, first_name = EXCLUDED.first_name,
      last_name = EXCLUDED.last_name, email = EXCLUDED.email, status = EXCLUDED.status, fields = EXCLUDED.fields`;
}

const CLAIM_SQL = `UPDATE ${SCHEMA}.outbox SET state = 'claimed' WHERE id IN (
  SELECT id FROM ${SCHEMA}.outbox WHERE state = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id`;

function nodePostgres(): Driver {
  const pool = new pg.Pool({ connectionString: URL, max: 4 });
  return {
    name: 'pg',
    async exec(sql) {
      await pool.query(sql);
    },
    async upsertBatch(rows) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query({ name: `upsert-${rows.length}`, text: upsertSql(rows.length), values: rows.flat() });
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    async readOne(id) {
      return (await pool.query({ name: 'read-one', text: `SELECT * FROM ${SCHEMA}.contacts WHERE id = $1`, values: [id] })).rowCount ?? 0;
    },
    async readMany(ids) {
      return (await pool.query({ name: 'read-many', text: `SELECT * FROM ${SCHEMA}.contacts WHERE id = ANY($1::text[])`, values: [ids] })).rowCount ?? 0;
    },
    async claim(n) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const got = (await client.query({ name: 'claim', text: CLAIM_SQL, values: [n] })).rowCount ?? 0;
        await client.query('COMMIT');
        return got;
      } finally {
        client.release();
      }
    },
    async end() {
      await pool.end();
    },
  };
}

function porsager(): Driver {
  const sql = postgres(URL, { max: 4, onnotice: () => undefined });
  return {
    name: 'postgres',
    async exec(text) {
      await sql.unsafe(text);
    },
    async upsertBatch(rows) {
      // unsafe() with parameters: the same text and values as pg, prepared by the driver.
      await sql.begin(async (tx) => {
        await tx.unsafe(upsertSql(rows.length), rows.flat(), { prepare: true });
      });
    },
    async readOne(id) {
      return (await sql.unsafe(`SELECT * FROM ${SCHEMA}.contacts WHERE id = $1`, [id], { prepare: true })).count;
    },
    async readMany(ids) {
      return (await sql.unsafe(`SELECT * FROM ${SCHEMA}.contacts WHERE id = ANY($1::text[])`, [[...ids]], { prepare: true })).count;
    },
    async claim(n) {
      return sql.begin(async (tx) => (await tx.unsafe(CLAIM_SQL, [n], { prepare: true })).count);
    },
    async end() {
      await sql.end({ timeout: 5 });
    },
  };
}

function makeRows(count: number, round: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    rows.push([`ct_${String(i).padStart(7, '0')}`, round, '2026-12-07T10:00:00.000Z', `First${i}`, `Last${i}`, `person${i}@example.test`, 'active', JSON.stringify({ title: 'Lead', phone: '555-0100' })]);
  }
  return rows;
}

async function time(fn: () => Promise<number>): Promise<number> {
  const start = performance.now();
  const n = await fn();
  return n / ((performance.now() - start) / 1000);
}

async function measure(driver: Driver, quick: boolean, round: number): Promise<Record<string, number>> {
  const total = quick ? 4_000 : 20_000;
  const batch = 500;
  const rows = makeRows(total, round);
  const write = await time(async () => {
    for (let i = 0; i < total; i += batch) await driver.upsertBatch(rows.slice(i, i + batch));
    return total;
  });
  const ids = rows.map((r) => r[0]);
  const reads = quick ? 1_000 : 5_000;
  const pointRead = await time(async () => {
    let n = 0;
    for (let i = 0; i < reads; i++) n += await driver.readOne(ids[(i * 7919) % ids.length] ?? '');
    if (n !== reads) throw new Error(`${driver.name}: point reads found ${n} of ${reads}`);
    return n;
  });
  const batchRead = await time(async () => {
    let n = 0;
    for (let i = 0; i < ids.length; i += batch) n += await driver.readMany(ids.slice(i, i + batch));
    if (n !== ids.length) throw new Error(`${driver.name}: batched reads found ${n} of ${ids.length}`);
    return n;
  });
  const pending = quick ? 2_000 : 10_000;
  await driver.exec(`TRUNCATE ${SCHEMA}.outbox; INSERT INTO ${SCHEMA}.outbox (id, state) SELECT 'ob_' || lpad(g::text, 7, '0'), 'pending' FROM generate_series(1, ${pending}) g`);
  const claims = await time(async () => {
    const workers = Array.from({ length: 4 }, async () => {
      let got = 0;
      for (;;) {
        const n = await driver.claim(25);
        if (n === 0) return got;
        got += n;
      }
    });
    const total = (await Promise.all(workers)).reduce((a, b) => a + b, 0);
    if (total !== pending) throw new Error(`${driver.name}: four claimers took ${total} of ${pending} rows (a row twice or lost)`);
    return total;
  });
  return { write, pointRead, batchRead, claims };
}

export const scenario: Scenario = {
  name: 'pgdriver',
  description: 'pg vs postgres on the store’s shapes of work (batched upsert, point and batched reads, SKIP LOCKED claims), rows/s',
  async run({ quick }) {
    const drivers = [nodePostgres(), porsager()];
    const setup = drivers[0];
    if (!setup) throw new Error('no driver');
    await setup.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.contacts (id text PRIMARY KEY, revision integer NOT NULL, updated_at text NOT NULL, first_name text, last_name text, email text, status text, fields text);
      CREATE TABLE ${SCHEMA}.outbox (id text PRIMARY KEY, state text NOT NULL)`);
    const results = new Map<string, Array<Record<string, number>>>(drivers.map((d) => [d.name, []]));
    try {
      for (const d of drivers) await measure(d, true, 0); // warm-up: connections, prepared statements
      for (let round = 1; round <= 3; round++) {
        for (const d of round % 2 === 0 ? [...drivers].reverse() : drivers) results.get(d.name)?.push(await measure(d, quick, round));
      }
    } finally {
      await setup.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      for (const d of drivers) await d.end();
    }
    const figures: Figure[] = [];
    for (const [name, rounds] of results) {
      for (const key of ['write', 'pointRead', 'batchRead', 'claims']) {
        figures.push({ name: `${name}.${key}`, value: Math.round(median(rounds.map((r) => r[key] ?? 0))), unit: 'rows/s', gate: false });
      }
    }
    return figures;
  },
};
