import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { countRows, later, NOW } from './support.ts';

/** The canonical rows a request points at (canonical writes are not this repository's). */
async function seed(store: Store): Promise<void> {
  await store.query.run("INSERT INTO clients (id, revision, created_at, updated_at, name, status) VALUES ('client-1', 1, ?, ?, 'Harbor', 'active')", [NOW, NOW]);
  await store.query.run(
    "INSERT INTO requisitions (id, revision, created_at, updated_at, client_id, title, status, employment_type, openings) VALUES ('req-1', 1, ?, ?, 'client-1', 'Forklift operator', 'open', 'temp', 2)",
    [NOW, NOW],
  );
}

const request = {
  id: 'rr-1', clientId: 'client-1', worksiteId: 'ws-1', requestedById: 'k1', status: 'draft' as const,
  fields: { title: 'Forklift "certified" operator', shift: 'nights, 22–06', openings: 2, billRateMinCents: 2_450 }, createdAt: NOW,
};

describeEachStore('requisition requests repository', (current) => {
  it('puts and replaces a client\'s request template', async () => {
    const store = current();
    await seed(store);
    expect(await store.repos.requisitionRequests.template('client-1')).toBeNull();
    const t = { clientId: 'client-1', required: ['position' as const, 'headcount' as const], requiresApproval: true, updatedAt: NOW, updatedBy: 'ops:a' };
    await store.unitOfWork((tx) => tx.requisitionRequests.putTemplate(t));
    expect(await store.repos.requisitionRequests.template('client-1')).toEqual(t);
    await store.unitOfWork((tx) => tx.requisitionRequests.putTemplate({ ...t, required: [], requiresApproval: false, updatedAt: later(1) }));
    expect(await store.repos.requisitionRequests.template('client-1')).toEqual({ ...t, required: [], requiresApproval: false, updatedAt: later(1) });
    expect(await store.repos.requisitionRequests.template('CLIENT-1')).toBeNull();
  });

  it('inserts a request with its JSON fields, revision 1 and no requisition', async () => {
    const store = current();
    await seed(store);
    await store.unitOfWork((tx) => tx.requisitionRequests.insert(request));
    expect(await store.repos.requisitionRequests.get('rr-1')).toEqual({ ...request, requisitionId: null, revision: 1, updatedAt: NOW });
    expect(await store.repos.requisitionRequests.get('RR-1')).toBeNull();
    await expect(store.repos.requisitionRequests.insert({ ...request, id: 'rr-2' })).rejects.toThrow(/inside store.unitOfWork/);
  });

  it('updates a draft\'s fields only while it is a draft', async () => {
    const store = current();
    await seed(store);
    await store.unitOfWork((tx) => tx.requisitionRequests.insert(request));
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.updateDraft('rr-1', { title: 'Picker' }, later(1)))).toBe(true);
    expect(await store.repos.requisitionRequests.get('rr-1')).toMatchObject({ fields: { title: 'Picker' }, revision: 2, updatedAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.move('rr-1', 'draft', 'submitted', later(2)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.updateDraft('rr-1', { title: 'Late' }, later(3)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.updateDraft('nope', { title: 'x' }, later(3)))).toBe(false);
    expect(await store.repos.requisitionRequests.get('rr-1')).toMatchObject({ fields: { title: 'Picker' }, status: 'submitted', revision: 3 });
  });

  it('moves by compare-and-set, setting the requisition once opened and keeping it after', async () => {
    const store = current();
    await seed(store);
    await store.unitOfWork((tx) => tx.requisitionRequests.insert({ ...request, status: 'submitted' }));
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.move('rr-1', 'draft', 'approved', later(1)))).toBe(false);
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.move('rr-1', 'submitted', 'open', later(1), 'req-1'))).toBe(true);
    expect(await store.repos.requisitionRequests.get('rr-1')).toMatchObject({ status: 'open', requisitionId: 'req-1', revision: 2, updatedAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.requisitionRequests.move('rr-1', 'open', 'filled', later(2)))).toBe(true);
    expect(await store.repos.requisitionRequests.get('rr-1')).toMatchObject({ status: 'filled', requisitionId: 'req-1', revision: 3 });
  });

  it('appends history and reads it in order, nulls intact', async () => {
    const store = current();
    await seed(store);
    const events = [
      { at: NOW, actor: 'contact:k1', fromStatus: null, toStatus: 'draft' as const, comment: null },
      { at: later(1), actor: 'contact:k1', fromStatus: 'draft' as const, toStatus: 'submitted' as const, comment: 'please' },
      // Same time as the one before: the append order decides.
      { at: later(1), actor: 'contact:k2', fromStatus: 'submitted' as const, toStatus: 'approved' as const, comment: null },
    ];
    await store.unitOfWork(async (tx) => {
      await tx.requisitionRequests.insert(request);
      for (const e of events) await tx.requisitionRequests.appendEvent('rr-1', e);
    });
    expect(await store.repos.requisitionRequests.history('rr-1')).toEqual(events);
    expect(await store.repos.requisitionRequests.history('rr-2')).toEqual([]);
  });

  it('rolls back a request and its history together', async () => {
    const store = current();
    await seed(store);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.requisitionRequests.insert(request);
        await tx.requisitionRequests.appendEvent('rr-1', { at: NOW, actor: 'contact:k1', fromStatus: null, toStatus: 'draft', comment: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await countRows(store, 'requisition_requests')).toBe(0);
    expect(await countRows(store, 'requisition_request_events')).toBe(0);
  });
});
