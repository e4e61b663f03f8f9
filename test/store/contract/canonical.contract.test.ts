import { expect, it } from 'vitest';
import type { CanonicalWrite, Store } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { CLIENT, later, NOW } from './support.ts';

const client = (id: string, over: Record<string, string | null> = {}): CanonicalWrite => ({ id, fields: { ...CLIENT, ...over }, changedAt: NOW });

async function seedClients(store: Store, rows: CanonicalWrite[]): Promise<void> {
  await store.unitOfWork((tx) => tx.canonical.insertMany('client', rows, NOW));
}

describeEachStore('canonical repository', (current) => {
  it('inserts a batch and reads every field back, nulls intact; ids compare case-sensitively', async () => {
    const store = current();
    await seedClients(store, [client('c-1'), client('c-2', { phone: '+1 (555) 010-0100', website: null })]);
    const one = await store.repos.canonical.get('client', 'c-1');
    expect(one).toEqual({ id: 'c-1', revision: 1, createdAt: NOW, updatedAt: NOW, changedAt: NOW, deletedAt: null, fields: CLIENT });
    expect(await store.repos.canonical.get('client', 'C-1')).toBeNull();
    const many = await store.repos.canonical.getMany('client', ['c-1', 'c-2', 'nope']);
    expect([...many.keys()].sort()).toEqual(['c-1', 'c-2']);
    expect(many.get('c-2')?.fields['phone']).toBe('+1 (555) 010-0100');
    expect(await store.repos.canonical.getMany('client', [])).toEqual(new Map());
    expect([...(await store.repos.canonical.exists('client', ['c-2', 'x']))]).toEqual(['c-2']);
    expect(await store.repos.canonical.exists('client', [])).toEqual(new Set());
  });

  it('keeps integer and real columns as numbers through a batch insert and update', async () => {
    const store = current();
    await seedClients(store, [client('c-1')]);
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('invoice', [{ id: 'inv-1', changedAt: null, fields: { clientId: 'c-1', number: 'INV-1', issueDate: '2026-03-01', dueDate: null, periodStart: null, periodEnd: null, status: 'draft', totalCents: 123456, currency: 'USD' } }], NOW);
      await tx.canonical.insertMany('invoice_line', [{ id: 'line-1', changedAt: null, fields: { invoiceId: 'inv-1', assignmentId: null, timeEntryId: null, kind: 'fee', description: 'x', quantity: 7.5, rateCents: 2000, amountCents: 15000 } }], NOW);
    });
    const line = await store.repos.canonical.get('invoice_line', 'line-1');
    expect(line?.fields).toMatchObject({ quantity: 7.5, rateCents: 2000, amountCents: 15000, assignmentId: null });
    expect((await store.repos.canonical.get('invoice', 'inv-1'))?.fields['totalCents']).toBe(123456);
    await store.unitOfWork((tx) => tx.canonical.updateMany('invoice_line', [{ id: 'line-1', changedAt: later(1), fields: { ...(line?.fields ?? {}), quantity: 8, rateCents: 2100 } }], later(1)));
    expect((await store.repos.canonical.get('invoice_line', 'line-1'))?.fields).toMatchObject({ quantity: 8, rateCents: 2100 });
  });

  it('updates the full field set, bumps the revision once per write (a row listed twice is written twice, in order)', async () => {
    const store = current();
    await seedClients(store, [client('c-1'), client('c-2')]);
    await store.unitOfWork((tx) =>
      tx.canonical.updateMany('client', [
        client('c-1', { name: 'First' }),
        { ...client('c-2', { city: null }), changedAt: later(2) },
        client('c-1', { name: 'Second' }),
      ], later(3)),
    );
    const c1 = await store.repos.canonical.get('client', 'c-1');
    expect(c1).toMatchObject({ revision: 3, updatedAt: later(3), createdAt: NOW, fields: { ...CLIENT, name: 'Second' } });
    expect(await store.repos.canonical.get('client', 'c-2')).toMatchObject({ revision: 2, changedAt: later(2), fields: { city: null } });
    await store.unitOfWork((tx) => tx.canonical.updateMany('client', [], later(4)));
  });

  it('writes more rows than one batch statement holds', async () => {
    const store = current();
    const rows = Array.from({ length: 2_345 }, (_, i) => client(`c-${String(i).padStart(5, '0')}`));
    await seedClients(store, rows);
    expect(await store.repos.canonical.count('client')).toBe(2_345);
    await store.unitOfWork((tx) => tx.canonical.updateMany('client', rows.map((r) => ({ ...r, fields: { ...r.fields, city: 'Akron' } })), later(1)));
    const page = await store.repos.canonical.list('client', { where: { city: 'Akron' }, limit: 5_000 });
    expect(page).toHaveLength(2_345);
    expect(page.every((r) => r.revision === 2)).toBe(true);
  });

  it('soft-deletes and restores, counting only rows that changed', async () => {
    const store = current();
    await seedClients(store, [client('c-1'), client('c-2')]);
    expect(await store.unitOfWork((tx) => tx.canonical.setDeleted('client', ['c-1', 'zz'], later(1), later(1)))).toBe(1);
    expect(await store.unitOfWork((tx) => tx.canonical.setDeleted('client', ['c-1'], later(2), later(2)))).toBe(0);
    expect(await store.unitOfWork((tx) => tx.canonical.setDeleted('client', [], later(2), later(2)))).toBe(0);
    expect(await store.repos.canonical.get('client', 'c-1')).toMatchObject({ deletedAt: later(1), revision: 2 });
    expect(await store.repos.canonical.count('client')).toBe(1);
    expect(await store.repos.canonical.count('client', true)).toBe(2);
    expect(await store.unitOfWork((tx) => tx.canonical.setDeleted('client', ['c-1', 'c-2'], null, later(3)))).toBe(1);
    expect(await store.repos.canonical.count('client')).toBe(2);
  });

  it('lists with equality and null filters, a scope, deleted rows on request, and keyset pages in id order', async () => {
    const store = current();
    await seedClients(store, [client('c-3', { city: 'Akron' }), client('c-1'), client('c-2', { city: null }), client('c-4', { status: 'inactive' })]);
    await store.unitOfWork((tx) => tx.canonical.setDeleted('client', ['c-3'], later(1), later(1)));
    const ids = async (q: Parameters<Store['repos']['canonical']['list']>[1]) => (await store.repos.canonical.list('client', q)).map((r) => r.id);
    expect(await ids({ limit: 10 })).toEqual(['c-1', 'c-2', 'c-4']);
    expect(await ids({ limit: 10, includeDeleted: true })).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
    expect(await ids({ limit: 2 })).toEqual(['c-1', 'c-2']);
    expect(await ids({ limit: 2, after: 'c-2' })).toEqual(['c-4']);
    expect(await ids({ limit: 10, where: { city: null } })).toEqual(['c-2']);
    expect(await ids({ limit: 10, where: { city: 'Dayton', status: 'active' } })).toEqual(['c-1']);
    expect(await ids({ limit: 10, where: { city: 'dayton' } })).toEqual([]);
    expect(await ids({ limit: 10, scope: { sql: 'status = ?', params: ['inactive'] } })).toEqual(['c-4']);
    await expect(store.repos.canonical.list('client', { limit: 1, where: { nope: 1 } })).rejects.toThrow(/no field nope/);
  });

  it('answers a scoped read only inside the scope', async () => {
    const store = current();
    await seedClients(store, [client('c-1')]);
    expect((await store.repos.canonical.getScoped('client', 'c-1', { sql: 'city = ?', params: ['Dayton'] }))?.id).toBe('c-1');
    expect(await store.repos.canonical.getScoped('client', 'c-1', { sql: 'city = ?', params: ['Akron'] })).toBeNull();
    expect((await store.repos.canonical.getScoped('client', 'c-1', undefined))?.id).toBe('c-1');
  });

  it('finds ids by email (lower-cased, deleted rows never) and by natural keys as the model normalises them', async () => {
    const store = current();
    await seedClients(store, [client('c-1'), client('c-2', { phone: '+1 (555) 010-0100', addressLine1: '12 Main St.' })]);
    const contact = (id: string, email: string | null, phone: string | null) => ({
      id, changedAt: NOW, fields: { clientId: 'c-1', firstName: 'A', lastName: 'B', email, phone, title: null, status: 'active' },
    });
    await store.unitOfWork((tx) => tx.canonical.insertMany('contact', [contact('p-1', 'Ana@X.com', '555-0100'), contact('p-2', 'ana@x.com', null), contact('p-3', 'bo@x.com', '(555) 010.0100 ')], NOW));
    await store.unitOfWork((tx) => tx.canonical.setDeleted('contact', ['p-2'], later(1), later(1)));
    const byEmail = await store.repos.canonical.idsByEmail('contact', 'email', ['ana@x.com', 'none@x.com']);
    expect([...byEmail.entries()]).toEqual([['ana@x.com', ['p-1']]]);
    expect(await store.repos.canonical.idsByEmail('contact', 'email', [])).toEqual(new Map());
    await expect(store.repos.canonical.idsByEmail('contact', 'nope', ['a'])).rejects.toThrow(/no field/);

    // Phone: digits only, the last ten of them (and a short number whole).
    const byPhone = await store.repos.canonical.idsByKey('client', [{ field: 'phone', norm: 'phone' }], ['["5550100100"]']);
    expect([...byPhone.entries()]).toEqual([['["5550100100"]', ['c-2']]]);
    const short = await store.repos.canonical.idsByKey('contact', [{ field: 'phone', norm: 'phone' }], ['["5550100"]', '["5550100100"]']);
    expect(short.get('["5550100"]')).toEqual(['p-1']);
    expect(short.get('["5550100100"]')).toEqual(['p-3']);
    // Two parts: exact (case-sensitive) and text (case, dots, commas ignored).
    const worksite = { id: 'w-1', changedAt: NOW, fields: { clientId: 'c-1', name: 'Plant', status: 'active', addressLine1: ' 12 Main St., Suite  4', city: null, state: null, postalCode: null, timeZone: null } };
    await store.unitOfWork((tx) => tx.canonical.insertMany('worksite', [worksite], NOW));
    const parts = [{ field: 'clientId', norm: 'exact' as const }, { field: 'addressLine1', norm: 'text' as const }];
    const byKey = await store.repos.canonical.idsByKey('worksite', parts, ['["c-1","12 main st suite 4"]', '["C-1","12 main st suite 4"]']);
    expect([...byKey.entries()]).toEqual([['["c-1","12 main st suite 4"]', ['w-1']]]);
    expect(await store.repos.canonical.idsByKey('worksite', parts, [])).toEqual(new Map());
    expect(await store.repos.canonical.idsByKey('worksite', [], ['[]'])).toEqual(new Map());
  });

  it('refuses writes outside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.repos.canonical.insertMany('client', [client('c-1')], NOW)).rejects.toThrow(/unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany('client', [client('c-1')], NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.canonical.count('client', true)).toBe(0);
    await seedClients(store, [client('c-1')]);
    await expect(seedClients(store, [client('c-2'), client('c-1')])).rejects.toThrow(/unique|primary/i);
    expect(await store.repos.canonical.count('client')).toBe(1);
  });
});
