import { expect, it } from 'vitest';
import type { IdentityEvidence } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const evidence = (value: string): IdentityEvidence => ({
  keys: [{ key: 'email', strength: 'strong', value, matches: ['contact-1', 'contact-2'] }],
  candidates: [{ canonicalId: 'contact-1', matched: ['email'], differs: [{ key: 'phone', incoming: '555', current: null }] }],
});
const open = (id: string, externalId: string, over: Partial<{ system: string; reason: string; evidence: IdentityEvidence }> = {}) => ({
  id, system: 'ats', entity: 'contact' as const, externalId, reason: 'two candidates', evidence: evidence(`${externalId}@x.example`), ...over,
});

describeEachStore('identity review repository', (current) => {
  it('opens questions in one batch, with the evidence as JSON, and reads them', async () => {
    const store = current();
    const repo = store.repos.identity;
    await store.unitOfWork((tx) => tx.identity.openMany([open('r1', 'e1'), open('r2', 'e2', { system: 'payroll' })], NOW));
    expect(await repo.get('r1')).toEqual({
      id: 'r1', system: 'ats', entity: 'contact', externalId: 'e1', status: 'open', reason: 'two candidates', evidence: evidence('e1@x.example'),
      openedAt: NOW, updatedAt: NOW, decidedAt: null, decidedBy: null, canonicalId: null,
    });
    expect((await repo.byRecord('payroll', 'contact', 'e2'))?.id).toBe('r2');
    expect(await repo.byRecord('ats', 'contact', 'E1')).toBeNull();
    expect(await repo.get('R1')).toBeNull();
    expect(await repo.countOpen()).toBe(2);
    await store.unitOfWork((tx) => tx.identity.openMany([], NOW));
    await expect(repo.openMany([open('r3', 'e3')], NOW)).rejects.toThrow(/unitOfWork/);
  });

  it('re-opens a question with fresh evidence, keeping its id, and its opening time while it stays open', async () => {
    const store = current();
    const repo = store.repos.identity;
    await store.unitOfWork((tx) => tx.identity.openMany([open('r1', 'e1')], NOW));
    await store.unitOfWork((tx) => tx.identity.openMany([open('r9', 'e1', { reason: 'weak key only', evidence: evidence('new@x.example') })], later(1)));
    expect(await repo.get('r9')).toBeNull();
    expect(await repo.get('r1')).toMatchObject({ status: 'open', reason: 'weak key only', evidence: evidence('new@x.example'), openedAt: NOW, updatedAt: later(1) });
    await store.unitOfWork((tx) => tx.identity.record('r1', 'split', 'contact-9', 'user:u1', later(2)));
    expect(await repo.get('r1')).toMatchObject({ status: 'split', canonicalId: 'contact-9', decidedBy: 'user:u1', decidedAt: later(2), updatedAt: later(2) });
    expect(await repo.countOpen()).toBe(0);
    // Parked again after an answer: open anew, with a fresh opening time, the answer cleared.
    await store.unitOfWork((tx) => tx.identity.openMany([open('r8', 'e1')], later(3)));
    expect(await repo.get('r1')).toMatchObject({ status: 'open', openedAt: later(3), decidedAt: null, decidedBy: null, canonicalId: null });
  });

  it('merges a record named twice in one batch as one-by-one upserts would', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.identity.openMany([open('r1', 'e1'), open('r2', 'e1', { reason: 'second look' }), open('r3', 'e3')], NOW));
    expect(await store.repos.identity.get('r2')).toBeNull();
    expect(await store.repos.identity.get('r1')).toMatchObject({ externalId: 'e1', reason: 'second look' });
    expect(await store.repos.identity.countOpen()).toBe(2);
  });

  it('closes open questions as linked in one batch, leaving answered and unknown ones alone', async () => {
    const store = current();
    const repo = store.repos.identity;
    await store.unitOfWork(async (tx) => {
      await tx.identity.openMany([open('r1', 'e1'), open('r2', 'e2'), open('r3', 'e3')], NOW);
      await tx.identity.record('r3', 'split', 'contact-3', 'user:u1', NOW);
    });
    await store.unitOfWork((tx) => tx.identity.closeMany([
      { system: 'ats', entity: 'contact', externalId: 'e1', canonicalId: 'contact-1' },
      { system: 'ats', entity: 'contact', externalId: 'e1', canonicalId: 'contact-7' }, // named twice: the first wins
      { system: 'ats', entity: 'contact', externalId: 'e3', canonicalId: 'contact-1' }, // answered already
      { system: 'ats', entity: 'contact', externalId: 'E2', canonicalId: 'contact-1' }, // no such record
    ], 'system:ats', later(1)));
    expect(await repo.get('r1')).toMatchObject({ status: 'linked', canonicalId: 'contact-1', decidedBy: 'system:ats', decidedAt: later(1), updatedAt: later(1) });
    expect(await repo.get('r2')).toMatchObject({ status: 'open', canonicalId: null, updatedAt: NOW });
    expect(await repo.get('r3')).toMatchObject({ status: 'split', canonicalId: 'contact-3', decidedBy: 'user:u1' });
    await store.unitOfWork((tx) => tx.identity.closeMany([], 'system:ats', later(2)));
  });

  it('lists by filter in id order with keyset paging', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.identity.openMany([open('r1', 'e1'), open('r2', 'e2', { system: 'payroll' }), open('r3', 'e3'), open('r4', 'e4')], NOW);
      await tx.identity.record('r3', 'linked', 'contact-1', 'user:u1', NOW);
    });
    const ids = async (q: Parameters<typeof store.repos.identity.list>[0]): Promise<string[]> => (await store.repos.identity.list(q)).map((r) => r.id);
    expect(await ids({ limit: 10 })).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(await ids({ limit: 10, status: 'open' })).toEqual(['r1', 'r2', 'r4']);
    expect(await ids({ limit: 10, system: 'ats', status: 'open' })).toEqual(['r1', 'r4']);
    expect(await ids({ limit: 10, entity: 'client' })).toEqual([]);
    expect(await ids({ limit: 2 })).toEqual(['r1', 'r2']);
    expect(await ids({ limit: 2, after: 'r2' })).toEqual(['r3', 'r4']);
  });
});
