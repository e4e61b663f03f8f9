import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, applyLocalChange, emptySummary, type ApplySummary, type Engine } from '../../src/engine/index.ts';
import { entityFields } from '../../src/model/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { ledgerOf, newEngine, standardPolicy } from '../support/hub.ts';
import { allFields, policy } from '../support/policy.ts';
import { candidateValues, clientValues, minute, rec, ref } from '../support/records.ts';
import { countRows, logicalSnapshot, openTempStore, snapshot, type TempStore } from '../support/temp-store.ts';

let t: TempStore;
let store: SqliteStore;
let engine: Engine;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
  engine = newEngine(store);
});
afterEach(() => t.dispose());

const summary = (over: Partial<ApplySummary>): ApplySummary => ({ ...emptySummary(), ...over });

async function canonicalIdOf(system: string, entity: Parameters<SqliteStore['repos']['links']['get']>[1], externalId: string): Promise<string> {
  const link = await store.repos.links.get(system, entity, externalId);
  if (!link?.canonicalId) throw new Error(`${system} ${entity} ${externalId} is not linked`);
  return link.canonicalId;
}

async function clientOf(system: string, externalId: string) {
  const row = await store.repos.canonical.get('client', await canonicalIdOf(system, 'client', externalId));
  if (!row) throw new Error('missing client');
  return row;
}

/** Marks every pending push done, as if the push jobs had run. */
async function drainOutbox(at = minute(0)): Promise<void> {
  await store.unitOfWork(async (tx) => {
    for (const row of await tx.outbox.list({ status: 'pending', limit: 1000 })) await tx.outbox.markDone(row.id, null, at);
  });
}

const PAYROLL_CLIENT = (over: Record<string, string | null> = {}) => ({
  name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly', city: 'Dayton', ...over,
});

describe('apply: create, update, unchanged', () => {
  it('creates canonical rows, links with their base, and an applied ledger row per record', async () => {
    const s = await engine.apply({ system: 'ats', entity: 'client', runId: 'run-1', jobId: 'job-1', records: [
      rec('c1', clientValues(), { at: minute(1) }),
      rec('c2', clientValues({ name: 'Birch Logistics', phone: '555-0100' }), { at: minute(2) }),
    ] });
    expect(s).toEqual(summary({ created: 2 }));
    expect(countRows(store, 'clients')).toBe(2);
    const c2 = await clientOf('ats', 'c2');
    expect(c2.fields).toEqual(clientValues({ name: 'Birch Logistics', phone: '555-0100' }));
    expect(c2.revision).toBe(1);
    expect(c2.changedAt).toBe(minute(2));
    const link = await store.repos.links.get('ats', 'client', 'c2');
    expect(link).toMatchObject({ state: 'linked', base: clientValues({ name: 'Birch Logistics', phone: '555-0100' }), sourceModifiedAt: minute(2), tombstonedAt: null });
    const ledger = await ledgerOf(store);
    expect(ledger).toHaveLength(2);
    expect(ledger[1]).toMatchObject({
      direction: 'in', system: 'ats', entity: 'client', canonicalId: c2.id, externalId: 'c2', action: 'create', outcome: 'applied',
      sourceModifiedAt: minute(2), runId: 'run-1', jobId: 'job-1', actor: 'ats', reason: null,
    });
    expect(ledger[1]?.diff).toContainEqual({ field: 'name', from: null, to: 'Birch Logistics', result: 'applied' });
    expect(ledger[1]?.diff?.some((d) => d.field === 'website')).toBe(false);
  });

  it('updates only what changed, bumps the revision, moves the base and logs the field diff', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ city: 'Toledo' }), { at: minute(2) })] });
    expect(s).toEqual(summary({ updated: 1 }));
    const row = await clientOf('ats', 'c1');
    expect(row.revision).toBe(2);
    expect(row.fields['city']).toBe('Toledo');
    expect(row.changedAt).toBe(minute(2));
    expect((await store.repos.links.get('ats', 'client', 'c1'))?.base?.['city']).toBe('Toledo');
    const ledger = await ledgerOf(store);
    expect(ledger[1]).toMatchObject({ action: 'update', outcome: 'applied', diff: [{ field: 'city', from: 'Dayton', to: 'Toledo', result: 'applied' }], sourceModifiedAt: minute(2) });
  });

  it('costs no writes for an unchanged batch: no ledger row, link and canonical rows untouched', async () => {
    const batch = { system: 'ats', entity: 'client' as const, records: [rec('c1', clientValues(), { at: minute(1) }), rec('c2', clientValues({ name: 'Birch' }), { at: minute(1) })] };
    await engine.apply(batch);
    const before = snapshot(store);
    const s = await engine.apply(batch);
    expect(s).toEqual(summary({ unchanged: 2 }));
    expect(snapshot(store)).toEqual(before);
    expect(countRows(store, 'ledger')).toBe(2);
  });

  it('hash guard: the same values with a newer source time cost no writes either', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const before = snapshot(store);
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(9) })] });
    expect(s).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
  });

  it('hash guard: the same values in another key order cost no writes', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const before = snapshot(store);
    const reversed = Object.fromEntries(Object.entries(clientValues()).reverse());
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', reversed, { at: minute(2) })] });
    expect(s).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
  });

  it('hash guard: a record identical to the last one received is skipped even when canonical moved on since', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const id = await canonicalIdOf('ats', 'client', 'c1');
    // A portal change to a shared field fans out on its own; the repeat from the ATS is not news.
    await store.unitOfWork((tx) => applyLocalChange(tx, standardPolicy(), { entity: 'client', canonicalId: id, changes: { phone: '555-0199' }, actor: 'ops@firm' }, minute(2)));
    const before = snapshot(store);
    expect(await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] })).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
  });

  it('ignores a record older than what was applied, even when its values differ', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ city: 'Toledo' }), { at: minute(5) })] });
    const before = snapshot(store);
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ city: 'Akron' }), { at: minute(4) })] });
    expect(s).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
    expect((await clientOf('ats', 'c1')).fields['city']).toBe('Toledo');
  });

  it('applies a record with no source time (the source does not say) when its values changed', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(5) })] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ city: 'Akron' }), { at: null })] });
    expect(s).toEqual(summary({ updated: 1 }));
    expect((await store.repos.links.get('ats', 'client', 'c1'))?.sourceModifiedAt).toBe(minute(5));
  });

  it('keeps the latest copy of a record sent twice in one batch and counts the other as unchanged', async () => {
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [
      rec('c1', clientValues({ city: 'Akron' }), { at: minute(1) }),
      rec('c1', clientValues({ city: 'Toledo' }), { at: minute(3) }),
      rec('c1', clientValues({ city: 'Canton' }), { at: minute(2) }),
    ] });
    expect(s).toEqual(summary({ created: 1, unchanged: 2 }));
    expect((await clientOf('ats', 'c1')).fields['city']).toBe('Toledo');
    expect(countRows(store, 'ledger')).toBe(1);
    // Equal times: the later position wins.
    const s2 = await engine.apply({ system: 'ats', entity: 'client', records: [
      rec('c2', clientValues({ city: 'Akron' }), { at: minute(1) }),
      rec('c2', clientValues({ city: 'Kent' }), { at: minute(1) }),
    ] });
    expect(s2).toEqual(summary({ created: 1, unchanged: 1 }));
    expect((await clientOf('ats', 'c2')).fields['city']).toBe('Kent');
  });

  it('refuses a batch for a system or entity no mapping covers', async () => {
    await expect(engine.apply({ system: 'nowhere', entity: 'client', records: [] })).rejects.toBeInstanceOf(ConfigError);
    await expect(engine.apply({ system: 'ats', entity: 'invoice', records: [] })).rejects.toThrow(/no inbound mapping for invoice from ats/);
    const p = policy().in('ats', 'time_entry_event', { fields: allFields(entityFields('time_entry_event'), 'ats') }).build();
    await expect(newEngine(store, p).apply({ system: 'ats', entity: 'time_entry_event', records: [] })).rejects.toThrow(/written by the hub only/);
  });
});

describe('apply: rejections', () => {
  it('rejects a record failing the schema with the reason, and the rest of the batch applies', async () => {
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [
      rec('c1', clientValues()),
      rec('c2', clientValues({ status: 'bogus', state: 'Ohio' })),
      rec('c3', clientValues({ name: 'Cedar Freight' })),
    ] });
    expect(s).toEqual(summary({ created: 2, rejected: 1 }));
    expect(countRows(store, 'clients')).toBe(2);
    const rejected = (await ledgerOf(store)).filter((e) => e.outcome === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ externalId: 'c2', canonicalId: null, action: 'create', diff: null });
    expect(rejected[0]?.reason).toMatch(/^status: .*; state: a two-letter state code such as OH$/);
    expect(await store.repos.links.get('ats', 'client', 'c2')).toMatchObject({ state: 'rejected', canonicalId: null, reason: rejected[0]?.reason });
  });

  it('rejects an update that fails the schema and leaves the record as it was', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: '   ' }), { at: minute(2) })] });
    expect(s).toEqual(summary({ rejected: 1 }));
    const row = await clientOf('ats', 'c1');
    expect(row.revision).toBe(1);
    expect((await ledgerOf(store))[1]).toMatchObject({ outcome: 'rejected', action: 'update', canonicalId: row.id });
    // The link stays linked with its old base, so a corrected record still merges against it.
    expect(await store.repos.links.get('ats', 'client', 'c1')).toMatchObject({ state: 'linked', base: clientValues() });
  });

  it('rejects a record the mapping could not map, with the mapping reason', async () => {
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { invalid: 'billingFrequency: unknown value "fortnightly"' }), rec('c2', clientValues())] });
    expect(s).toEqual(summary({ created: 1, rejected: 1 }));
    expect((await ledgerOf(store)).find((e) => e.externalId === 'c1')).toMatchObject({ outcome: 'rejected', reason: 'billingFrequency: unknown value "fortnightly"' });
  });

  it('rejects fields the system does not carry inward', async () => {
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', { ...clientValues(), postalCode: '45402' })] });
    expect(s).toEqual(summary({ rejected: 1 }));
    expect((await ledgerOf(store))[0]?.reason).toBe('payroll may not send client field(s) addressLine1, state, postalCode');
  });

  it('does not log a rejected record twice when it is sent again unchanged', async () => {
    const batch = { system: 'ats', entity: 'client' as const, records: [rec('c1', clientValues({ status: 'bogus' }))] };
    await engine.apply(batch);
    const before = snapshot(store);
    expect(await engine.apply(batch)).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
  });
});

describe('apply: references', () => {
  const worksite = (clientId: unknown, name = 'Dock 4') => ({
    clientId: clientId as never, name, status: 'active', addressLine1: null, city: null, state: null, postalCode: null, timeZone: 'America/New_York',
  });

  it('holds a record whose parent is not known yet, then releases it when the parent arrives', async () => {
    const held = await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c9'))), rec('w2', worksite(ref('ats', 'c9'), 'Dock 5'))] });
    expect(held).toEqual(summary({ held: 2 }));
    expect(countRows(store, 'worksites')).toBe(0);
    expect(countRows(store, 'ledger')).toBe(0);
    expect(await store.repos.links.get('ats', 'worksite', 'w1')).toMatchObject({
      state: 'held', canonicalId: null, waitingOn: 'ats|client|c9', reason: 'clientId refers to client c9 in ats, not known yet',
    });

    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c9', clientValues())] });
    expect(s).toEqual(summary({ created: 1, released: 2 }));
    const clientId = await canonicalIdOf('ats', 'client', 'c9');
    const w1 = await store.repos.canonical.get('worksite', await canonicalIdOf('ats', 'worksite', 'w1'));
    expect(w1?.fields['clientId']).toBe(clientId);
    expect(await store.repos.links.get('ats', 'worksite', 'w1')).toMatchObject({ state: 'linked', pending: null, waitingOn: null, reason: null });
    expect((await ledgerOf(store)).map((e) => [e.entity, e.externalId, e.outcome])).toEqual([
      ['client', 'c9', 'applied'], ['worksite', 'w1', 'applied'], ['worksite', 'w2', 'applied'],
    ]);
  });

  it('ends in the same state whichever order parent and child arrive', async () => {
    const parent = { system: 'ats', entity: 'client' as const, records: [rec('c9', clientValues())] };
    const child = { system: 'ats', entity: 'worksite' as const, records: [rec('w1', worksite(ref('ats', 'c9')))] };
    await engine.apply(child);
    await engine.apply(parent);
    const other = openTempStore();
    try {
      const e2 = newEngine(other.store);
      await e2.apply(parent);
      const s = await e2.apply(child);
      expect(s).toEqual(summary({ created: 1 }));
      expect(logicalSnapshot(other.store)).toEqual(logicalSnapshot(store));
    } finally {
      other.dispose();
    }
  });

  it('releases held records from another system waiting on this one, and keeps waiting ones held', async () => {
    await engine.apply({ system: 'payroll', entity: 'worksite', records: [
      rec('pw1', { clientId: ref('ats', 'c9'), name: 'Dock 4', status: 'active' }),
      rec('pw2', { clientId: ref('ats', 'c10'), name: 'Dock 5', status: 'active' }),
    ] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c9', clientValues())] });
    expect(s.released).toBe(1);
    expect((await store.repos.links.get('payroll', 'worksite', 'pw1'))?.state).toBe('linked');
    expect((await store.repos.links.get('payroll', 'worksite', 'pw2'))?.state).toBe('held');
  });

  it('replaces a held record with its newer version while it waits', async () => {
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c9'), 'Old name'), { at: minute(1) })] });
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c9'), 'New name'), { at: minute(2) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c9', clientValues())] });
    const w1 = await store.repos.canonical.get('worksite', await canonicalIdOf('ats', 'worksite', 'w1'));
    expect(w1?.fields['name']).toBe('New name');
  });

  it('keeps the newer held version when an older copy of the record arrives', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues())] });
    const clientId = await canonicalIdOf('ats', 'client', 'c1');
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c1'), 'Old name'), { at: minute(1) })] });
    // The newer version moves to a client not known yet: held.
    expect(await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c9'), 'New name'), { at: minute(5) })] })).toEqual(summary({ held: 1 }));
    // A late copy of an older version (a redelivered webhook) must neither apply nor drop the waiting one.
    const s = await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c1'), 'Middle name'), { at: minute(3) })] });
    expect(s).toEqual(summary({ unchanged: 1 }));
    expect(await store.repos.links.get('ats', 'worksite', 'w1')).toMatchObject({ state: 'held', waitingOn: 'ats|client|c9' });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c9', clientValues({ name: 'Other client' }))] });
    const w1 = await store.repos.canonical.get('worksite', await canonicalIdOf('ats', 'worksite', 'w1'));
    expect(w1?.fields['name']).toBe('New name');
    expect(w1?.fields['clientId']).not.toBe(clientId);
  });

  it('stops holding a record deleted at the source while it waited, and a repeat of the delete writes nothing', async () => {
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(ref('ats', 'c9')), { at: minute(1) })] });
    const del = { system: 'ats', entity: 'worksite' as const, records: [rec('w1', {}, { at: minute(2), deleted: true })] };
    expect(await engine.apply(del)).toEqual(summary({ unchanged: 1 }));
    expect(await store.repos.links.get('ats', 'worksite', 'w1')).toMatchObject({ state: 'rejected', pending: null, waitingOn: null, reason: 'deleted in ats before it could apply' });
    const before = snapshot(store);
    expect(await engine.apply(del)).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);
    // The parent arriving later releases nothing.
    expect((await engine.apply({ system: 'ats', entity: 'client', records: [rec('c9', clientValues())] })).released).toBe(0);
    expect(countRows(store, 'worksites')).toBe(0);
  });

  it('holds a record sent again unchanged without writing anything', async () => {
    const batch = { system: 'ats', entity: 'worksite' as const, records: [rec('w1', worksite(ref('ats', 'c9')))] };
    await engine.apply(batch);
    const before = snapshot(store);
    expect(await engine.apply(batch)).toEqual(summary({ held: 1 }));
    expect(snapshot(store)).toEqual(before);
  });

  it('accepts a reference by canonical id, and rejects one to a record that does not exist', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues())] });
    const clientId = await canonicalIdOf('ats', 'client', 'c1');
    const s = await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', worksite(clientId)), rec('w2', worksite('no-such-client'))] });
    expect(s).toEqual(summary({ created: 1, rejected: 1 }));
    expect((await ledgerOf(store)).find((e) => e.externalId === 'w2')).toMatchObject({
      outcome: 'rejected', reason: 'clientId refers to client no-such-client, which does not exist',
    });
  });

  it('rejects a reference in a field that is not a reference field', async () => {
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: ref('ats', 'x') as never }))] });
    expect(s).toEqual(summary({ rejected: 1 }));
    expect((await ledgerOf(store))[0]?.reason).toBe('name is not a reference field of client');
  });
});

describe('apply: identity of first-seen records', () => {
  async function seedClient(): Promise<string> {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'weekly' }), { at: minute(1) })] });
    await drainOutbox();
    return canonicalIdOf('ats', 'client', 'c1');
  }

  it('matches by a canonical id the record carries: owned fields apply, others are stale at the source', async () => {
    const id = await seedClient();
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [
      rec('p1', PAYROLL_CLIENT({ billingFrequency: 'monthly', name: 'Harbor Freight' }), { at: minute(2), match: { canonicalId: id } }),
    ] });
    expect(s).toEqual(summary({ updated: 1 }));
    expect(countRows(store, 'clients')).toBe(1);
    const row = await clientOf('payroll', 'p1');
    expect(row.id).toBe(id);
    expect(row.fields['billingFrequency']).toBe('monthly');
    expect(row.fields['name']).toBe('Harbor Freight Lines');
    const entry = (await ledgerOf(store)).at(-1);
    expect(entry).toMatchObject({ externalId: 'p1', outcome: 'applied', reason: 'matched existing client' });
    expect(entry?.diff).toEqual([{ field: 'billingFrequency', from: 'weekly', to: 'monthly', result: 'superseded' }]);
    // Payroll holds the wrong name: it is told the canonical one.
    expect(await store.repos.outbox.list({ system: 'payroll', status: 'pending', limit: 10 })).toEqual([expect.objectContaining({ op: 'update', fields: ['name'], reason: 'payroll is behind on name' })]);
  });

  it("matches by another system's id", async () => {
    const id = await seedClient();
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
    expect(await canonicalIdOf('payroll', 'client', 'p1')).toBe(id);
    expect(countRows(store, 'clients')).toBe(1);
  });

  it('creates a new record when the hint points at nothing known', async () => {
    await seedClient();
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { match: { links: [{ system: 'ats', externalId: 'c404' }], canonicalId: 'nope' } })] });
    expect(s).toEqual(summary({ created: 1 }));
    expect(countRows(store, 'clients')).toBe(2);
  });

  it('matches by a normalised email only when exactly one record has it', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [
      rec('k1', candidateValues({ email: 'Ada.Quill@Example.test' })),
      rec('k2', candidateValues({ firstName: 'Bo', email: 'twin@example.test' })),
      rec('k3', candidateValues({ firstName: 'Cy', email: 'twin@example.test' })),
    ] });
    const payroll = (id: string, email: string) => rec(id, { firstName: 'Ada', lastName: 'Quill', email, phone: null, status: 'active' }, { match: { email } });
    const s = await engine.apply({ system: 'payroll', entity: 'candidate', records: [payroll('e1', ' ada.quill@example.TEST '), payroll('e2', 'twin@example.test')] });
    expect(s).toEqual(summary({ linked: 1, parked: 1 }));
    expect(await canonicalIdOf('payroll', 'candidate', 'e1')).toBe(await canonicalIdOf('ats', 'candidate', 'k1'));
    expect(await store.repos.links.get('payroll', 'candidate', 'e2')).toMatchObject({
      state: 'parked', canonicalId: null, reason: 'email twin@example.test matches 2 candidate records',
    });
    expect(JSON.parse((await store.repos.links.get('payroll', 'candidate', 'e2'))?.pending ?? 'null')).toMatchObject({ externalId: 'e2' });
    expect(countRows(store, 'candidates')).toBe(3);
  });

  it('does not match by email when the mapping does not ask for it', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues())] });
    const s = await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k2', candidateValues(), { match: { email: 'ada.quill@example.test' } })] });
    expect(s).toEqual(summary({ created: 1 }));
  });

  it('parks a record matching a canonical record already linked to another record of the same system', async () => {
    const id = await seedClient();
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { match: { canonicalId: id } })] });
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p2', PAYROLL_CLIENT(), { match: { canonicalId: id } })] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect((await store.repos.links.get('payroll', 'client', 'p2'))?.reason).toBe(`matched client ${id} by canonical id, but it is already linked to payroll p1`);
  });

  it('parks the second of two records in one batch claiming the same canonical record', async () => {
    const id = await seedClient();
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [
      rec('p1', PAYROLL_CLIENT(), { match: { canonicalId: id } }),
      rec('p2', PAYROLL_CLIENT(), { match: { links: [{ system: 'ats', externalId: 'c1' }] } }),
    ] });
    expect(s).toEqual(summary({ linked: 1, parked: 1 }));
    expect((await store.repos.links.get('payroll', 'client', 'p2'))?.reason).toBe(`matched client ${id} by ats id c1, but it is already linked to payroll p1`);
  });

  it("matches through another system's link while that link's own update is held", async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues())] });
    const site = (clientId: unknown) => ({ clientId: clientId as never, name: 'Dock 4', status: 'active' });
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', { ...site(ref('ats', 'c1')), addressLine1: null, city: null, state: null, postalCode: null, timeZone: null }, { at: minute(1) })] });
    const worksiteId = await canonicalIdOf('ats', 'worksite', 'w1');
    // The ATS moves the worksite to a client not known yet: its link is held, still pointing at the worksite.
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', { ...site(ref('ats', 'c9')), addressLine1: null, city: null, state: null, postalCode: null, timeZone: null }, { at: minute(2) })] });
    expect(await store.repos.links.get('ats', 'worksite', 'w1')).toMatchObject({ state: 'held', canonicalId: worksiteId });
    const clientId = await canonicalIdOf('ats', 'client', 'c1');
    const s = await engine.apply({ system: 'payroll', entity: 'worksite', records: [rec('pw1', site(clientId), { match: { links: [{ system: 'ats', externalId: 'w1' }] } })] });
    expect(s).toEqual(summary({ linked: 1 }));
    expect(await canonicalIdOf('payroll', 'worksite', 'pw1')).toBe(worksiteId);
    expect(countRows(store, 'worksites')).toBe(1);
  });

  it('parks an unmatched record when the mapping asks for review', async () => {
    const s = await engine.apply({ system: 'csv:legacy', entity: 'candidate', records: [rec('row-2', candidateValues(), { match: { email: 'ada.quill@example.test' } })] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect(countRows(store, 'candidates')).toBe(0);
    expect(await store.repos.links.get('csv:legacy', 'candidate', 'row-2')).toMatchObject({ state: 'parked', reason: 'no candidate matches; the mapping asks for review' });
  });
});

describe('apply: deletes', () => {
  it('tombstones the link and keeps the canonical record; a repeat is unchanged; a return clears the tombstone', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', {}, { at: minute(2), deleted: true }), rec('c404', {}, { deleted: true })] });
    expect(s).toEqual(summary({ tombstoned: 1, unchanged: 1 }));
    const link = await store.repos.links.get('ats', 'client', 'c1');
    expect(link?.tombstonedAt).not.toBeNull();
    expect(countRows(store, 'clients', 'deleted_at IS NULL')).toBe(1);
    expect(await store.repos.links.get('ats', 'client', 'c404')).toBeNull();
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ action: 'tombstone', outcome: 'applied', externalId: 'c1', reason: 'deleted in ats' });

    const before = snapshot(store);
    expect(await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', {}, { at: minute(2), deleted: true })] })).toEqual(summary({ unchanged: 1 }));
    expect(snapshot(store)).toEqual(before);

    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ city: 'Kent' }), { at: minute(3) })] });
    expect((await store.repos.links.get('ats', 'client', 'c1'))?.tombstonedAt).toBeNull();
  });

  it('logs the return of a deleted record even when its values did not change', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', {}, { at: minute(2), deleted: true })] });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(3) })] });
    expect(s).toEqual(summary({ updated: 1 }));
    expect((await store.repos.links.get('ats', 'client', 'c1'))?.tombstonedAt).toBeNull();
    expect((await ledgerOf(store)).map((e) => e.action)).toEqual(['create', 'tombstone', 'restore']);
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ outcome: 'applied', reason: 'client is back in ats', diff: [] });
  });

  it('undeletes a soft-deleted canonical record a source sends again, with a ledger row', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    const id = await canonicalIdOf('ats', 'client', 'c1');
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', {}, { at: minute(2), deleted: true })] });
    // The grace period passed: the canonical record is soft-deleted.
    await store.unitOfWork((tx) => tx.canonical.setDeleted('client', [id], minute(3), minute(3)));
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(4) })] });
    expect((await store.repos.canonical.get('client', id))?.deletedAt).toBeNull();
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ action: 'restore', canonicalId: id });
  });
});

describe('apply: conflicts', () => {
  /** ATS creates the client (billing weekly); payroll, the owner, then sets monthly. */
  async function setUp(): Promise<string> {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'weekly' }), { at: minute(1) })] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT({ billingFrequency: 'monthly' }), { at: minute(2), match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
    await drainOutbox();
    return canonicalIdOf('ats', 'client', 'c1');
  }

  it('opens a conflict when a non-owner changes a field that also changed here, leaving current alone', async () => {
    const id = await setUp();
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'biweekly', city: 'Kent' }), { at: minute(3) })] });
    expect(s).toEqual(summary({ conflicts: 1 }));
    const row = await clientOf('ats', 'c1');
    expect(row.fields['billingFrequency']).toBe('monthly');
    expect(row.fields['city']).toBe('Kent');
    const open = await store.repos.conflicts.openFor('client', id);
    expect(open).toEqual([expect.objectContaining({ field: 'billingFrequency', system: 'ats', externalId: 'c1', base: 'weekly', current: 'monthly', incoming: 'biweekly', status: 'open', sourceModifiedAt: minute(3) })]);
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ outcome: 'conflict', reason: 'conflict on billingFrequency', action: 'update' });
  });

  it('refreshes the one open conflict per field and system instead of piling up', async () => {
    const id = await setUp();
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'biweekly' }), { at: minute(3) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ billingFrequency: 'semimonthly' }), { at: minute(4) })] });
    const open = await store.repos.conflicts.openFor('client', id);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ incoming: 'semimonthly', current: 'monthly', base: 'weekly', sourceModifiedAt: minute(4) });
    expect((await clientOf('ats', 'c1')).fields['billingFrequency']).toBe('monthly');
  });

  it('opens a conflict on a shared (manual) field changed on both sides', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0100' }), { at: minute(1) })] });
    const id = await canonicalIdOf('ats', 'client', 'c1');
    await store.unitOfWork((tx) => applyLocalChange(tx, standardPolicy(), { entity: 'client', canonicalId: id, changes: { phone: '555-0101' }, actor: 'ops@firm' }, minute(2)));
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0102' }), { at: minute(3) })] });
    expect(s).toEqual(summary({ conflicts: 1 }));
    expect(await store.repos.conflicts.openFor('client', id)).toEqual([expect.objectContaining({ field: 'phone', base: '555-0100', current: '555-0101', incoming: '555-0102' })]);
  });

  it('refuses a non-owner change of an owned field and sends the owner value back', async () => {
    await setUp();
    const s = await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT({ billingFrequency: 'monthly', name: 'Harbor Freight Inc' }), { at: minute(3) })] });
    expect(s).toEqual(summary({ rejected: 1 }));
    expect((await clientOf('ats', 'c1')).fields['name']).toBe('Harbor Freight Lines');
    expect((await ledgerOf(store)).at(-1)).toMatchObject({
      outcome: 'rejected', action: 'update', reason: 'name is owned by ats', diff: [{ field: 'name', from: 'Harbor Freight Lines', to: 'Harbor Freight Inc', result: 'rejected' }],
    });
    const pending = await store.repos.outbox.list({ system: 'payroll', status: 'pending', limit: 10 });
    expect(pending).toEqual([expect.objectContaining({ fields: ['name'], op: 'update' })]);
    expect(countRows(store, 'conflicts')).toBe(0);
  });
});

describe('apply: outbox fan-out', () => {
  it('creates in a system whose create rule matches, and not otherwise', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ status: 'active' })), rec('c2', clientValues({ status: 'prospect' }))] });
    const rows = await store.repos.outbox.list({ limit: 10 });
    expect(rows).toEqual([expect.objectContaining({
      system: 'payroll', op: 'create', canonicalId: await canonicalIdOf('ats', 'client', 'c1'), fields: ['billingFrequency', 'city', 'name', 'phone', 'status'],
    })]);
  });

  it('sends an update to linked systems carrying the changed field, and nothing for fields they do not carry', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { at: minute(2), match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
    await store.unitOfWork(async (tx) => {
      for (const row of await tx.outbox.list({ limit: 10 })) await tx.outbox.markDone(row.id, null, minute(3));
    });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ postalCode: '45402' }), { at: minute(4) })] });
    expect(await store.repos.outbox.list({ status: 'pending', limit: 10 })).toEqual([]);
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ postalCode: '45402', name: 'Harbor Freight', city: 'Kent' }), { at: minute(5) })] });
    expect(await store.repos.outbox.list({ status: 'pending', limit: 10 })).toEqual([
      expect.objectContaining({ system: 'payroll', op: 'update', fields: ['city', 'name'], reason: 'ats changed name, city' }),
    ]);
  });

  it('does not send a change back to the system it came from, nor to a tombstoned link', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { at: minute(2), match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', {}, { at: minute(3), deleted: true })] });
    const before = await store.repos.outbox.list({ limit: 10 });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: 'Harbor Freight' }), { at: minute(4) })] });
    expect(await store.repos.outbox.list({ limit: 10 })).toEqual(before);
  });

  it('coalesces changes across batches into one pending row per record and system', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', PAYROLL_CLIENT(), { at: minute(2), match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
    await drainOutbox();
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: 'A' }), { at: minute(3) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: 'A', city: 'Kent' }), { at: minute(4) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: 'B', city: 'Kent', phone: '555-0100' }), { at: minute(5) })] });
    const pending = await store.repos.outbox.list({ system: 'payroll', status: 'pending', limit: 10 });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ op: 'update', fields: ['city', 'name', 'phone'], reason: 'ats changed name; ats changed city; ats changed name, phone' });
  });

  it('keeps a pending create a create when later changes fold into it', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues(), { at: minute(1) })] });
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ name: 'B' }), { at: minute(2) })] });
    expect(await store.repos.outbox.list({ system: 'payroll', limit: 10 })).toEqual([
      expect.objectContaining({ op: 'create', status: 'pending', fields: ['billingFrequency', 'city', 'name', 'phone', 'status'] }),
    ]);
  });

  it('tells a stale source the canonical value when it sends an old one (incoming = base, current moved)', async () => {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0100' }), { at: minute(1) })] });
    const id = await canonicalIdOf('ats', 'client', 'c1');
    await store.unitOfWork((tx) => applyLocalChange(tx, standardPolicy(), { entity: 'client', canonicalId: id, changes: { phone: '555-0101' }, actor: 'ops@firm', system: 'portal' }, minute(2)));
    await store.unitOfWork(async (tx) => {
      for (const row of await tx.outbox.list({ limit: 10 })) await tx.outbox.markDone(row.id, null, minute(2));
    });
    const s = await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0100', city: 'Kent' }), { at: minute(3) })] });
    expect(s).toEqual(summary({ updated: 1 }));
    expect((await clientOf('ats', 'c1')).fields['phone']).toBe('555-0101');
    expect(await store.repos.outbox.list({ system: 'ats', status: 'pending', limit: 10 })).toEqual([
      expect.objectContaining({ op: 'update', fields: ['phone'], reason: 'ats is behind on phone' }),
    ]);
  });
});

describe('apply: time entries', () => {
  async function setUp(): Promise<string> {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues())] });
    await engine.apply({ system: 'ats', entity: 'assignment', records: [rec('a1', {
      candidateId: ref('ats', 'k1'), requisitionId: null, worksiteId: null, approverContactId: null, title: 'Forklift operator',
      startDate: '2026-11-02', endDate: null, status: 'active',
    })] });
    return canonicalIdOf('ats', 'assignment', 'a1');
  }
  const entry = (over: Record<string, string | number | null> = {}) => ({
    assignmentId: ref('ats', 'a1'), workDate: '2026-11-16', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0,
    status: 'submitted', approvedById: null, approvedAt: null, note: null, ...over,
  });
  const send = (over: Record<string, string | number | null>, at: number) =>
    engine.apply({ system: 'timeclock', entity: 'time_entry', records: [rec('t1', entry(over), { at: minute(at) })] });
  const events = (id: string) =>
    store.db.prepare('SELECT from_status, to_status, actor FROM time_entry_events WHERE time_entry_id = ? ORDER BY at, rowid').all(id);

  it('writes a history line for each status change, and none for other edits', async () => {
    await setUp();
    expect(await send({}, 1)).toEqual(summary({ created: 1 }));
    const id = await canonicalIdOf('timeclock', 'time_entry', 't1');
    await send({ note: 'forgot lunch' }, 2);
    await send({ note: 'forgot lunch', status: 'approved', approvedAt: '2026-11-17T15:00:00Z' }, 3);
    expect(events(id)).toEqual([
      { from_status: null, to_status: 'submitted', actor: 'timeclock' },
      { from_status: 'submitted', to_status: 'approved', actor: 'timeclock' },
    ]);
  });

  it('rejects an illegal move with the reason and keeps the entry as it was', async () => {
    await setUp();
    await send({}, 1);
    await send({ status: 'approved' }, 2);
    const id = await canonicalIdOf('timeclock', 'time_entry', 't1');
    const s = await send({ status: 'draft', regularHours: 7 }, 3);
    expect(s).toEqual(summary({ rejected: 1 }));
    expect((await ledgerOf(store)).at(-1)).toMatchObject({ outcome: 'rejected', reason: 'a approved time entry can only become exported or invoiced, not draft' });
    const row = await store.repos.canonical.get('time_entry', id);
    expect(row?.fields).toMatchObject({ status: 'approved', regularHours: 8 });
    expect(events(id)).toHaveLength(2);
  });

  it('locks hours once the entry is exported, but lets it move on to invoiced', async () => {
    await setUp();
    await send({}, 1);
    await send({ status: 'approved' }, 2);
    await send({ status: 'exported' }, 3);
    const s = await send({ status: 'exported', regularHours: 9 }, 4);
    expect(s).toEqual(summary({ rejected: 1 }));
    expect((await ledgerOf(store)).at(-1)?.reason).toBe('time entry is exported: regularHours can no longer change (record an adjustment instead)');
    expect(await send({ status: 'invoiced' }, 5)).toEqual(summary({ updated: 1 }));
    const id = await canonicalIdOf('timeclock', 'time_entry', 't1');
    expect((await store.repos.canonical.get('time_entry', id))?.fields['status']).toBe('invoiced');
    expect(events(id)).toHaveLength(4);
  });
});
