import Database from 'better-sqlite3';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rotateConnectorSecrets } from '../../src/cli/commands/secrets.ts';
import { ConfigFileError, loadConfig, resolveSecretKey, SECRET_KEY_FILE } from '../../src/config/index.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startHarness } from '../connectors/gusto/support/hub.ts';
import { openTempStore, tempDir, TEST_KEYRING } from '../support/temp-store.ts';

/**
 * Secrets at rest: connector state sealed in the SQLite file (never findable as plaintext in the
 * database or its WAL), legacy plaintext rows, key rotation, the key's origin (environment, the
 * demo's generated file, or a refusal), and the database files created owner-only.
 */

const NOW = '2026-11-20T08:00:00.000Z';
const TOKEN = 'rt_live_5f0c1e2d3a4b59687a8b9c0d1e2f3a4b';
const k = (id: string, fill: number) => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function temp(): ReturnType<typeof openTempStore> {
  const t = openTempStore();
  cleanups.push(() => t.dispose());
  return t;
}

/** The raw bytes of the database and its WAL, as anyone who can read the files would see them. */
function fileBytes(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('connector state sealed at rest', () => {
  it('a token written through the state repo is not in the database file or its WAL, and reads back', async () => {
    const { store, path } = temp();
    await store.unitOfWork((tx) => tx.state.set('bullhorn', 'oauth.refreshToken', TOKEN, NOW));
    expect(await store.repos.state.get('bullhorn', 'oauth.refreshToken')).toBe(TOKEN);
    expect(fileBytes(path).includes(Buffer.from(TOKEN))).toBe(false);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(fileBytes(path).includes(Buffer.from(TOKEN))).toBe(false);

    const raw = new Database(path, { readonly: true });
    try {
      const value = raw.prepare("SELECT value FROM connector_state WHERE system = 'bullhorn'").pluck().get() as string;
      expect(value.startsWith('enc:v1:test:')).toBe(true);
      expect(TEST_KEYRING.open(value, `connector_state\u0000bullhorn\u0000oauth.refreshToken`)).toBe(TOKEN);
    } finally {
      raw.close();
    }
  });

  it('a sealed value moved to another row does not open there', async () => {
    const { store } = temp();
    await store.unitOfWork((tx) => tx.state.set('gusto', 'oauth.tokens', TOKEN, NOW));
    store.db.prepare("INSERT INTO connector_state (system, key, value, updated_at) SELECT 'bullhorn', 'oauth.refreshToken', value, updated_at FROM connector_state WHERE system = 'gusto'").run();
    await expect(store.repos.state.get('bullhorn', 'oauth.refreshToken')).rejects.toThrow(/does not authenticate/);
  });

  it('reads legacy plaintext rows, seals them on the next write, and `rotate` re-seals under the new first key', async () => {
    const { store, path } = temp();
    const legacy = 'legacy-plaintext-refresh-token-0123456789';
    store.db.prepare('INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)').run('gusto', 'webhook.verificationToken', legacy, NOW);
    store.db.prepare('INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)').run('bullhorn', 'events.subscription', 'Candidate,Placement', NOW);
    expect(await store.repos.state.get('gusto', 'webhook.verificationToken')).toBe(legacy);
    await store.unitOfWork((tx) => tx.state.set('bullhorn', 'events.subscription', 'Candidate,Placement,JobOrder', NOW));
    await store.unitOfWork((tx) => tx.state.set('bullhorn', 'oauth.refreshToken', TOKEN, NOW));
    store.close();

    // A new key first, the old one kept to open what it sealed.
    const rotating = SqliteStore.open(path, { keyring: Keyring.parse(`${k('k2', 2)},test:${Buffer.alloc(32, 7).toString('base64')}`) });
    const summary = await rotateConnectorSecrets(rotating);
    expect(summary).toEqual({ total: 3, resealed: 3, plaintext: 1 });
    expect(await rotateConnectorSecrets(rotating)).toEqual({ total: 3, resealed: 0, plaintext: 0 });
    rotating.close();

    const raw = new Database(path, { readonly: true });
    const values = raw.prepare('SELECT value FROM connector_state').pluck().all() as string[];
    raw.close();
    expect(values.map((v) => Keyring.keyIdOf(v))).toEqual(['k2', 'k2', 'k2']);
    // The plaintext is gone from the file, not only from the row.
    expect(fileBytes(path).includes(Buffer.from(legacy))).toBe(false);

    // The old key can now be dropped.
    const after = SqliteStore.open(path, { keyring: Keyring.parse(k('k2', 2)) });
    cleanups.push(() => after.close());
    expect(await after.repos.state.get('gusto', 'webhook.verificationToken')).toBe(legacy);
    expect(await after.repos.state.get('bullhorn', 'oauth.refreshToken')).toBe(TOKEN);
    expect(await after.repos.state.get('bullhorn', 'events.subscription')).toBe('Candidate,Placement,JobOrder');
  });

  it('a store opened without a key ring writes no connector state and opens no sealed value', async () => {
    const { store, path } = temp();
    await store.unitOfWork((tx) => tx.state.set('gusto', 'oauth.tokens', TOKEN, NOW));
    store.db.prepare('INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)').run('gusto', 'companyUuid', 'c-1', NOW);
    const bare = SqliteStore.open(path);
    cleanups.push(() => bare.close());
    await expect(bare.repos.state.get('gusto', 'oauth.tokens')).rejects.toThrow(/encrypted at rest: open the store with a key ring/);
    await expect(bare.unitOfWork((tx) => tx.state.set('gusto', 'x', 'y', NOW))).rejects.toThrow(/key ring/);
    expect(await bare.repos.state.get('gusto', 'companyUuid')).toBe('c-1');
  });
});

describe('the hub\'s key', () => {
  const config = (dir: string, baseUrl: string) => ({ database: join(dir, 'data', 'hub.sqlite'), systems: [{ baseUrl }] });

  it('comes from CROSSWALK_SECRET_KEY, and a malformed value is refused naming the variable, not echoing it', () => {
    const d = tempDir();
    cleanups.push(() => d.dispose());
    const file = join(d.dir, 'crosswalk.config.yaml');
    writeFileSync(file, 'database: ./hub.sqlite\n');
    const loaded = loadConfig({ file, env: { CROSSWALK_SECRET_KEY: `${k('k2', 2)},${k('k1', 1)}` } });
    expect(loaded.secretKey?.keyIds).toEqual(['k2', 'k1']);
    expect(resolveSecretKey(loaded).currentId).toBe('k2');
    expect(loadConfig({ file, env: {} }).secretKey).toBeUndefined();
    const short = `k1:${Buffer.alloc(31, 4).toString('base64')}`;
    const err = (() => {
      try {
        loadConfig({ file, env: { CROSSWALK_SECRET_KEY: short } });
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err?.message).toBe('environment: CROSSWALK_SECRET_KEY: key "k1" is not the base64 of 32 bytes');
    expect(err?.message).not.toContain(short.slice(3));
  });

  it('on loopback only, is generated once beside the database (0600) and reused on the next start', () => {
    const d = tempDir();
    cleanups.push(() => d.dispose());
    const first = resolveSecretKey(config(d.dir, 'http://127.0.0.1:8602'));
    const keyFile = join(d.dir, 'data', SECRET_KEY_FILE);
    expect(mode(keyFile)).toBe(0o600);
    expect(mode(join(d.dir, 'data'))).toBe(0o700);
    const second = resolveSecretKey(config(d.dir, 'http://localhost:8602'));
    expect(second.open(first.seal(TOKEN))).toBe(TOKEN);
    expect(resolveSecretKey({ database: ':memory:', systems: [] }).keyIds).toEqual(['k1']);
  });

  it('is required when any system is beyond loopback: the hub refuses to start, saying what to set', () => {
    const d = tempDir();
    cleanups.push(() => d.dispose());
    expect(() => resolveSecretKey(config(d.dir, 'https://api.gusto.com'))).toThrow(ConfigFileError);
    expect(() => resolveSecretKey(config(d.dir, 'https://api.gusto.com'))).toThrow(/CROSSWALK_SECRET_KEY: not set\. Connector tokens and webhook keys are encrypted at rest/);
    expect(existsSync(join(d.dir, 'data', SECRET_KEY_FILE))).toBe(false);
  });

  it('seals a real connector\'s OAuth tokens: after a Gusto sync, neither token is in the hub\'s files', async () => {
    const h = await startHarness(sampleDataset());
    try {
      await h.sync();
      const stored = JSON.parse((await h.state.get('oauth.tokens')) ?? '{}') as { refreshToken?: string; accessToken?: string };
      expect(stored.refreshToken).toEqual(expect.any(String));
      expect(stored.accessToken).toEqual(expect.any(String));
      const path = h.hub.config.database;
      const bytes = fileBytes(path);
      for (const secret of [stored.refreshToken ?? '', stored.accessToken ?? '', h.gusto.credentials['refreshToken'] ?? '']) {
        expect(secret.length).toBeGreaterThan(8);
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
      }
      const sealed = h.store.db.prepare("SELECT value FROM connector_state WHERE system = 'gusto' AND key = 'oauth.tokens'").pluck().get() as string;
      expect(sealed.startsWith('enc:v1:k1:')).toBe(true);
      // The harness's systems are on loopback and set no key: the hub generated one beside the database.
      expect(mode(join(path, '..', SECRET_KEY_FILE))).toBe(0o600);
      expect(mode(path)).toBe(0o600);
    } finally {
      await h.close();
    }
  });
});

describe('database files', () => {
  it('the database, its -wal and -shm are created 0600, in a directory created 0700', async () => {
    const d = tempDir();
    cleanups.push(() => d.dispose());
    const path = join(d.dir, 'nested', 'hub.sqlite');
    const store = SqliteStore.open(path, { keyring: TEST_KEYRING });
    cleanups.push(() => store.close());
    await store.unitOfWork((tx) => tx.state.set('gusto', 'companyUuid', 'c-1', NOW));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(file)).toBe(true);
      expect([file, mode(file).toString(8)]).toEqual([file, '600']);
    }
    expect(mode(join(d.dir, 'nested'))).toBe(0o700);
  });

  it('an existing world-readable database is narrowed to 0600 when opened', async () => {
    const d = tempDir();
    cleanups.push(() => d.dispose());
    const path = join(d.dir, 'hub.sqlite');
    const first = SqliteStore.open(path, { keyring: TEST_KEYRING });
    await first.unitOfWork((tx) => tx.state.set('gusto', 'companyUuid', 'c-1', NOW));
    first.close();
    chmodSync(path, 0o644);
    const again = SqliteStore.open(path, { keyring: TEST_KEYRING });
    cleanups.push(() => again.close());
    await again.unitOfWork((tx) => tx.state.set('gusto', 'companyUuid', 'c-2', NOW));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file)).toBe(0o600);
  });
});
