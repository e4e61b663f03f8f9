import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');
const NOW = '2026-11-20T08:00:00.000Z';
const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // Only what the command needs: no CROSSWALK_SECRET_KEY or CROSSWALK_DB leaks in from the runner.
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('crosswalk secrets rotate', () => {
  const d = tempDir();
  const db = join(d.dir, 'elsewhere', 'hub.sqlite');
  const loopback = join(d.dir, 'loopback.yaml');
  const remote = join(d.dir, 'remote.yaml');

  beforeAll(async () => {
    writeFileSync(loopback, 'database: ./unused.sqlite\nsystems:\n  - { id: gusto, connector: gusto, kind: payroll, baseUrl: "http://127.0.0.1:8602" }\n');
    writeFileSync(remote, 'database: ./unused.sqlite\nsystems:\n  - { id: gusto, connector: gusto, kind: payroll, baseUrl: "https://api.gusto.com" }\n');
    const store = SqliteStore.open(db, { keyring: Keyring.parse(K1) });
    await store.unitOfWork(async (tx) => {
      await tx.state.set('gusto', 'oauth.tokens', '{"refreshToken":"rt-1"}', NOW);
      await tx.state.set('bullhorn', 'oauth.refreshToken', 'rt-2', NOW);
    });
    store.db.prepare('INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)').run('gusto', 'webhook.verificationToken', 'legacy', NOW);
    store.close();
  });
  afterAll(() => d.dispose());

  it('re-seals every value under the first key of CROSSWALK_SECRET_KEY, in the CROSSWALK_DB database, with --json', async () => {
    const r = await cli(['secrets', 'rotate', '--json'], { CROSSWALK_CONFIG: remote, CROSSWALK_DB: db, CROSSWALK_SECRET_KEY: `${K2},${K1}` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ database: db, currentKeyId: 'k2', keyIds: ['k2', 'k1'], total: 3, resealed: 3, plaintext: 1 });
    expect(r.stdout).not.toContain(K2.slice(3));

    const raw = new Database(db, { readonly: true });
    const values = raw.prepare('SELECT value FROM connector_state').pluck().all() as string[];
    raw.close();
    expect(values.map((v) => Keyring.keyIdOf(v))).toEqual(['k2', 'k2', 'k2']);
    const store = SqliteStore.open(db, { keyring: Keyring.parse(K2) });
    try {
      expect(await store.repos.state.get('gusto', 'webhook.verificationToken')).toBe('legacy');
      expect(await store.repos.state.get('bullhorn', 'oauth.refreshToken')).toBe('rt-2');
    } finally {
      store.close();
    }

    const again = await cli(['secrets', 'rotate'], { CROSSWALK_CONFIG: remote, CROSSWALK_DB: db, CROSSWALK_SECRET_KEY: K2 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 of 3 connector state value(s) sealed under key "k2"');
  });

  it('refuses without a key when a system is beyond loopback, and a malformed key, naming the variable', async () => {
    const missing = await cli(['secrets', 'rotate', '--json'], { CROSSWALK_CONFIG: remote, CROSSWALK_DB: db });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^crosswalk: configuration: environment: CROSSWALK_SECRET_KEY: not set\./);
    const malformed = await cli(['secrets', 'rotate'], { CROSSWALK_CONFIG: remote, CROSSWALK_DB: db, CROSSWALK_SECRET_KEY: 'k1:c2hvcnQ=' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('CROSSWALK_SECRET_KEY: key "k1" is not the base64 of 32 bytes');
    expect(malformed.stderr).not.toContain('c2hvcnQ=');
  });

  it('on loopback without a key, uses the generated key beside the database', async () => {
    const local = join(d.dir, 'local', 'hub.sqlite');
    const r = await cli(['secrets', 'rotate', '--json'], { CROSSWALK_CONFIG: loopback, CROSSWALK_DB: local });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ database: local, currentKeyId: 'k1', total: 0 });
  });
});
