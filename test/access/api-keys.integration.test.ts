import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, parseApiKey, verifyApiKey, type NewApiKey } from '../../src/access/credentials/api-keys.ts';
import { CredentialError, sha256Hex } from '../../src/access/credentials/secret.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { at, T0 } from './support.ts';

const base: NewApiKey = {
  name: 'approver integration', ownerKind: 'contact', ownerId: 'contact-1', role: null, scopes: ['read'],
  clientId: null, worksiteId: null, expiresAt: null, createdBy: 'user:ops-1',
};

describe('API keys', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => t.dispose());

  const create = (input: Partial<NewApiKey> = {}, now = T0) => t.store.unitOfWork((tx) => createApiKey(tx, { ...base, ...input }, now));

  it('creates cw_live_<id>_<secret>, shown once; the row keeps only the SHA-256 of the secret', async () => {
    const { row, key } = await create();
    expect(key).toMatch(/^cw_live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    expect(parsed?.id).toBe(row.id);
    const stored = await t.store.repos.access.keyById(row.id);
    expect(stored?.secretHash).toBe(sha256Hex(parsed?.secret ?? ''));
    expect(JSON.stringify(stored)).not.toContain(parsed?.secret);
    expect(await verifyApiKey(t.store.repos, key, T0)).toMatchObject({ ok: true, row: { id: row.id, scopes: ['read'] } });
  });

  it('parses only the exact shape (the secret may contain underscores)', () => {
    expect(parseApiKey('cw_live_0123456789abcdef_' + 'a_b-'.repeat(10) + 'xyz')).toEqual({ id: '0123456789abcdef', secret: 'a_b-'.repeat(10) + 'xyz' });
    for (const bad of ['', 'cw_live_', 'cw_live_0123456789ABCDEF_' + 'a'.repeat(43), 'cw_live_0123456789abcdef_' + 'a'.repeat(42), 'cw_test_0123456789abcdef_' + 'a'.repeat(43)]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('refuses malformed, unknown, wrong-secret, revoked and expired keys with a reason', async () => {
    const { row, key } = await create({ expiresAt: at(60) });
    const otherSecret = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(t.store.repos, 'cw_live_nope', T0)).toEqual({ ok: false, reason: 'malformed API key' });
    expect(await verifyApiKey(t.store.repos, `cw_live_ffffffffffffffff_${'a'.repeat(43)}`, T0)).toEqual({ ok: false, reason: 'unknown API key' });
    expect(await verifyApiKey(t.store.repos, otherSecret, T0)).toEqual({ ok: false, reason: 'wrong API key secret' });
    expect(await verifyApiKey(t.store.repos, key, at(59))).toMatchObject({ ok: true });
    expect(await verifyApiKey(t.store.repos, key, at(60))).toEqual({ ok: false, reason: 'API key expired' });
    await t.store.unitOfWork((tx) => tx.access.revokeKey(row.id, at(1)));
    expect(await verifyApiKey(t.store.repos, key, at(2))).toEqual({ ok: false, reason: 'API key revoked' });
    // Only the holder of the secret learns that the key was revoked.
    expect(await verifyApiKey(t.store.repos, otherSecret, at(2))).toEqual({ ok: false, reason: 'wrong API key secret' });
  });

  it('validates the request: owner and role by kind, scopes, expiry', async () => {
    const cases: Array<[Partial<NewApiKey>, RegExp]> = [
      [{ ownerKind: 'service', ownerId: null, role: null }, /service key needs a role/],
      [{ ownerKind: 'service', ownerId: 'u1', role: 'viewer' }, /service key has no owner id/],
      [{ ownerKind: 'contact', ownerId: null }, /contact key needs the contact id/],
      [{ ownerKind: 'user', ownerId: 'u1', role: 'ops_admin' }, /acts with its owner's role/],
      [{ scopes: [] }, /at least one scope/],
      [{ expiresAt: at(-1) }, /in the past/],
      [{ expiresAt: 'tomorrow' }, /not an ISO time/],
      [{ name: ' ' }, /needs a name/],
    ];
    for (const [input, message] of cases) {
      const err = await create(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialError);
      expect(String(err)).toMatch(message);
    }
    const service = await create({ ownerKind: 'service', ownerId: null, role: 'billing', scopes: ['read', 'write', 'read'] });
    expect(service.row).toMatchObject({ ownerKind: 'service', role: 'billing', scopes: ['read', 'write'] });
  });

  it('records last use at most once a minute (AccessRepo.touchKey)', async () => {
    const { row } = await create();
    // As the authenticator does: with the key row it just read.
    const touch = async (when: string) => t.store.repos.access.touchKey((await t.store.repos.access.keyById(row.id)) ?? row, when);
    await touch(at(1));
    await touch(at(1.5));
    expect((await t.store.repos.access.keyById(row.id))?.lastUsedAt).toBe(at(1));
    await touch(at(2.1));
    expect((await t.store.repos.access.keyById(row.id))?.lastUsedAt).toBe(at(2.1));
  });
});
