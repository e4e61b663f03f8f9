import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../../../src/lib/secret-box.ts';
import type { Store } from '../../../src/store/index.ts';
import { StateRepo } from '../../../src/store/repos/state-repo.ts';
import { openTestStore, STORE_KINDS, type TestStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
/** The store's ring: k2 current, k1 an older key still able to open what it sealed. */
const RING = Keyring.parse(`k2:${key(2)},k1:${key(1)}`);
const OLD = Keyring.parse(`k1:${key(1)}`);
const ctx = (system: string, k: string) => `connector_state\u0000${system}\u0000${k}`;
const TOKEN = 'rt_live_5f0c1e2d3a4b59687a8b9c0d1e2f3a4b';

async function rawValue(store: Store, system: string, k: string): Promise<string | undefined> {
  return store.query.value<string>('SELECT value FROM connector_state WHERE system = ? AND key = ?', [system, k]);
}

async function putRaw(store: Store, system: string, k: string, value: string): Promise<void> {
  await store.query.run('INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)', [system, k, value, NOW]);
}

// Not describeEachStore: these stores need a ring of two keys, to rotate from one to the other.
for (const kind of STORE_KINDS) {
  describe(`state repository [${kind}]`, () => {
    let handle: TestStore | null = null;
    beforeAll(async () => {
      handle = await openTestStore(kind, { keyring: RING });
    });
    beforeEach(async () => {
      await handle?.reset();
    });
    afterAll(async () => {
      await handle?.close();
    });
    const current = (): Store => {
      if (!handle) throw new Error('store not open (beforeAll failed)');
      return handle.store;
    };

    it('keeps a value sealed at rest under the current key, bound to its row, and reads it back', async () => {
      const store = current();
      await store.unitOfWork((tx) => tx.state.set('bullhorn', 'oauth.refreshToken', TOKEN, NOW));
      expect(await store.repos.state.get('bullhorn', 'oauth.refreshToken')).toBe(TOKEN);
      const raw = (await rawValue(store, 'bullhorn', 'oauth.refreshToken')) ?? '';
      expect(Keyring.keyIdOf(raw)).toBe('k2');
      expect(raw.includes(TOKEN)).toBe(false);
      expect(RING.open(raw, ctx('bullhorn', 'oauth.refreshToken'))).toBe(TOKEN);
      // The same sealed text under another key does not open: it is bound to (system, key).
      await putRaw(store, 'bullhorn', 'copied', raw);
      await expect(store.repos.state.get('bullhorn', 'copied')).rejects.toThrow(/does not authenticate/);
      expect(await store.repos.state.get('bullhorn', 'missing')).toBeNull();
      expect(await store.repos.state.get('Bullhorn', 'oauth.refreshToken')).toBeNull(); // case-sensitive
    });

    it('replaces a value on a second set, sealing it anew', async () => {
      const store = current();
      await store.unitOfWork((tx) => tx.state.set('gusto', 'token', 'one', NOW));
      const first = await rawValue(store, 'gusto', 'token');
      await store.unitOfWork((tx) => tx.state.set('gusto', 'token', 'two', later(1)));
      expect(await store.repos.state.get('gusto', 'token')).toBe('two');
      expect(await rawValue(store, 'gusto', 'token')).not.toBe(first);
      expect(await store.query.value<string>('SELECT updated_at FROM connector_state WHERE system = ? AND key = ?', ['gusto', 'token'])).toBe(later(1));
      expect(await store.query.value<number>('SELECT count(*) FROM connector_state')).toBe(1);
    });

    it('reads legacy plaintext as it is, and an older key’s value through the ring', async () => {
      const store = current();
      await putRaw(store, 'ats', 'plain', 'legacy-token');
      await putRaw(store, 'ats', 'old', OLD.seal('old-token', ctx('ats', 'old')));
      expect(await store.repos.state.get('ats', 'plain')).toBe('legacy-token');
      expect(await store.repos.state.get('ats', 'old')).toBe('old-token');
    });

    it('rotates: reseals plaintext and older-key values under the current key, leaves current ones', async () => {
      const store = current();
      await putRaw(store, 'ats', 'plain', 'legacy-token');
      await putRaw(store, 'ats', 'old', OLD.seal('old-token', ctx('ats', 'old')));
      await store.unitOfWork((tx) => tx.state.set('ats', 'fresh', 'fresh-token', NOW));
      const fresh = await rawValue(store, 'ats', 'fresh');
      expect(await store.unitOfWork((tx) => tx.state.rotate())).toEqual({ total: 3, resealed: 2, plaintext: 1 });
      for (const k of ['plain', 'old', 'fresh']) expect(Keyring.keyIdOf((await rawValue(store, 'ats', k)) ?? '')).toBe('k2');
      expect(await rawValue(store, 'ats', 'fresh')).toBe(fresh);
      expect(await store.repos.state.get('ats', 'plain')).toBe('legacy-token');
      expect(await store.repos.state.get('ats', 'old')).toBe('old-token');
      expect(await store.unitOfWork((tx) => tx.state.rotate())).toEqual({ total: 3, resealed: 0, plaintext: 0 });
    });

    it('stops the whole rotation on a value that does not open, changing nothing', async () => {
      const store = current();
      await putRaw(store, 'ats', 'a-plain', 'legacy-token');
      await putRaw(store, 'ats', 'b-foreign', Keyring.parse(`k9:${key(9)}`).seal('x', ctx('ats', 'b-foreign')));
      await expect(store.unitOfWork((tx) => tx.state.rotate())).rejects.toThrow(/k9/);
      expect(await rawValue(store, 'ats', 'a-plain')).toBe('legacy-token');
    });

    it('refuses writes outside a unit of work, and needs a key ring', async () => {
      const store = current();
      await expect(store.repos.state.set('ats', 'k', 'v', NOW)).rejects.toThrow(/inside store.unitOfWork/);
      await expect(store.repos.state.rotate()).rejects.toThrow(/inside store.unitOfWork/);
      await store.unitOfWork((tx) => tx.state.set('ats', 'k', 'v', NOW));
      const ringless = new StateRepo(store.query, null);
      await expect(ringless.get('ats', 'k')).rejects.toThrow(/key ring/);
      expect(await ringless.get('ats', 'absent')).toBeNull();
    });
  });
}
