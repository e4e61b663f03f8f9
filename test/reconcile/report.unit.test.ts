import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StaticPolicy, ownedFields } from '../../src/engine/index.ts';
import { buildReport, decideGate, isSourceOf, reconcileMetrics, type ReconcileCursor } from '../../src/reconcile/index.ts';
import type { RunRow } from '../../src/store/index.ts';
import { openTempStore } from '../support/temp-store.ts';

describe('decideGate', () => {
  it('tombstones only from a listing with live records that did not shrink past the threshold', () => {
    fc.assert(
      fc.property(fc.nat(5_000), fc.nat(5_000), fc.double({ min: 0, max: 1, noNaN: true }), (links, alive, threshold) => {
        const gate = decideGate({ staged: alive, alive, links }, threshold);
        const expected = links === 0 || (alive > 0 && alive >= (1 - threshold) * links);
        expect(gate.tombstone).toBe(expected);
        expect(gate.reason === null).toBe(expected);
      }),
    );
  });

  it('never tombstones after an empty listing, even with a threshold of 1', () => {
    expect(decideGate({ staged: 0, alive: 0, links: 10 }, 1)).toMatchObject({ tombstone: false, reason: 'listing shrank suspiciously: 0 of 10 (an empty listing) — no tombstones' });
    expect(decideGate({ staged: 3, alive: 3, links: 10 }, 0.5)).toMatchObject({ tombstone: false, reason: 'listing shrank suspiciously: 3 of 10 — no tombstones' });
    expect(decideGate({ staged: 5, alive: 5, links: 10 }, 0.5)).toMatchObject({ tombstone: true, reason: null });
  });
});

describe('isSourceOf', () => {
  const policy = new StaticPolicy({
    inbound: {
      ats: { candidate: { fields: new Map([...ownedFields('ats', ['firstName', 'lastName', 'status']), ...ownedFields('shared', ['email'])]), match: { byEmail: false, unmatched: 'create' } } },
      payroll: { candidate: { fields: ownedFields('shared', ['email', 'phone']), match: { byEmail: true, unmatched: 'create' } } },
    },
  });
  it('is the system that owns the most of the entity\'s fields; shared fields make nobody the source', () => {
    expect(isSourceOf(policy, 'ats', 'candidate')).toBe(true);
    expect(isSourceOf(policy, 'payroll', 'candidate')).toBe(false);
    expect(isSourceOf(policy, 'ats', 'client')).toBe(false);
  });
});

describe('buildReport', () => {
  const cursor = { gates: { client: { staged: 4, alive: 4, links: 10, tombstone: false, reason: 'listing shrank suspiciously: 4 of 10 — no tombstones' } } } as unknown as ReconcileCursor;
  const run: RunRow = {
    id: 'r1', kind: 'reconcile', system: 'ats', entity: 'Company', status: 'running', cursor, report: null, error: null,
    counts: { seen: 4, staged: 4, diff: 1, changed: 1, repaired: 1, requests: 6 }, startedAt: '2026-11-01T00:00:00.000Z', finishedAt: null,
  };

  it('derives matched, the requests the rate limit allowed over the run, and why tombstones were skipped', () => {
    const report = buildReport({ run, cursor, status: 'partial', finishedAt: '2026-11-01T00:00:30.000Z', rateLimit: { max: 20, duration: 1000 }, orphans: null, error: null });
    expect(report.counts).toMatchObject({ seen: 4, matched: 3, changed: 1, tombstoned: 0 });
    expect(report.requests).toEqual({ used: 6, allowed: 600, limit: { max: 20, duration: 1000 } });
    expect(report.durationMs).toBe(30_000);
    expect(report.listingMs).toBeNull();
    const listed = buildReport({ run, cursor: { ...cursor, listedAt: '2026-11-01T00:00:20.000Z' }, status: 'partial', finishedAt: '2026-11-01T00:00:30.000Z', rateLimit: null, orphans: null, error: null });
    expect(listed).toMatchObject({ listingMs: 20_000, requests: { used: 6, allowed: null, limit: null } });
    expect(report.tombstones).toEqual({ skipped: true, reasons: ['client: listing shrank suspiciously: 4 of 10 — no tombstones'] });
  });
});

describe('reconcileMetrics', () => {
  it('exposes the last finished run per system and entity and the last success time as Prometheus gauges', async () => {
    const temp = openTempStore();
    try {
      const store = temp.store;
      const finish = async (entity: string, status: 'succeeded' | 'partial', seen: number, at: string) => {
        await store.unitOfWork(async (tx) => {
          const r = await tx.runs.start('reconcile', 'ats', entity, at);
          await tx.runs.progress(r.id, null, { seen, tombstoned: 2 });
          const fresh = await tx.runs.get(r.id);
          if (!fresh) throw new Error('no run');
          const report = buildReport({ run: fresh, cursor: null, status, finishedAt: at, rateLimit: null, orphans: null, error: null });
          await tx.runs.finish(r.id, status, report, null, at);
        });
      };
      await finish('Company', 'succeeded', 10, '2026-11-01T00:00:00.000Z');
      await finish('Company', 'partial', 7, '2026-11-02T00:00:00.000Z');
      const text = await reconcileMetrics(store);
      expect(text).toContain('# TYPE crosswalk_reconcile_last_seen gauge\ncrosswalk_reconcile_last_seen{system="ats",entity="Company"} 7\n');
      expect(text).toContain('crosswalk_reconcile_last_tombstoned{system="ats",entity="Company"} 2\n');
      expect(text).toContain(`crosswalk_reconcile_last_success_timestamp_seconds{system="ats",entity="Company"} ${Date.parse('2026-11-01T00:00:00.000Z') / 1000}\n`);
    } finally {
      temp.dispose();
    }
  });
});
