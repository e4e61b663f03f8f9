import { afterEach, describe, expect, it } from 'vitest';
import { runStep, startOrJoinRun, type ReconcileReport } from '../../src/reconcile/index.ts';
import { canonicalBy, drive, linksOf, openHarness, seedCompanies, syncAll, type Harness } from './support/harness.ts';

const reportOf = (run: { report: unknown }) => run.report as ReconcileReport;

/** The same drift on a fresh harness: created, edited, deleted. */
async function withDrift(): Promise<Harness> {
  const h = openHarness();
  seedCompanies(h, 12);
  await syncAll(h, 'ats', 'Company');
  h.vendors.ats.create('Company', { id: '13', name: 'Larkspur Foods', status: 'active', phone: null });
  h.vendors.ats.create('Company', { id: '14', name: 'Tidewater Mills', status: 'active', phone: null });
  for (const id of ['2', '6', '9']) h.vendors.ats.edit('Company', id, { name: `Edited ${id}` });
  h.vendors.ats.hardDelete('Company', '11');
  return h;
}

/** What a run leaves behind that must not depend on how it got there. */
function outcome(h: Harness, report: ReconcileReport) {
  const canonical = [...canonicalBy(h.store, 'ats', 'client')].map(([ext, row]) => [ext, row['name'], row['deleted_at'] === null]).sort();
  const links = linksOf(h.store, 'ats', 'client').map((l) => [l.externalId, l.tombstonedAt !== null]);
  const { requests: _r, ...counts } = report.counts;
  return { canonical, links, counts };
}

describe('reconcile: killed and resumed', () => {
  const open: Harness[] = [];
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });

  it('killed mid-listing: resumes at the next page, fetches no page twice, ends where a clean run ends', async () => {
    const clean = await withDrift();
    open.push(clean);
    const cleanRun = await drive(clean, 'ats', 'Company');

    const h = await withDrift();
    open.push(h);
    const killed = await drive(h, 'ats', 'Company', { maxSteps: 2 });
    expect(killed.run.status).toBe('running');
    expect((killed.run.cursor as { page: number }).page).toBe(2);
    const resumed = await drive(h, 'ats', 'Company', { runId: killed.run.id });

    expect(resumed.run.status).toBe('succeeded');
    expect(h.vendors.ats.listRequests().map((e) => e.start)).toEqual([0, 3, 6, 9, 12]);
    expect(outcome(h, reportOf(resumed.run))).toEqual(outcome(clean, reportOf(cleanRun.run)));
    expect(reportOf(resumed.run).counts).toMatchObject({ added: 2, changed: 3, tombstoned: 1, pages: 5, requests: 7 });
  });

  it('killed mid-repair: the compare is idempotent, each repair fetched once, same end state', async () => {
    const clean = await withDrift();
    open.push(clean);
    const cleanRun = await drive(clean, 'ats', 'Company', { settings: { repairPage: 2 } });

    const h = await withDrift();
    open.push(h);
    // 5 listing steps, the gate, then one repair page of two.
    const killed = await drive(h, 'ats', 'Company', { maxSteps: 7, settings: { repairPage: 2 } });
    expect((killed.run.cursor as { phase: string }).phase).toBe('repair');
    const resumed = await drive(h, 'ats', 'Company', { runId: killed.run.id, settings: { repairPage: 2 } });
    expect(outcome(h, reportOf(resumed.run))).toEqual(outcome(clean, reportOf(cleanRun.run)));
    const fetched = h.vendors.ats.fetchRequests().flatMap((e) => e.ids ?? []);
    // The five repairs once each, and the deleted one once when its absence is confirmed.
    expect(fetched.sort()).toEqual(['11', '13', '14', '2', '6', '9']);
  });

  it('a duplicate job for a committed step does nothing and asks the vendor for nothing', async () => {
    const h = await withDrift();
    open.push(h);
    const { run } = await drive(h, 'ats', 'Company', { maxSteps: 1 });
    const requests = h.vendors.ats.log.length;
    expect(await runStep(h.deps('ats', 'Company'), run.id, 0)).toBeNull();
    expect(h.vendors.ats.log.length).toBe(requests);
    expect((await h.store.repos.runs.get(run.id))?.cursor).toMatchObject({ page: 1, listingPages: 1 });
  });

  it('a second trigger while a run is in progress joins it instead of starting another', async () => {
    const h = await withDrift();
    open.push(h);
    const args = { system: 'ats', vendorEntity: 'Company', entities: ['client' as const], then: [], now: h.clock.now(), purgeChunk: 100 };
    const first = await startOrJoinRun(h.store, args);
    const second = await startOrJoinRun(h.store, args);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, run: { id: first.run.id } });
  });
});
