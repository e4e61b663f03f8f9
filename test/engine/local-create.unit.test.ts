import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLocalChange, RefusedError, type CreateRule, type SyncPolicy } from '../../src/engine/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { policy } from '../support/policy.ts';
import { countRows, openTempStore, type TempStore } from '../support/temp-store.ts';

/**
 * A record created in the hub may carry values for fields another system owns when that owner is
 * told of it as a create (its mapping carries the field out and its create rule takes the record):
 * how a portal requisition reaches the ATS that owns it. Every later change of those fields still
 * goes through ownership.
 */

const NOW = '2026-04-01T09:00:00.000Z';
let t: TempStore;
let store: SqliteStore;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
});
afterEach(() => t.dispose());

/** Clients owned by the ATS; the ATS hears of `carried` fields and creates by `create`. */
function atsOwns(create: CreateRule, carried: readonly string[] = ['name', 'status', 'city']): SyncPolicy {
  return policy()
    .in('ats', 'client', { fields: { name: 'ats', status: 'ats', city: 'ats', phone: 'shared' } })
    .out('client', 'ats', carried, create)
    .build();
}

const create = (p: SyncPolicy, changes: Record<string, string | null>) =>
  store.unitOfWork((tx) => applyLocalChange(tx, p, { entity: 'client', changes: { billingFrequency: 'weekly', ...changes }, actor: 'contact:c1' }, NOW));

describe('a local create of fields another system owns', () => {
  it('is taken when the owner will be sent the create, and queues exactly that create', async () => {
    const result = await create(atsOwns({ kind: 'always' }), { name: 'Harbor Freight Lines', status: 'active', city: 'Dayton', phone: '555-0100' });
    expect(result.changed).toEqual(expect.arrayContaining(['name', 'status', 'city', 'phone']));
    const rows = await store.repos.outbox.list({ status: 'pending', limit: 10 });
    expect(rows.map((r) => [r.system, r.op, r.canonicalId])).toEqual([['ats', 'create', result.canonicalId]]);
  });

  it('follows a `when` create rule: only records the owner would be sent', async () => {
    const p = atsOwns({ kind: 'when', when: { status: ['active'] } });
    await expect(create(p, { name: 'Harbor Freight Lines', status: 'prospect' })).rejects.toThrow('client.name is owned by ats; change it there');
    await expect(create(p, { name: 'Harbor Freight Lines', status: 'active' })).resolves.toMatchObject({ outboxIds: [expect.any(String)] });
  });

  it('is refused when the owner never gets creates, or does not carry the field out, and writes nothing', async () => {
    await expect(create(atsOwns({ kind: 'never' }), { name: 'Harbor Freight Lines', status: 'active' })).rejects.toBeInstanceOf(RefusedError);
    await expect(create(atsOwns({ kind: 'always' }, ['name', 'status']), { name: 'Harbor Freight Lines', status: 'active', city: 'Dayton' }))
      .rejects.toThrow('client.city is owned by ats; change it there');
    expect(countRows(store, 'clients')).toBe(0);
    expect(countRows(store, 'outbox')).toBe(0);
  });

  it('does not open later edits: an owned field of an existing record is still the owner\'s', async () => {
    const p = atsOwns({ kind: 'always' });
    const { canonicalId } = await create(p, { name: 'Harbor Freight Lines', status: 'active' });
    const edit = (changes: Record<string, string>) =>
      store.unitOfWork((tx) => applyLocalChange(tx, p, { entity: 'client', canonicalId, changes, actor: 'contact:c1' }, NOW));
    await expect(edit({ name: 'Harbor Freight Inc' })).rejects.toThrow('client.name is owned by ats; change it there');
    await expect(edit({ phone: '555-0199' })).resolves.toMatchObject({ changed: ['phone'] });
  });
});
