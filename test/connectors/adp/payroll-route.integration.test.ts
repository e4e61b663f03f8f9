import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset, type Dataset } from '../../../fixtures/dataset/index.ts';
import { PassThrough } from 'node:stream';
import { exportTime } from '../../../src/csv/export-time.ts';
import { applyLocalChange } from '../../../src/engine/index.ts';
import { nowIso } from '../../../src/lib/time.ts';
import type { LinkRow } from '../../../src/store/index.ts';
import { startAdpHarness, type AdpHarness } from './support/hub.ts';

/**
 * Approved time through the hub to the payroll that pays the worker: an ADP worker's day lands in
 * ADP's pay data batch (the worker found through the assignment's candidate link), the Gusto row
 * for it is settled without a call, and a worker linked to both payrolls is parked until a
 * per-client setting decides. Real SQLite, real HTTPS with mutual TLS, the inline queue.
 */
let dataset: Dataset;
let harness: AdpHarness | null = null;
beforeAll(() => {
  dataset = sampleDataset();
});
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function approvedDay(h: AdpHarness, assignmentId: string, workDate: string, regularHours: number, overtimeHours = 0): Promise<string> {
  return h.store.unitOfWork(async (tx) => {
    const created = await applyLocalChange(tx, h.hub.registry(), {
      entity: 'time_entry', actor: 'test', changes: { assignmentId, workDate, regularHours, overtimeHours, doubleTimeHours: 0, status: 'submitted', approvedById: null, approvedAt: null, note: null },
    }, nowIso());
    await applyLocalChange(tx, h.hub.registry(), { entity: 'time_entry', canonicalId: created.canonicalId, actor: 'test', changes: { status: 'approved', approvedAt: nowIso() } }, nowIso());
    return created.canonicalId;
  });
}

/** The first ADP worker linked to a candidate, and one of that candidate's assignments. */
async function linkedWorker(h: AdpHarness): Promise<{ aoid: string; candidateId: string; assignmentId: string; group: string }> {
  for (const worker of h.adp.control.workers()) {
    const link = await h.store.repos.links.get('adp', 'candidate', worker.associateOID);
    if (link?.state !== 'linked' || link.canonicalId === null) continue;
    const candidateKey = [...h.ids].find(([, id]) => id === link.canonicalId)?.[0];
    const assignment = dataset.assignments.find((a) => a.candidateId === candidateKey && (a.status === 'active' || a.status === 'completed'));
    const assignmentId = assignment === undefined ? undefined : h.ids.get(assignment.key);
    const group = (worker['workAssignments'] as Array<{ payrollGroupCode: string }>)[0]?.payrollGroupCode;
    if (assignmentId !== undefined && group !== undefined) return { aoid: worker.associateOID, candidateId: link.canonicalId, assignmentId, group };
  }
  throw new Error('no linked ADP worker with an assignment');
}

describe('which payroll gets an assignment\'s time', () => {
  it('an ADP worker\'s approved day goes to ADP as pay data (once, read back), and the Gusto row is settled without a call', async () => {
    const h = (harness = await startAdpHarness(dataset));
    await h.syncAdp();
    const w = await linkedWorker(h);
    const entryId = await approvedDay(h, w.assignmentId, '2026-11-17', 8, 1.5);
    const rows = await h.store.repos.outbox.list({ entity: 'time_entry', canonicalId: entryId, limit: 10 });
    expect(rows.map((r) => r.system).sort()).toEqual(['adp', 'gusto']);

    await h.pushAll('gusto', 'time_entry');
    await h.pushAll('adp', 'time_entry');
    const after = await h.store.repos.outbox.list({ entity: 'time_entry', canonicalId: entryId, limit: 10 });
    expect(after.map((r) => [r.system, r.status, r.externalId]).sort()).toEqual([
      ['adp', 'done', `${w.group}~crosswalk-week-2026-11-15~${w.aoid}~2026-11-17`],
      ['gusto', 'done', null],
    ]);
    const held = h.adp.control.payData(w.group, 'crosswalk-week-2026-11-15', w.aoid).map((l) => [l.earningCode, l.numberOfHours]);
    expect(held).toEqual([['R', 8], ['O', 1.5]]);
    const link = await h.store.repos.links.forCanonical('adp', 'time_entry', entryId);
    expect(link?.meta).toMatchObject({ sent: { R: 8, O: 1.5 }, associateOID: w.aoid });
    // The worker was read once by the pull; the push took the company code and file number from its link.
    expect(h.adp.control.stats.requests).toBeLessThan(h.adp.control.workers().length);
    expect((await h.store.repos.canonical.get('time_entry', entryId))?.fields['status']).toBe('exported');
  });

  it('a worker linked to both payrolls is parked (never sent to both) until the client\'s setting names one', async () => {
    const h = (harness = await startAdpHarness(dataset));
    await h.syncAdp();
    const w = await linkedWorker(h);
    // The same worker is also a Gusto employee.
    const now = nowIso();
    const gustoLink: LinkRow = {
      system: 'gusto', entity: 'candidate', externalId: 'gusto-emp-1', canonicalId: w.candidateId, state: 'linked', base: {}, sourceHash: null, sourceModifiedAt: null,
      pending: null, waitingOn: null, reason: null, meta: {}, tombstonedAt: null, seenRunId: null, createdAt: now, updatedAt: now,
    };
    await h.store.unitOfWork((tx) => tx.links.upsertMany([gustoLink]));
    const entryId = await approvedDay(h, w.assignmentId, '2026-11-18', 8);
    await h.pushAll('adp', 'time_entry');
    const [row] = await h.store.repos.outbox.list({ system: 'adp', entity: 'time_entry', canonicalId: entryId, limit: 10 });
    expect(row?.status).toBe('failed');
    expect(row?.lastError).toMatch(/linked to gusto and adp/);
    expect(h.adp.control.payDataStats.modifies).toBe(0);
  });

  it('the ADP payroll file takes company code and file number from the worker\'s ADP link (kept by the pull)', async () => {
    const h = (harness = await startAdpHarness(dataset));
    await h.syncAdp();
    const w = await linkedWorker(h);
    const worker = h.adp.control.workers().find((x) => x.associateOID === w.aoid);
    const file = (worker?.['workAssignments'] as Array<{ payrollFileNumber: string }> | undefined)?.[0]?.payrollFileNumber;
    expect((await h.store.repos.links.forCanonical('adp', 'candidate', w.candidateId))?.meta).toMatchObject({ payrollGroupCode: w.group, payrollFileNumber: file });
    await approvedDay(h, w.assignmentId, '2026-11-19', 8, 2);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportTime(h.store, h.hub.registry(), { format: 'adp', period: { from: '2026-11-15', to: '2026-11-21' }, dryRun: true }, out);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split(/\r?\n/);
    expect(result.skipped).toEqual([]);
    expect(lines[0]).toBe('Co Code,Batch ID,File #,Reg Hours,O/T Hours,Hours 3 Code,Hours 3 Amount,Temp Rate');
    expect(lines.slice(1).some((l) => l.startsWith(`${w.group},CW261121,${file ?? '?'},8.00,2.00,`))).toBe(true);
  });
});
