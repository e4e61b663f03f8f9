import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictResolver, RefusedError, applyLocalChange, type Engine } from '../../src/engine/index.ts';
import type { ConflictRow, SqliteStore } from '../../src/store/index.ts';
import { ledgerOf, newEngine, standardPolicy } from '../support/hub.ts';
import { candidateValues, clientValues, minute, rec, ref } from '../support/records.ts';
import { countRows, openTempStore, snapshot, type TempStore } from '../support/temp-store.ts';

const NOW = '2026-04-01T09:00:00.000Z';
const POLICY = standardPolicy();

let t: TempStore;
let store: SqliteStore;
let engine: Engine;
let resolver: ConflictResolver;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
  engine = newEngine(store, POLICY);
  resolver = new ConflictResolver(store, POLICY, () => NOW);
});
afterEach(() => t.dispose());

async function drainOutbox(): Promise<void> {
  await store.unitOfWork(async (tx) => {
    for (const row of await tx.outbox.list({ status: 'pending', limit: 1000 })) await tx.outbox.markDone(row.id, null, minute(0));
  });
}

/**
 * Client `c<n>` from the ATS (billing weekly), matched in payroll as `p<n>` where payroll, the
 * owner, set monthly; then the ATS sends biweekly: a conflict on billingFrequency from the ATS.
 */
async function conflictOn(n: number): Promise<{ canonicalId: string; conflict: ConflictRow }> {
  const c = `c${n}`;
  const p = `p${n}`;
  await engine.apply({ system: 'ats', entity: 'client', records: [rec(c, clientValues({ billingFrequency: 'weekly' }), { at: minute(1) })] });
  await engine.apply({ system: 'payroll', entity: 'client', records: [rec(p, {
    name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'monthly', city: 'Dayton',
  }, { at: minute(2), match: { links: [{ system: 'ats', externalId: c }] } })] });
  await engine.apply({ system: 'ats', entity: 'client', records: [rec(c, clientValues({ billingFrequency: 'biweekly' }), { at: minute(3) })] });
  await drainOutbox();
  const link = await store.repos.links.get('ats', 'client', c);
  const canonicalId = link?.canonicalId ?? '';
  const [conflict] = await store.repos.conflicts.openFor('client', canonicalId);
  if (!conflict) throw new Error('set-up opened no conflict');
  return { canonicalId, conflict };
}

const billing = async (id: string) => (await store.repos.canonical.get('client', id))?.fields['billingFrequency'];
const pendingFor = (system: string) => store.repos.outbox.list({ system, status: 'pending', limit: 10 });

describe('ConflictResolver', () => {
  it('set-up: the conflict holds base, current and incoming', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    expect(conflict).toMatchObject({ field: 'billingFrequency', system: 'ats', base: 'weekly', current: 'monthly', incoming: 'biweekly', status: 'open' });
    expect(await billing(canonicalId)).toBe('monthly');
  });

  it('takes the incoming value: canonical changes, the ledger says who and why, only the loser (the owner) is told', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    const out = await resolver.resolve(conflict.id, { choice: 'incoming', by: 'dana@ops', reason: 'client emailed' });
    expect(out).toMatchObject({ conflictId: conflict.id, ok: true, value: 'biweekly' });
    expect(await billing(canonicalId)).toBe('biweekly');
    expect((await ledgerOf(store)).at(-1)).toMatchObject({
      direction: 'local', system: 'portal', action: 'resolve', outcome: 'applied', actor: 'dana@ops', canonicalId,
      reason: `resolved conflict ${conflict.id} (incoming): client emailed`,
      diff: [{ field: 'billingFrequency', from: 'monthly', to: 'biweekly', result: 'applied' }],
    });
    expect(await pendingFor('payroll')).toEqual([expect.objectContaining({ op: 'update', fields: ['billingFrequency'] })]);
    expect(await pendingFor('ats')).toEqual([]);
    expect(out.outboxIds).toEqual((await pendingFor('payroll')).map((r) => r.id));
    expect(await store.repos.conflicts.get(conflict.id)).toMatchObject({
      status: 'resolved', resolution: 'incoming', resolvedValue: 'biweekly', resolvedBy: 'dana@ops', resolutionReason: 'client emailed', resolvedAt: NOW,
    });
  });

  it('keeps the current value: canonical stays, the ledger still records the decision, the source that lost is told', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    const revision = (await store.repos.canonical.get('client', canonicalId))?.revision;
    const out = await resolver.resolve(conflict.id, { choice: 'current', by: 'dana@ops' });
    expect(out).toMatchObject({ ok: true, value: 'monthly' });
    expect((await store.repos.canonical.get('client', canonicalId))?.revision).toBe(revision);
    expect((await ledgerOf(store)).at(-1)).toMatchObject({
      action: 'resolve', actor: 'dana@ops', reason: `resolved conflict ${conflict.id} (current)`,
      diff: [{ field: 'billingFrequency', from: 'monthly', to: 'monthly', result: 'applied' }],
    });
    expect(await pendingFor('ats')).toEqual([expect.objectContaining({ op: 'update', fields: ['billingFrequency'] })]);
    expect(await pendingFor('payroll')).toEqual([]);
    expect(await store.repos.conflicts.get(conflict.id)).toMatchObject({ status: 'resolved', resolution: 'current', resolvedValue: 'monthly', resolutionReason: null });
  });

  it('sets a given value: both sides lost and both are told', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    const out = await resolver.resolve(conflict.id, { choice: 'value', value: 'semimonthly', by: 'dana@ops', reason: 'contract says so' });
    expect(out).toMatchObject({ ok: true, value: 'semimonthly' });
    expect(await billing(canonicalId)).toBe('semimonthly');
    expect((await pendingFor('ats')).map((r) => r.fields)).toEqual([['billingFrequency']]);
    expect((await pendingFor('payroll')).map((r) => r.fields)).toEqual([['billingFrequency']]);
    expect(out.outboxIds).toHaveLength(2);
  });

  it('does not tell a system that deleted the record', async () => {
    const { conflict } = await conflictOn(1);
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', {}, { at: minute(4), deleted: true })] });
    const out = await resolver.resolve(conflict.id, { choice: 'incoming', by: 'dana@ops' });
    expect(out.ok).toBe(true);
    expect(await pendingFor('payroll')).toEqual([]);
  });

  it('makes the losing value the source base: a repeat of it is stale, not a new conflict', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    await resolver.resolve(conflict.id, { choice: 'current', by: 'dana@ops' });
    await drainOutbox();
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'biweekly', city: 'Kent' }), { at: minute(9) })] });
    expect(s).toMatchObject({ updated: 1, conflicts: 0 });
    expect(await store.repos.conflicts.openFor('client', canonicalId)).toEqual([]);
    expect(await billing(canonicalId)).toBe('monthly');
    expect((await pendingFor('ats')).map((r) => r.fields)).toEqual([['billingFrequency']]);
  });

  it('refuses a conflict already resolved, naming who did it, and changes nothing', async () => {
    const { conflict } = await conflictOn(1);
    await resolver.resolve(conflict.id, { choice: 'incoming', by: 'dana@ops' });
    const before = snapshot(store);
    const again = await resolver.resolve(conflict.id, { choice: 'current', by: 'lee@ops' });
    expect(again).toEqual({ conflictId: conflict.id, ok: false, error: `conflict ${conflict.id} was already resolved by dana@ops at ${NOW}` });
    expect(snapshot(store)).toEqual(before);
  });

  it('refuses an unknown conflict, a value choice without a value, and a value the schema refuses', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    const before = snapshot(store);
    expect(await resolver.resolve('nope', { choice: 'incoming', by: 'dana@ops' })).toEqual({ conflictId: 'nope', ok: false, error: 'conflict nope not found' });
    expect(await resolver.resolve(conflict.id, { choice: 'value', by: 'dana@ops' })).toMatchObject({ ok: false, error: 'a value is required to resolve with a value' });
    const bad = await resolver.resolve(conflict.id, { choice: 'value', value: 'daily', by: 'dana@ops' });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^billingFrequency: /);
    expect(snapshot(store)).toEqual(before);
    expect(await store.repos.conflicts.openFor('client', canonicalId)).toHaveLength(1);
  });

  it('resolves in bulk, each on its own: one refusal does not undo the others', async () => {
    const a = await conflictOn(1);
    const b = await conflictOn(2);
    await resolver.resolve(b.conflict.id, { choice: 'current', by: 'lee@ops' });
    const c = await conflictOn(3);
    const outcomes = await resolver.resolveMany([a.conflict.id, b.conflict.id, 'nope', c.conflict.id], { choice: 'incoming', by: 'dana@ops', reason: 'bulk' });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, true]);
    expect(await billing(a.canonicalId)).toBe('biweekly');
    expect(await billing(b.canonicalId)).toBe('monthly');
    expect(await billing(c.canonicalId)).toBe('biweekly');
    expect(await store.repos.conflicts.countOpen()).toBe(0);
    expect((await ledgerOf(store)).filter((e) => e.action === 'resolve').map((e) => e.actor)).toEqual(['lee@ops', 'dana@ops', 'dana@ops']);
  });

  it('rolls back the whole resolution when a write fails inside it', async () => {
    const { conflict, canonicalId } = await conflictOn(1);
    const before = snapshot(store);
    // Resolving inside the caller's unit of work, which then fails: nothing of the resolution stays.
    await expect(
      store.unitOfWork(async (tx) => {
        await resolver.resolveIn(tx, conflict.id, { choice: 'incoming', by: 'dana@ops' });
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(snapshot(store)).toEqual(before);
    expect(await billing(canonicalId)).toBe('monthly');
  });
});

describe('applyLocalChange', () => {
  async function client(): Promise<string> {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues())] });
    await drainOutbox();
    return (await store.repos.links.get('ats', 'client', 'c1'))?.canonicalId ?? '';
  }
  const change = (canonicalId: string, changes: Record<string, string | number | null>, system?: string) =>
    store.unitOfWork((tx) => applyLocalChange(tx, POLICY, { entity: 'client', canonicalId, changes, actor: 'dana@ops', ...(system ? { system } : {}) }, NOW));

  it('refuses a portal change to a field another system owns, and writes nothing', async () => {
    const id = await client();
    const before = snapshot(store);
    const err = await change(id, { name: 'Harbor Freight Inc' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(err).toMatchObject({ code: 'refused', message: 'client.name is owned by ats; change it there' });
    expect(snapshot(store)).toEqual(before);
  });

  it('lets the portal change a shared field, and the owner system change its own field, with fan-out', async () => {
    const id = await client();
    const shared = await change(id, { phone: '555-0100' });
    expect(shared.changed).toEqual(['phone']);
    const owned = await change(id, { billingFrequency: 'monthly' }, 'payroll');
    expect(owned.changed).toEqual(['billingFrequency']);
    expect((await ledgerOf(store)).slice(-2).map((e) => [e.system, e.direction, e.action, e.actor])).toEqual([
      ['portal', 'local', 'update', 'dana@ops'], ['payroll', 'local', 'update', 'dana@ops'],
    ]);
    // The ATS carries both fields outward; payroll has no link yet and its create is done already.
    expect((await pendingFor('ats')).map((r) => r.fields)).toEqual([['billingFrequency', 'phone']]);
  });

  it('refuses an unknown field, a bad value, and a reference to nothing', async () => {
    const id = await client();
    await expect(change(id, { colour: 'red' })).rejects.toMatchObject({ code: 'invalid', message: 'client has no field colour' });
    await expect(change(id, { phone: 'x'.repeat(41) })).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.unitOfWork((tx) => applyLocalChange(tx, POLICY, {
      entity: 'worksite', changes: { clientId: 'nope', name: 'Dock', status: 'active' }, actor: 'dana@ops', system: 'ats',
    }, NOW))).rejects.toMatchObject({ code: 'invalid', message: 'clientId refers to client nope, which does not exist' });
    expect(countRows(store, 'worksites')).toBe(0);
  });

  it('moves a time entry along its status machine with history, and refuses an illegal move', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues())] });
    await engine.apply({ system: 'ats', entity: 'assignment', records: [rec('a1', {
      candidateId: ref('ats', 'k1'), requisitionId: null, worksiteId: null, approverContactId: null, title: null,
      startDate: '2026-11-02', endDate: null, status: 'active',
    })] });
    await engine.apply({ system: 'timeclock', entity: 'time_entry', records: [rec('t1', {
      assignmentId: ref('ats', 'a1'), workDate: '2026-11-16', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0,
      status: 'submitted', approvedById: null, approvedAt: null, note: null,
    })] });
    const id = (await store.repos.links.get('timeclock', 'time_entry', 't1'))?.canonicalId ?? '';
    const move = (status: string) => store.unitOfWork((tx) => applyLocalChange(tx, POLICY, {
      entity: 'time_entry', canonicalId: id, changes: { status }, actor: 'approver@client', system: 'timeclock', comment: 'looks right',
    }, NOW));
    await move('approved');
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ action: 'transition', actor: 'approver@client', reason: 'looks right' });
    await expect(move('draft')).rejects.toMatchObject({ code: 'refused', message: 'a approved time entry can only become exported or invoiced, not draft' });
    const history = store.db.prepare('SELECT from_status, to_status, actor, comment FROM time_entry_events ORDER BY rowid').all();
    expect(history).toEqual([
      { from_status: null, to_status: 'submitted', actor: 'timeclock', comment: null },
      { from_status: 'submitted', to_status: 'approved', actor: 'approver@client', comment: 'looks right' },
    ]);
  });
});

describe('conflicts the raising system settles itself', () => {
  it('closes the conflict when the system comes round to the current value, with a ledger row, changing nothing else', async () => {
    const { conflict, canonicalId } = await conflictOn(7);
    const revision = (await store.repos.canonical.get('client', canonicalId))?.revision;
    const ledgerBefore = (await ledgerOf(store)).length;
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c7', clientValues({ billingFrequency: 'monthly' }), { at: minute(4) })] });
    expect(s).toMatchObject({ conflicts: 0, created: 0, settled: 1 });
    expect(await store.repos.conflicts.get(conflict.id)).toMatchObject({
      status: 'resolved', resolution: 'current', resolvedValue: 'monthly', resolvedBy: 'system:ats',
      resolutionReason: `conflict ${conflict.id} on billingFrequency settled: ats now holds the current value`,
    });
    expect(await billing(canonicalId)).toBe('monthly');
    expect((await store.repos.canonical.get('client', canonicalId))?.revision).toBe(revision);
    const added = (await ledgerOf(store)).slice(ledgerBefore);
    expect(added.filter((e) => e.action === 'resolve')).toEqual([
      expect.objectContaining({ direction: 'in', system: 'ats', canonicalId, externalId: 'c7', outcome: 'applied', diff: null }),
    ]);
    expect(await store.repos.conflicts.openFor('client', canonicalId)).toEqual([]);
  });

  it('leaves it open while the system still disagrees, whatever else it changes, and when it goes back to its old value', async () => {
    const { conflict } = await conflictOn(8);
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c8', clientValues({ billingFrequency: 'biweekly', city: 'Akron' }), { at: minute(4) })] });
    expect(s.settled).toBe(0);
    expect((await store.repos.conflicts.get(conflict.id))?.status).toBe('open');
    // Back to the base value: the system is behind (the outbox tells it), the question stays for ops.
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c8', clientValues({ billingFrequency: 'weekly' }), { at: minute(5) })] });
    expect(await store.repos.conflicts.get(conflict.id)).toMatchObject({ status: 'open', incoming: 'biweekly' });
  });
});
