import { expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { countRows, later, NOW } from './support.ts';

const event = (id: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  id, at: NOW, actorType: 'user', actorId: 'u1', onBehalfOf: null, action: 'key.create', targetType: 'api_key', targetId: 'k1',
  outcome: 'success', reason: null, credential: 'session:s1', ip: '203.0.113.7', userAgent: 'vitest', requestId: 'req-1', ...over,
});

describeEachStore('audit repository', (current) => {
  it('appends one event or many (in order, nulls intact) and lists newest first by seq', async () => {
    const store = current();
    await store.repos.audit.append([event('a')]); // outside a unit of work: its own statement
    await store.repos.audit.append([
      event('b', { actorType: 'anonymous', actorId: null, credential: null, ip: null, userAgent: null, requestId: null, outcome: 'failure', reason: 'API key revoked' }),
      event('c', { action: 'session.sign_in', targetType: null, targetId: null }),
      event('d', { at: later(1), onBehalfOf: 'u9' }),
    ]);
    await store.repos.audit.append([]);
    const all = await store.repos.audit.list({ limit: 10 });
    expect(all.map((e) => e.id)).toEqual(['d', 'c', 'b', 'a']);
    const seqs = all.map((e) => e.seq ?? 0);
    expect([...seqs].sort((x, y) => y - x)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
    const { seq: _seq, ...b } = all[2] ?? event('missing');
    expect(b).toEqual(event('b', { actorType: 'anonymous', actorId: null, credential: null, ip: null, userAgent: null, requestId: null, outcome: 'failure', reason: 'API key revoked' }));
    expect(typeof all[0]?.seq).toBe('number');
  });

  it('filters by every field, time window and keyset page', async () => {
    const store = current();
    await store.repos.audit.append([
      event('a'),
      event('b', { actorType: 'contact', actorId: 'c1', action: 'time_entry.approve', targetType: 'time_entry', targetId: 't1', outcome: 'denied', at: later(1) }),
      event('c', { actorId: 'U1', at: later(2) }),
    ]);
    const ids = async (q: Parameters<typeof store.repos.audit.list>[0]): Promise<string[]> => (await store.repos.audit.list(q)).map((e) => e.id);
    expect(await ids({ limit: 10, actorType: 'contact' })).toEqual(['b']);
    expect(await ids({ limit: 10, actorId: 'u1' })).toEqual(['a']); // exact, case-sensitive
    expect(await ids({ limit: 10, action: 'key.create' })).toEqual(['c', 'a']);
    expect(await ids({ limit: 10, targetType: 'time_entry', targetId: 't1' })).toEqual(['b']);
    expect(await ids({ limit: 10, outcome: 'denied' })).toEqual(['b']);
    expect(await ids({ limit: 10, since: later(1) })).toEqual(['c', 'b']);
    expect(await ids({ limit: 10, until: later(1) })).toEqual(['a']);
    const [newest] = await store.repos.audit.list({ limit: 1 });
    expect(newest?.id).toBe('c');
    expect(await ids({ limit: 1, beforeSeq: newest?.seq ?? 0 })).toEqual(['b']);
    expect(await ids({ limit: 0 })).toEqual([]);
  });

  it('appends inside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.unitOfWork(async (tx) => {
      await tx.audit.append([event('a'), event('b')]);
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect(await countRows(store, 'audit_log')).toBe(0);
    await store.unitOfWork((tx) => tx.audit.append([event('a')]));
    expect(await countRows(store, 'audit_log')).toBe(1);
  });

  it('purges before a time inside a unit of work only, and refuses any rewrite (append-only)', async () => {
    const store = current();
    await store.repos.audit.append([event('old', { at: '2025-01-01T00:00:00.000Z' }), event('new')]);
    await expect(store.repos.audit.purgeBefore(NOW)).rejects.toThrow(/unitOfWork/);
    expect(await store.unitOfWork((tx) => tx.audit.purgeBefore(NOW))).toBe(1);
    expect(await store.unitOfWork((tx) => tx.audit.purgeBefore(NOW))).toBe(0);
    expect((await store.repos.audit.list({ limit: 10 })).map((e) => e.id)).toEqual(['new']);
    await expect(store.unitOfWork(async () => {
      await store.query.run("UPDATE audit_log SET outcome = 'failure'");
    })).rejects.toThrow(/append-only/);
    await expect(store.query.run("UPDATE audit_log SET reason = 'x'")).rejects.toThrow(/append-only/); // outside a unit of work too
    expect((await store.repos.audit.list({ limit: 1 }))[0]?.outcome).toBe('success');
  });
});
