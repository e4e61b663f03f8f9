import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/reconcile/index.ts';
import { countRows } from '../support/temp-store.ts';
import { canonicalBy, drive, linksOf, openHarness, seedCompanies, seedPeople, syncAll, type Harness } from './support/harness.ts';

function reportOf(run: { report: unknown }): ReconcileReport {
  return run.report as ReconcileReport;
}

describe('reconcile: drift found and repaired through the engine', () => {
  let h: Harness;
  beforeEach(async () => {
    h = openHarness();
    seedCompanies(h, 10);
    await syncAll(h, 'ats', 'Company');
  });
  afterEach(() => h.close());

  it('a source equal to the hub: everything matched, nothing written to the ledger, staging purged', async () => {
    const ledgerBefore = countRows(h.store, 'ledger');
    const { run } = await drive(h, 'ats', 'Company');
    const report = reportOf(run);
    expect(run.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ seen: 10, staged: 10, matched: 10, added: 0, changed: 0, repaired: 0, tombstoned: 0, pages: 4 });
    expect(countRows(h.store, 'ledger')).toBe(ledgerBefore);
    expect(countRows(h.store, 'reconcile_staging')).toBe(0);
    // Four listing pages of three, nothing else asked of the vendor.
    expect(h.vendors.ats.log.map((e) => e.op)).toEqual(['list', 'list', 'list', 'list']);
    expect(report.requests.used).toBe(4);
  });

  it('dropped webhooks, edits made while the hub was down and hard deletes: counts equal the injected drift, every repair in the ledger', async () => {
    h.vendors.ats.create('Company', { id: '11', name: 'Harbor Freightways', status: 'active', phone: null });
    h.vendors.ats.create('Company', { id: '12', name: 'Pinecrest Dairy', status: 'prospect', phone: null });
    h.vendors.ats.edit('Company', '3', { name: 'Northwind Supply 3 (renamed)' });
    h.vendors.ats.edit('Company', '7', { status: 'inactive' });
    h.vendors.ats.edit('Company', '8', { phone: '555-0999' });
    h.vendors.ats.hardDelete('Company', '5');

    const { run } = await drive(h, 'ats', 'Company');
    const report = reportOf(run);
    expect(run.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ seen: 11, matched: 6, added: 2, changed: 3, repaired: 5, conflicts: 0, missing: 1, tombstoned: 1, deleted: 0 });

    // Canonical data now equals the source (the deleted one is tombstoned, not deleted yet: grace period).
    const canonical = canonicalBy(h.store, 'ats', 'client');
    for (const source of h.vendors.ats.all('Company')) {
      expect(canonical.get(source.id)).toMatchObject({ name: source['name'], status: source['status'], phone: source['phone'] });
    }
    expect(canonical.get('5')?.['deleted_at']).toBeNull();
    expect(linksOf(h.store, 'ats', 'client').find((l) => l.externalId === '5')?.tombstonedAt).not.toBeNull();

    const ledger = await h.store.repos.ledger.query({ runId: run.id, limit: 100 });
    const byAction = (action: string) => ledger.filter((e) => e.action === action).map((e) => e.externalId).sort();
    expect(byAction('create')).toEqual(['11', '12']);
    expect(byAction('update')).toEqual(['3', '7', '8']);
    expect(byAction('tombstone')).toEqual(['5']);
    expect(ledger.every((e) => e.outcome === 'applied')).toBe(true);
  });

  it('a second run after the repairs finds nothing left to do', async () => {
    h.vendors.ats.edit('Company', '2', { name: 'Renamed' });
    h.vendors.ats.hardDelete('Company', '9');
    await drive(h, 'ats', 'Company');
    const again = reportOf((await drive(h, 'ats', 'Company')).run);
    expect(again.counts).toMatchObject({ added: 0, changed: 0, repaired: 0, tombstoned: 0, missing: 0, matched: 9 });
  });

  it('a field changed on both sides opens a conflict through the engine, and the run counts it', async () => {
    const client = canonicalBy(h.store, 'ats', 'client').get('4');
    await h.store.unitOfWork(async (tx) => {
      const row = await tx.canonical.get('client', String(client?.['id']));
      if (!row) throw new Error('no client');
      await tx.canonical.updateMany('client', [{ id: row.id, fields: { ...row.fields, phone: '555-7777' }, changedAt: null }], h.clock.now());
    });
    h.vendors.ats.edit('Company', '4', { phone: '555-8888' });
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ changed: 1, conflicts: 1, repaired: 0 });
    const conflicts = await h.store.repos.conflicts.list({ status: 'open', limit: 10 });
    expect(conflicts.map((c) => [c.field, c.current, c.incoming, c.runId])).toEqual([['phone', '555-7777', '555-8888', run.id]]);
  });

  it('a record the source lists as deleted that the hub never knew is nothing to repair: not added, not fetched', async () => {
    h.vendors.ats.create('Company', { id: '40', name: 'Long Gone Co', status: 'inactive', phone: null, isDeleted: true });
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ seen: 11, staged: 11, matched: 11, added: 0, changed: 0, repaired: 0 });
    expect(h.vendors.ats.fetchRequests()).toEqual([]);
    expect(linksOf(h.store, 'ats', 'client').map((l) => l.externalId)).not.toContain('40');
  });

  it('a soft delete at the source whose webhook was lost is applied as a tombstone by the engine', async () => {
    h.vendors.ats.softDelete('Company', '6');
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ changed: 1, tombstoned: 1, missing: 0 });
    expect(linksOf(h.store, 'ats', 'client').find((l) => l.externalId === '6')?.tombstonedAt).not.toBeNull();
  });
});

describe('reconcile: grace period, soft deletes and restores', () => {
  let h: Harness;
  beforeEach(async () => {
    h = openHarness();
    seedCompanies(h, 10);
    await syncAll(h, 'ats', 'Company');
    h.vendors.ats.hardDelete('Company', '2');
    await drive(h, 'ats', 'Company');
  });
  afterEach(() => h.close());

  it('keeps the canonical record until the tombstone is older than graceDays, then soft-deletes it with a ledger row', async () => {
    h.clock.advanceDays(3);
    const early = await drive(h, 'ats', 'Company', { settings: { graceDays: 7 } });
    expect(reportOf(early.run).counts.deleted).toBe(0);
    expect(canonicalBy(h.store, 'ats', 'client').get('2')?.['deleted_at']).toBeNull();

    h.clock.advanceDays(5);
    const late = await drive(h, 'ats', 'Company', { settings: { graceDays: 7 } });
    expect(reportOf(late.run).counts.deleted).toBe(1);
    const row = canonicalBy(h.store, 'ats', 'client').get('2');
    expect(row?.['deleted_at']).not.toBeNull();
    expect(countRows(h.store, 'clients')).toBe(10);
    const ledger = await h.store.repos.ledger.query({ runId: late.run.id, limit: 10 });
    expect(ledger.map((e) => [e.action, e.externalId, e.outcome])).toEqual([['delete', '2', 'applied']]);

    // Deleted once: the next run has nothing more to delete.
    h.clock.advanceDays(1);
    expect(reportOf((await drive(h, 'ats', 'Company', { settings: { graceDays: 7 } })).run).counts.deleted).toBe(0);
  });

  it('a record that reappears is un-tombstoned (and undeleted when the grace period had deleted it) with a restore ledger row', async () => {
    h.clock.advanceDays(10);
    await drive(h, 'ats', 'Company', { settings: { graceDays: 7 } });
    expect(canonicalBy(h.store, 'ats', 'client').get('2')?.['deleted_at']).not.toBeNull();

    h.vendors.ats.create('Company', { id: '2', name: 'Northwind Supply 2', status: 'active', phone: '555-0102' });
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ restored: 1, changed: 0, added: 0, tombstoned: 0 });
    expect(canonicalBy(h.store, 'ats', 'client').get('2')?.['deleted_at']).toBeNull();
    expect(linksOf(h.store, 'ats', 'client').find((l) => l.externalId === '2')?.tombstonedAt).toBeNull();
    const ledger = await h.store.repos.ledger.query({ runId: run.id, limit: 10 });
    expect(ledger.map((e) => [e.action, e.externalId])).toEqual([['restore', '2']]);
  });

  it('a record that comes back changed is restored and its change applied', async () => {
    h.vendors.ats.create('Company', { id: '2', name: 'Back Again Ltd', status: 'active', phone: '555-0102' });
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ restored: 1, changed: 1, repaired: 1 });
    expect(canonicalBy(h.store, 'ats', 'client').get('2')?.['name']).toBe('Back Again Ltd');
  });
});

describe('reconcile: a vendor entity that feeds two canonical entities', () => {
  let h: Harness;
  beforeEach(async () => {
    h = openHarness();
    seedPeople(h, 5, 4);
    await syncAll(h, 'ats', 'Person');
    await syncAll(h, 'ats', 'Placement');
  });
  afterEach(() => h.close());

  it('stages a row per entity, repairs only the entity whose fields changed, and tombstones both for a deleted placement', async () => {
    h.vendors.ats.edit('Placement', '102', { payRate: 23 });
    h.vendors.ats.hardDelete('Placement', '104');
    const { run } = await drive(h, 'ats', 'Placement');
    const report = reportOf(run);
    expect(report.counts).toMatchObject({ seen: 3, staged: 6, changed: 1, repaired: 1, missing: 2, tombstoned: 2 });
    expect(report.entities).toMatchObject({ assignment: { staged: 3, links: 4, tombstone: true }, assignment_rate: { staged: 3, links: 4, tombstone: true } });
    expect(canonicalBy(h.store, 'ats', 'assignment_rate').get('102')?.['pay_rate_cents']).toBe(2300);
    expect(linksOf(h.store, 'ats', 'assignment').find((l) => l.externalId === '104')?.tombstonedAt).not.toBeNull();
    expect(linksOf(h.store, 'ats', 'assignment_rate').find((l) => l.externalId === '104')?.tombstonedAt).not.toBeNull();
  });

  it('a repair page smaller than one record\'s entities still takes every entity of it', async () => {
    h.vendors.ats.edit('Placement', '101', { title: 'Shift lead', payRate: 24 });
    h.vendors.ats.edit('Placement', '103', { title: 'Loader', billRate: 35 });
    const { run } = await drive(h, 'ats', 'Placement', { settings: { repairPage: 1 } });
    expect(reportOf(run).counts).toMatchObject({ changed: 4, repaired: 4 });
    expect(canonicalBy(h.store, 'ats', 'assignment').get('103')?.['title']).toBe('Loader');
    expect(canonicalBy(h.store, 'ats', 'assignment_rate').get('103')?.['bill_rate_cents']).toBe(3500);
  });

  it('a placement missed together with its person: the person is repaired first, then the placement applies', async () => {
    h.vendors.ats.create('Person', { id: '9', firstName: 'Rowan', lastName: 'Vale', email: 'rowan@example.test', status: 'placed' });
    h.vendors.ats.create('Placement', { id: '109', personId: '9', title: 'Picker', startDate: '2026-10-01', status: 'active', payRate: 19, billRate: 28.5 });
    expect(reportOf((await drive(h, 'ats', 'Person')).run).counts.added).toBe(1);
    const { run } = await drive(h, 'ats', 'Placement');
    expect(reportOf(run).counts).toMatchObject({ added: 2, repaired: 2, held: 0 });
    expect(canonicalBy(h.store, 'ats', 'assignment').get('109')?.['title']).toBe('Picker');
  });
});

describe('reconcile: money-bearing records', () => {
  let h: Harness;
  beforeEach(async () => {
    h = openHarness();
    seedPeople(h, 2, 2);
    for (let i = 1; i <= 4; i++) {
      h.vendors.ats.create('Timecard', { id: String(200 + i), placementId: '101', date: `2026-10-0${i}`, hours: 8, ot: 0, dt: 0, status: 'approved' });
    }
    for (const entity of ['Person', 'Placement', 'Timecard']) await syncAll(h, 'ats', entity);
  });
  afterEach(() => h.close());

  it('a time entry gone at the source is tombstoned, soft-deleted after the grace period, and never removed', async () => {
    h.vendors.ats.hardDelete('Timecard', '203');
    expect(reportOf((await drive(h, 'ats', 'Timecard')).run).counts.tombstoned).toBe(1);
    h.clock.advanceDays(8);
    expect(reportOf((await drive(h, 'ats', 'Timecard')).run).counts.deleted).toBe(1);
    const rows = h.store.db.prepare('SELECT l.external_id AS ext, t.deleted_at AS deletedAt FROM time_entries t JOIN links l ON l.canonical_id = t.id WHERE l.system = ? ORDER BY l.external_id').all('ats') as Array<{ ext: string; deletedAt: string | null }>;
    expect(rows.map((r) => [r.ext, r.deletedAt !== null])).toEqual([['201', false], ['202', false], ['203', true], ['204', false]]);
  });
});

