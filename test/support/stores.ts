import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { Keyring } from '../../src/lib/secret-box.ts';
import { PgStore } from '../../src/store/postgres/pg-store.ts';
import { SqliteStore, type Store } from '../../src/store/index.ts';

/** The PostgreSQL the tests use: a service CI starts (scripts/test-services.sh). Absent → the tests fail. */
export const TEST_PG_URL = process.env['CROSSWALK_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestStore {
  readonly store: Store;
  readonly kind: StoreKind;
  /** Empties every table (between tests of one file). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh schema name, so test files on one PostgreSQL never see each other's rows. */
export function freshSchemaName(): string {
  return `cw_test_${randomBytes(6).toString('hex')}`;
}

export async function createSchema(schema: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

async function tableNames(store: Store): Promise<string[]> {
  return store.dialect === 'postgres'
    ? store.query.column<string>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'crosswalk_migrations'")
    : store.query.column<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'");
}

/** A migrated store of `kind`: a SQLite file in a temporary folder, or a fresh PostgreSQL schema. */
export async function openTestStore(kind: StoreKind, options: { keyring?: Keyring } = {}): Promise<TestStore> {
  const keyring = options.keyring ?? Keyring.generate();
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-store-'));
    const store = SqliteStore.open(join(dir, 'hub.sqlite'), { keyring });
    return {
      store,
      kind,
      reset: async () => {
        // SQLite's triggers cannot be switched off: the hub's invoice bookkeeping goes first, so no
        // invoice is issued any more when its lines, links and row are deleted (migration 0006).
        const tables = (await tableNames(store)).sort((a, b) => Number(b === 'hub_invoices') - Number(a === 'hub_invoices'));
        store.db.pragma('foreign_keys = OFF');
        for (const t of tables) store.db.prepare(`DELETE FROM "${t}"`).run();
        store.db.pragma('foreign_keys = ON');
      },
      close: async () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = freshSchemaName();
  await createSchema(schema);
  const store = PgStore.open(TEST_PG_URL, { keyring, schema, poolSize: 4, filesDir: mkdtempSync(join(tmpdir(), 'crosswalk-files-')) });
  await store.ready;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  return {
    store,
    kind,
    reset: async () => {
      // DELETE with triggers and foreign keys off (replica role) is far quicker than TRUNCATE on
      // mostly empty tables; issued invoices are frozen by row triggers, which replica role skips.
      const tables = await tableNames(store);
      await admin.query(`SET search_path = ${schema}; SET session_replication_role = replica; ${tables.map((t) => `DELETE FROM "${t}";`).join(' ')} SET session_replication_role = DEFAULT;`);
    },
    close: async () => {
      await admin.end();
      await store.close();
      await dropSchema(schema);
    },
  };
}

/**
 * The repository contract: `body` runs once per dialect against a migrated store, emptied before
 * each test. One suite, two stores: what passes on SQLite must pass on PostgreSQL.
 */
export function describeEachStore(name: string, body: (current: () => Store, kind: StoreKind) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let handle: TestStore | null = null;
      beforeAll(async () => {
        handle = await openTestStore(kind);
      });
      beforeEach(async () => {
        await handle?.reset();
      });
      afterAll(async () => {
        await handle?.close();
      });
      body(() => {
        if (!handle) throw new Error('store not open (beforeAll failed)');
        return handle.store;
      }, kind);
    });
  }
}
