import { expect, it } from 'vitest';
import type { ApiKeyRow, GrantRow, MagicLinkRow, SessionRow, Store, UserRow } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const user = (over: Partial<UserRow> = {}): UserRow => ({
  id: 'u1', email: 'dana@example.com', name: 'Dana', role: 'coordinator', passwordHash: 'scrypt$x', status: 'active', createdAt: NOW, updatedAt: NOW, ...over,
});
const grant = (over: Partial<GrantRow> = {}): GrantRow => ({
  id: 'g1', subjectKind: 'contact', subjectId: 'c1', role: 'client_admin', clientId: 'client-1', worksiteId: null, forContactId: null,
  validFrom: null, validTo: null, createdAt: NOW, createdBy: 'user:u1', revokedAt: null, revokedBy: null, ...over,
});
const key = (over: Partial<ApiKeyRow> = {}): ApiKeyRow => ({
  id: 'k1', name: 'ci', secretHash: 'abcdef', ownerKind: 'service', ownerId: null, role: 'billing', scopes: ['read', 'write'],
  clientId: null, worksiteId: null, expiresAt: null, lastUsedAt: null, revokedAt: null, createdAt: NOW, createdBy: 'user:u1', ...over,
});
const session = (over: Partial<SessionRow> = {}): SessionRow => ({
  id: 's1', secretHash: 'feedbeef', kind: 'cookie', principalKind: 'contact', principalId: 'c1', onBehalfOf: null, readOnly: false,
  createdAt: NOW, lastSeenAt: NOW, expiresAt: later(600), revokedAt: null, ip: null, userAgent: null, ...over,
});
const magic = (over: Partial<MagicLinkRow> = {}): MagicLinkRow => ({
  tokenHash: 'aa11bb22', contactId: 'c1', email: 'pat@client.example', createdAt: NOW, expiresAt: later(15), usedAt: null, revokedAt: null, ip: '203.0.113.7', ...over,
});

/** Canonical rows the role query joins, written as plain SQL (the canonical repository is not this suite's subject). */
async function seedWorksites(store: Store): Promise<void> {
  const canon = 'revision, created_at, updated_at';
  await store.query.run(`INSERT INTO clients (id, ${canon}, name, status) VALUES ('client-1', 1, ?, ?, 'Harbor', 'active'), ('client-2', 1, ?, ?, 'Birch', 'active')`, [NOW, NOW, NOW, NOW]);
  await store.query.run(
    `INSERT INTO worksites (id, ${canon}, client_id, name, status, deleted_at) VALUES
      ('w1', 1, ?, ?, 'client-1', 'Dock 1', 'active', NULL), ('w2', 1, ?, ?, 'client-2', 'Dock 2', 'active', NULL), ('w3', 1, ?, ?, 'client-1', 'Gone', 'active', ?)`,
    [NOW, NOW, NOW, NOW, NOW, NOW, NOW],
  );
  await store.query.run(`INSERT INTO contacts (id, ${canon}, client_id, first_name, last_name, status) VALUES ('c1', 1, ?, ?, 'client-1', 'Pat', 'Lee', 'active')`, [NOW, NOW]);
  await store.query.run(
    `INSERT INTO contact_worksite_roles (id, ${canon}, contact_id, worksite_id, role, deleted_at) VALUES
      ('r1', 1, ?, ?, 'c1', 'w1', 'approver', NULL), ('r2', 1, ?, ?, 'c1', 'w2', 'viewer', NULL),
      ('r3', 1, ?, ?, 'c1', 'w1', 'requester', ?), ('r4', 1, ?, ?, 'c1', 'w3', 'approver', NULL)`,
    [NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW],
  );
}

describeEachStore('access repository', (current) => {
  it('stores users with lower-cased e-mail, reads, lists, counts and patches them', async () => {
    const store = current();
    const repo = store.repos.access;
    await store.unitOfWork(async (tx) => {
      await tx.access.insertUser(user({ email: 'Dana@Example.com' }));
      await tx.access.insertUser(user({ id: 'u2', email: 'ann@example.com', name: null, role: 'ops_admin', passwordHash: null }));
      await tx.access.insertUser(user({ id: 'u3', email: 'zed@example.com', status: 'disabled' }));
    });
    expect(await repo.userById('u1')).toEqual(user());
    expect(await repo.userById('U1')).toBeNull();
    expect((await repo.userByEmail('DANA@example.COM'))?.id).toBe('u1');
    expect(await repo.userById('u2')).toMatchObject({ name: null, passwordHash: null });
    expect((await repo.listUsers()).map((u) => u.email)).toEqual(['ann@example.com', 'dana@example.com', 'zed@example.com']);
    expect(await repo.countActiveUsers()).toBe(2);
    expect(await repo.countActiveUsers('ops_admin')).toBe(1);
    expect(await repo.countActiveUsers('viewer')).toBe(0);
    await store.unitOfWork((tx) => tx.access.updateUser('u1', { status: 'disabled', passwordHash: null }, later(1)));
    expect(await repo.userById('u1')).toEqual(user({ status: 'disabled', passwordHash: null, updatedAt: later(1) }));
    await store.unitOfWork((tx) => tx.access.updateUser('u1', { role: 'viewer', name: null }, later(2)));
    expect(await repo.userById('u1')).toMatchObject({ status: 'disabled', role: 'viewer', name: null, passwordHash: null });
    await store.unitOfWork((tx) => tx.access.updateUser('nobody', { role: 'viewer' }, later(3))); // no row, no error
    await expect(store.unitOfWork((tx) => tx.access.insertUser(user({ id: 'u9', email: 'ANN@example.com' })))).rejects.toThrow(/unique/i);
    await expect(repo.insertUser(user({ id: 'u8', email: 'x@example.com' }))).rejects.toThrow(/unitOfWork/);
  });

  it("reads a contact's live roles at live worksites with each worksite's client", async () => {
    const store = current();
    await seedWorksites(store);
    const roles = await store.repos.access.contactRoles('c1'); // unordered: callers build sets
    expect([...roles].sort((a, b) => a.worksiteId.localeCompare(b.worksiteId))).toEqual([
      { worksiteId: 'w1', role: 'approver', clientId: 'client-1' },
      { worksiteId: 'w2', role: 'viewer', clientId: 'client-2' },
    ]);
    expect(await store.repos.access.contactRoles('C1')).toEqual([]);
  });

  it('keeps grants, answers active ones by date, lists by filter and revokes once', async () => {
    const store = current();
    await seedWorksites(store);
    const rows = [
      grant(),
      grant({ id: 'g2', role: 'delegate_approver', clientId: null, worksiteId: 'w2', forContactId: 'c9', validFrom: '2026-03-01', validTo: '2026-03-10' }),
      grant({ id: 'g3', subjectKind: 'user', subjectId: 'u1', role: 'recruiter', clientId: null, worksiteId: 'w1' }),
      grant({ id: 'g4', validFrom: '2026-04-01' }),
    ];
    await store.unitOfWork(async (tx) => {
      for (const g of rows) await tx.access.insertGrant(g);
    });
    const repo = store.repos.access;
    expect(await repo.grantById('g2')).toEqual(rows[1]);
    expect(await repo.grantById('G2')).toBeNull();
    expect((await repo.activeGrants('contact', 'c1', '2026-03-01')).map((g) => g.id)).toEqual(['g1', 'g2']);
    expect((await repo.activeGrants('contact', 'c1', '2026-03-10')).map((g) => g.id)).toEqual(['g1', 'g2']); // inclusive
    expect((await repo.activeGrants('contact', 'c1', '2026-03-11')).map((g) => g.id)).toEqual(['g1']);
    expect((await repo.activeGrants('contact', 'c1', '2026-04-01')).map((g) => g.id)).toEqual(['g1', 'g4']);
    expect((await repo.listGrants()).map((g) => g.id)).toEqual(['g1', 'g2', 'g3', 'g4']);
    expect((await repo.listGrants({ subjectKind: 'user' })).map((g) => g.id)).toEqual(['g3']);
    expect((await repo.listGrants({ subjectKind: 'contact', subjectId: 'c1' })).map((g) => g.id)).toEqual(['g1', 'g2', 'g4']);
    // By client: its own grants and those at its worksites.
    expect((await repo.listGrants({ clientId: 'client-1' })).map((g) => g.id)).toEqual(['g1', 'g3', 'g4']);
    expect((await repo.listGrants({ clientId: 'client-2' })).map((g) => g.id)).toEqual(['g2']);

    expect(await store.unitOfWork((tx) => tx.access.revokeGrant('g1', 'user:u1', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.access.revokeGrant('g1', 'user:u2', later(2)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.access.revokeGrant('G1', 'user:u2', later(2)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.access.revokeGrant('nope', 'user:u2', later(2)))).toBe(false);
    expect(await repo.grantById('g1')).toMatchObject({ revokedAt: later(1), revokedBy: 'user:u1' });
    expect((await repo.activeGrants('contact', 'c1', '2026-03-02')).map((g) => g.id)).toEqual(['g2']);
    expect((await repo.listGrants({ subjectId: 'c1' })).map((g) => g.id)).toEqual(['g2', 'g4']);
    expect((await repo.listGrants({ subjectId: 'c1', includeRevoked: true })).map((g) => g.id)).toEqual(['g1', 'g2', 'g4']);
  });

  it('keeps API keys with their scopes, lists by owner in creation order, touches at most once a minute and revokes once', async () => {
    const store = current();
    const repo = store.repos.access;
    await store.unitOfWork(async (tx) => {
      await tx.access.insertKey(key());
      await tx.access.insertKey(key({ id: 'k2', ownerKind: 'contact', ownerId: 'c1', role: null, scopes: ['read'], clientId: 'client-1', worksiteId: 'w1', expiresAt: later(60), createdAt: later(1) }));
      await tx.access.insertKey(key({ id: 'k0', ownerKind: 'contact', ownerId: 'c1', role: null, scopes: [], createdAt: later(1) }));
    });
    expect(await repo.keyById('k1')).toEqual(key());
    expect(await repo.keyById('K1')).toBeNull();
    expect((await repo.keyById('k0'))?.scopes).toEqual([]);
    expect((await repo.listKeys()).map((k) => k.id)).toEqual(['k1', 'k0', 'k2']); // created_at, then id
    expect((await repo.listKeys({ ownerKind: 'contact', ownerId: 'c1' })).map((k) => k.id)).toEqual(['k0', 'k2']);
    expect((await repo.listKeys({ ownerKind: 'user' }))).toEqual([]);

    // Touches run outside a unit of work (one autocommit statement), at most once a minute.
    await repo.touchKey({ id: 'k1', lastUsedAt: null }, later(1));
    expect((await repo.keyById('k1'))?.lastUsedAt).toBe(later(1));
    await repo.touchKey({ id: 'k1', lastUsedAt: later(1) }, later(1.5)); // fresh row in hand: no statement
    await repo.touchKey({ id: 'k1', lastUsedAt: null }, later(1.5)); // stale row in hand: the SQL guard holds
    expect((await repo.keyById('k1'))?.lastUsedAt).toBe(later(1));
    await repo.touchKey({ id: 'k1', lastUsedAt: later(1) }, later(2.5));
    expect((await repo.keyById('k1'))?.lastUsedAt).toBe(later(2.5));

    expect(await store.unitOfWork((tx) => tx.access.revokeKey('k1', later(3)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.access.revokeKey('k1', later(4)))).toBe(false);
    expect((await repo.keyById('k1'))?.revokedAt).toBe(later(3));
    expect((await repo.listKeys()).map((k) => k.id)).toEqual(['k0', 'k2']);
    expect((await repo.listKeys({ includeRevoked: true })).map((k) => k.id)).toEqual(['k1', 'k0', 'k2']);
  });

  it('keeps sessions (read-only flag as a boolean), touches, pages newest first and revokes once', async () => {
    const store = current();
    const repo = store.repos.access;
    const rows = [
      session(),
      session({ id: 's2', kind: 'view_as', onBehalfOf: 'u1', readOnly: true, createdAt: later(1), lastSeenAt: later(1), ip: '203.0.113.7', userAgent: 'vitest' }),
      session({ id: 's3', createdAt: later(1), lastSeenAt: later(1), expiresAt: later(2) }),
      session({ id: 's4', createdAt: later(2), lastSeenAt: later(2) }),
    ];
    await store.unitOfWork(async (tx) => {
      for (const s of rows) await tx.access.insertSession(s);
    });
    expect(await repo.sessionById('s1')).toEqual(rows[0]);
    expect(await repo.sessionById('s2')).toEqual(rows[1]);
    expect(await repo.sessionById('S1')).toBeNull();

    const page1 = await repo.listSessions({ limit: 2 });
    expect(page1.map((s) => s.id)).toEqual(['s4', 's3']);
    const last = page1[1];
    const before = last ? `${last.createdAt}|${last.id}` : '';
    expect((await repo.listSessions({ limit: 10, before })).map((s) => s.id)).toEqual(['s2', 's1']);
    expect((await repo.listSessions({ limit: 10, activeAt: later(3) })).map((s) => s.id)).toEqual(['s4', 's2', 's1']);

    await repo.touchSession({ id: 's1', lastSeenAt: NOW }, later(0.5)); // within the minute: nothing
    expect((await repo.sessionById('s1'))?.lastSeenAt).toBe(NOW);
    await repo.touchSession({ id: 's1', lastSeenAt: NOW }, later(5));
    expect((await repo.sessionById('s1'))?.lastSeenAt).toBe(later(5));
    await repo.touchSession({ id: 's1', lastSeenAt: NOW }, later(5.5)); // stale row in hand: the SQL guard holds
    expect((await repo.sessionById('s1'))?.lastSeenAt).toBe(later(5));

    expect(await store.unitOfWork((tx) => tx.access.revokeSession('s1', later(6)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.access.revokeSession('s1', later(7)))).toBe(false);
    expect((await repo.sessionById('s1'))?.revokedAt).toBe(later(6));
    expect((await repo.listSessions({ limit: 10, activeAt: later(3) })).map((s) => s.id)).toEqual(['s4', 's2']);
  });

  it('consumes a magic link exactly once, by its exact (case-sensitive) hash, and never a revoked one', async () => {
    const store = current();
    const repo = store.repos.access;
    await store.unitOfWork(async (tx) => {
      await tx.access.insertMagicLink(magic());
      await tx.access.insertMagicLink(magic({ tokenHash: 'cc33dd44', revokedAt: NOW, ip: null }));
    });
    expect(await repo.magicLink('aa11bb22')).toEqual(magic());
    expect(await repo.magicLink('AA11BB22')).toBeNull();
    expect(await repo.magicLink('aa11bb2')).toBeNull();
    expect(await store.unitOfWork((tx) => tx.access.consumeMagicLink('AA11BB22', later(1)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.access.consumeMagicLink('cc33dd44', later(1)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.access.consumeMagicLink('aa11bb22', later(1)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.access.consumeMagicLink('aa11bb22', later(2)))).toBe(false);
    expect((await repo.magicLink('aa11bb22'))?.usedAt).toBe(later(1));
    await expect(repo.consumeMagicLink('aa11bb22', later(3))).rejects.toThrow(/unitOfWork/);
  });

  it('lets exactly one of two racing units of work consume a link or revoke a session', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.access.insertMagicLink(magic());
      await tx.access.insertSession(session());
      await tx.access.insertKey(key());
    });
    const race = async (fn: () => Promise<boolean>): Promise<boolean[]> => Promise.all([fn(), fn(), fn()]);
    const consumed = await race(() => store.unitOfWork((tx) => tx.access.consumeMagicLink('aa11bb22', later(1))));
    expect(consumed.filter(Boolean)).toHaveLength(1);
    const revoked = await race(() => store.unitOfWork((tx) => tx.access.revokeSession('s1', later(1))));
    expect(revoked.filter(Boolean)).toHaveLength(1);
    const keys = await race(() => store.unitOfWork((tx) => tx.access.revokeKey('k1', later(1))));
    expect(keys.filter(Boolean)).toHaveLength(1);
  });

  it('keeps a consumed link unconsumed when its unit of work rolls back', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.access.insertMagicLink(magic()));
    await expect(store.unitOfWork(async (tx) => {
      expect(await tx.access.consumeMagicLink('aa11bb22', later(1))).toBe(true);
      throw new Error('sign-in failed after the consume');
    })).rejects.toThrow('sign-in failed');
    expect((await store.repos.access.magicLink('aa11bb22'))?.usedAt).toBeNull();
    expect(await store.unitOfWork((tx) => tx.access.consumeMagicLink('aa11bb22', later(2)))).toBe(true);
  });

  it("revokes everything of a contact or user at offboarding, counting each kind once", async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.access.insertSession(session());
      await tx.access.insertSession(session({ id: 's2', revokedAt: NOW })); // already revoked: not counted
      await tx.access.insertSession(session({ id: 's3', kind: 'view_as', onBehalfOf: 'u1', readOnly: true })); // minted by u1
      await tx.access.insertSession(session({ id: 's4', principalKind: 'user', principalId: 'u1' }));
      await tx.access.insertKey(key({ id: 'k1', ownerKind: 'contact', ownerId: 'c1', createdBy: 'user:u1' }));
      await tx.access.insertKey(key({ id: 'k2', ownerKind: 'user', ownerId: 'u1' }));
      await tx.access.insertKey(key({ id: 'k3', createdBy: 'user:u1' })); // a service key u1 made
      await tx.access.insertMagicLink(magic());
      await tx.access.insertMagicLink(magic({ tokenHash: 'used', usedAt: NOW }));
    });
    expect(await store.unitOfWork((tx) => tx.access.revokeAllFor('contact', 'c1', later(1)))).toEqual({ sessions: 2, keys: 1, magicLinks: 1 });
    expect((await store.repos.access.magicLink('used'))?.revokedAt).toBeNull(); // a used link stays as it was
    // The user: their own session, the view-as token they minted (already gone with the contact's), their own key and the service key they made.
    expect(await store.unitOfWork((tx) => tx.access.revokeAllFor('user', 'u1', later(2)))).toEqual({ sessions: 1, keys: 2, magicLinks: 0 });
    expect(await store.unitOfWork((tx) => tx.access.revokeAllFor('user', 'u1', later(3)))).toEqual({ sessions: 0, keys: 0, magicLinks: 0 });
    expect((await store.repos.access.sessionById('s4'))?.revokedAt).toBe(later(2));
    expect((await store.repos.access.keyById('k1'))?.revokedAt).toBe(later(1));
  });
});
