import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, dropSchema, freshSchemaName, TEST_PG_URL } from '../support/stores.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');

describe('crosswalk db migrate on PostgreSQL', () => {
  const schema = freshSchemaName();
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await createSchema(schema);
    dir = mkdtempSync(join(tmpdir(), 'crosswalk-cli-pg-'));
    writeFileSync(join(dir, 'crosswalk.config.yaml'), 'mappings: ./mappings\n');
    // The schema rides in the URL (libpq's `options`), so the command migrates only this test's schema.
    const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    env = { CROSSWALK_CONFIG: join(dir, 'crosswalk.config.yaml'), CROSSWALK_DB: url, LOG_LEVEL: 'silent' };
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('applies the PostgreSQL migrations once and lists the tables of its schema', async () => {
    const migrate = async () => JSON.parse((await run(process.execPath, [BIN, 'db', 'migrate', '--json'], { env: { ...process.env, ...env }, timeout: 60_000 })).stdout) as { applied: number; tables: string[] };
    const first = await migrate();
    expect(first.applied).toBeGreaterThan(0);
    for (const t of ['clients', 'links', 'ledger', 'inbox', 'outbox', 'runs', 'ops_issues']) expect(first.tables).toContain(t);
    expect(first.tables).not.toContain('crosswalk_migrations');
    const again = await migrate();
    expect(again).toEqual({ ...first, applied: 0 });
  });
});
