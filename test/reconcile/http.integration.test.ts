import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileMetrics, type ReconcileReport } from '../../src/reconcile/index.ts';
import { startHarness, type Harness as HttpHarness } from '../http/support.ts';
import { drive, openHarness, seedCompanies, syncAll, type Harness } from './support/harness.ts';

describe('reconcile reports over HTTP', () => {
  let http: HttpHarness;
  let h: Harness;
  beforeEach(async () => {
    let store: HttpHarness['store'] | null = null;
    // The lead's metrics hook appends reconcileMetrics to /metrics; this is that wiring.
    http = await startHarness({ metrics: () => (store ? reconcileMetrics(store) : Promise.resolve('')) });
    store = http.store;
    h = openHarness(3, http.store);
    seedCompanies(h, 6);
    await syncAll(h, 'ats', 'Company');
  });
  afterEach(async () => {
    h.close();
    await http.close();
  });

  it('serves the run report at /api/v1/runs/:id and its gauges on /metrics', async () => {
    h.vendors.ats.edit('Company', '1', { name: 'Renamed over HTTP' });
    h.vendors.ats.hardDelete('Company', '6');
    const { run } = await drive(h, 'ats', 'Company');

    const reply = await http.call('GET', `/api/v1/runs/${run.id}`);
    expect(reply.status).toBe(200);
    const data = (reply.json as { data: { report: ReconcileReport } }).data;
    const report = data.report;
    expect(data).toMatchObject({ kind: 'reconcile', system: 'ats', entity: 'Company', status: 'succeeded' });
    expect(report.counts).toMatchObject({ seen: 5, changed: 1, repaired: 1, tombstoned: 1, matched: 4 });

    const metrics = await http.call('GET', '/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('crosswalk_reconcile_last_repaired{system="ats",entity="Company"} 1\n');
    expect(metrics.text).toContain('crosswalk_reconcile_last_tombstoned{system="ats",entity="Company"} 1\n');
    expect(metrics.text).toMatch(/crosswalk_reconcile_last_success_timestamp_seconds\{system="ats",entity="Company"\} \d+/);
  });
});
