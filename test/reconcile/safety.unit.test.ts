import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failRun, runStep, type ReconcileReport } from '../../src/reconcile/index.ts';
import { countRows } from '../support/temp-store.ts';
import { drive, linksOf, openHarness, seedCompanies, syncAll, type Harness } from './support/harness.ts';

const reportOf = (run: { report: unknown }) => run.report as ReconcileReport;
const tombstones = (h: Harness) => linksOf(h.store, 'ats', 'client').filter((l) => l.tombstonedAt !== null).length;

describe('reconcile: deletes only from a complete, believable listing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = openHarness();
    seedCompanies(h, 10);
    await syncAll(h, 'ats', 'Company');
  });
  afterEach(() => h.close());

  it('a listing that fails halfway tombstones nothing, and the failed run reports why and leaves no staging', async () => {
    h.vendors.ats.hardDelete('Company', '10');
    h.vendors.ats.setListingBroken({ afterPages: 2 });
    const partial = await drive(h, 'ats', 'Company', { maxSteps: 2 });
    expect(partial.steps.map((s) => s.cursor.phase)).toEqual(['listing', 'listing']);
    const deps = h.deps('ats', 'Company');
    await expect(runStep(deps, partial.run.id, 2)).rejects.toThrow(/listing of Company failed/);

    // The job's last try gives up: the run fails; nothing was tombstoned.
    await failRun(deps, partial.run.id, 'listing of Company failed at offset 6');
    const run = await h.store.repos.runs.get(partial.run.id);
    expect(run?.status).toBe('failed');
    expect(reportOf(run ?? { report: null })).toMatchObject({
      status: 'failed', error: 'listing of Company failed at offset 6', counts: { seen: 6, pages: 2, tombstoned: 0 },
      tombstones: { skipped: true },
    });
    expect(tombstones(h)).toBe(0);
    expect(countRows(h.store, 'reconcile_staging')).toBe(0);
  });

  it('a listing that fails and then recovers resumes at the page that failed: no committed page is fetched again', async () => {
    h.vendors.ats.hardDelete('Company', '10');
    h.vendors.ats.setListingBroken({ afterPages: 2 });
    const first = await drive(h, 'ats', 'Company', { maxSteps: 2 });
    const deps = h.deps('ats', 'Company');
    await expect(runStep(deps, first.run.id, 2)).rejects.toThrow();
    h.vendors.ats.setListingBroken(null);
    const { run } = await drive(h, 'ats', 'Company', { runId: first.run.id });
    expect(run.status).toBe('succeeded');
    expect(reportOf(run).counts).toMatchObject({ seen: 9, tombstoned: 1 });
    // Offsets 0 and 3 once each; offset 6 twice (the failed try and its retry), never committed twice.
    expect(h.vendors.ats.listRequests().map((e) => e.start)).toEqual([0, 3, 6, 6]);
  });

  it('a source that answers an empty list by mistake deletes nothing: the run is partial and says why', async () => {
    h.vendors.ats.setListingEmpty(true);
    const { run } = await drive(h, 'ats', 'Company', { settings: { shrinkThreshold: 1 } });
    const report = reportOf(run);
    expect(run.status).toBe('partial');
    expect(report.counts).toMatchObject({ seen: 0, missing: 0, tombstoned: 0 });
    expect(report.tombstones.skipped).toBe(true);
    expect(report.tombstones.reasons).toEqual(['client: listing shrank suspiciously: 0 of 10 (an empty listing) — no tombstones']);
    expect(tombstones(h)).toBe(0);
    expect(h.vendors.ats.fetchRequests()).toEqual([]);
  });

  it('a listing that shrank below the threshold tombstones nothing, though the repairs still run', async () => {
    for (const id of ['1', '2', '3', '4', '5', '6']) h.vendors.ats.hardDelete('Company', id);
    h.vendors.ats.edit('Company', '9', { name: 'Edited while down' });
    const { run } = await drive(h, 'ats', 'Company', { settings: { shrinkThreshold: 0.5 } });
    const report = reportOf(run);
    expect(run.status).toBe('partial');
    expect(report.counts).toMatchObject({ seen: 4, changed: 1, repaired: 1, tombstoned: 0 });
    expect(report.tombstones.reasons).toEqual(['client: listing shrank suspiciously: 4 of 10 — no tombstones']);
    expect(tombstones(h)).toBe(0);
  });

  it('the same shrink within the threshold is believed: those records are tombstoned', async () => {
    for (const id of ['1', '2', '3', '4']) h.vendors.ats.hardDelete('Company', id);
    const { run } = await drive(h, 'ats', 'Company', { settings: { shrinkThreshold: 0.5 } });
    expect(run.status).toBe('succeeded');
    expect(reportOf(run).counts.tombstoned).toBe(4);
  });

  it('a record skipped by offset paging (another deleted mid-listing) is confirmed by id and not tombstoned', async () => {
    // After page one (ids 1-3) is served, id 2 is deleted: page two starts at offset 3, which is now id 5, so id 4 is never listed.
    h.vendors.ats.onPageServed = (_entity, start) => {
      if (start === 0) h.vendors.ats.hardDelete('Company', '2');
    };
    const { run } = await drive(h, 'ats', 'Company');
    h.vendors.ats.onPageServed = null;
    expect(reportOf(run).counts).toMatchObject({ seen: 9, missing: 1, relisted: 1, tombstoned: 0 });
    expect(h.vendors.ats.fetchRequests().map((e) => e.ids)).toEqual([['4']]);
    // Id 2 was listed before it went; the next run finds it missing and tombstones it.
    const next = await drive(h, 'ats', 'Company');
    expect(reportOf(next.run).counts).toMatchObject({ missing: 1, relisted: 0, tombstoned: 1 });
    expect(linksOf(h.store, 'ats', 'client').filter((l) => l.tombstonedAt !== null).map((l) => l.externalId)).toEqual(['2']);
  });

  it('a record deleted between the listing and the repair fetch is left alone (vanished), not applied', async () => {
    h.vendors.ats.edit('Company', '5', { name: 'Edited' });
    h.vendors.ats.onPageServed = (_entity, start) => {
      if (start === 9) h.vendors.ats.hardDelete('Company', '5');
    };
    const { run } = await drive(h, 'ats', 'Company');
    expect(reportOf(run).counts).toMatchObject({ changed: 1, vanished: 1, repaired: 0, tombstoned: 0 });
  });
});
