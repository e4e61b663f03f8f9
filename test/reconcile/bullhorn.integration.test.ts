import { sqliteOf } from '../support/temp-store.ts';
/**
 * Reconciliation against the Bullhorn emulator over real HTTP, through the real connector and the
 * reconcile.run handler: drift injected behind the hub's back through `control`, then a run, then
 * canonical data compared with the source record by record.
 */
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { createReconcileHandler, reconcileRun } from '../../jobs/handlers/reconcile-run.ts';
import { registerReconcile } from '../../src/cli/commands/reconcile.ts';
import { CliContext } from '../../src/cli/context.ts';
import type { Hub } from '../../src/hub.ts';
import { Relay } from '../../src/queue/relay.ts';
import type { EnqueueItem } from '../../src/queue/jobs.ts';
import type { ReconcileReport } from '../../src/reconcile/index.ts';
import type { RunRow } from '../../src/store/index.ts';
import { countRows } from '../support/temp-store.ts';
import {
  bullhornHub, expectHubEqualsSource, fullPull, hubCandidates, lastReconcile, listingStarts, runJobs, startLoggedEmulator, targetOf,
  type BullhornHub, type LoggedEmulator,
} from './support/bullhorn.ts';

const PAGE = 40;
const reportOf = (run: RunRow) => run.report as ReconcileReport;
const smallPages = createReconcileHandler({ settings: { pageSize: PAGE } });

describe('reconcile against the Bullhorn emulator', () => {
  let emu: LoggedEmulator;
  let h: BullhornHub;
  let ids: number[];
  beforeEach(async () => {
    emu = await startLoggedEmulator({ dataset: sampleDataset(), sessionTtlMs: 86_400_000 });
    h = bullhornHub(targetOf(emu), { http: { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 } } });
    await fullPull(h.hub);
    ids = [...hubCandidates(h.hub).keys()].sort((a, b) => a - b);
    emu.requests.length = 0;
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
  });

  it('dropped events, edits made while the hub was down, hard and soft deletes: repaired, counted, in the ledger', async () => {
    const created = [
      emu.control.create('Candidate', { firstName: 'Marisol', lastName: 'Ferrante', email: 'marisol.ferrante@example.test', status: 'Active', employeeType: 'W2' }),
      emu.control.create('Candidate', { firstName: 'Deshawn', lastName: 'Okafor', email: 'deshawn.okafor@example.test', status: 'Placed', employeeType: 'W2' }),
    ];
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    emu.control.edit('Candidate', a, { firstName: 'Renamed' });
    emu.control.edit('Candidate', b, { status: 'Inactive' });
    emu.control.hardDelete('Candidate', c);
    emu.control.hardDelete('Candidate', d);
    emu.control.softDelete('Candidate', e);

    await runJobs(h.hub, smallPages, { system: 'bullhorn', entity: 'Candidate' });
    const run = await lastReconcile(h.hub);
    expect(run.status).toBe('succeeded');
    expect(reportOf(run).counts).toMatchObject({
      seen: ids.length + created.length - 2, added: 2, changed: 3, repaired: 4, missing: 2, relisted: 0, tombstoned: 3, conflicts: 0, rejected: 0,
    });
    expectHubEqualsSource(emu, h.hub, [...ids, ...created]);

    const ledger = await h.hub.store().repos.ledger.query({ runId: run.id, limit: 100 });
    const rows = ledger.map((l) => `${l.action}:${l.externalId}`).sort();
    expect(rows).toEqual(
      [`create:${created[0]}`, `create:${created[1]}`, `update:${a}`, `update:${b}`, `tombstone:${c}`, `tombstone:${d}`, `tombstone:${e}`].sort(),
    );
    // No page was read twice, and the request budget is reported.
    const starts = listingStarts(emu, 'Candidate');
    expect(new Set(starts).size).toBe(starts.length);
    expect(reportOf(run).requests.used).toBeGreaterThanOrEqual(starts.length);
    // Bullhorn's documented limit, 1,500 a minute, over the run's wall time.
    expect(reportOf(run).requests).toMatchObject({ limit: { max: 1500, duration: 60_000 }, allowed: Math.floor((1500 * reportOf(run).durationMs) / 60_000) });
    expect(countRows(sqliteOf(h.hub.store()), 'reconcile_staging')).toBe(0);
  });

  it('a run killed halfway and resumed by the relay fetches no page twice and ends where a clean run ends', async () => {
    emu.control.edit('Candidate', ids[10] as number, { lastName: 'Edited' });
    emu.control.hardDelete('Candidate', ids[150] as number);
    // Three jobs (three listing pages), then the worker dies and its queued job with it.
    const killed = await runJobs(h.hub, smallPages, { system: 'bullhorn', entity: 'Candidate' }, { maxJobs: 3 });
    expect(killed.left).toHaveLength(1);
    const running = await lastReconcile(h.hub);
    expect(running.status).toBe('running');

    const items: EnqueueItem[] = [];
    const relay = new Relay({ store: h.hub.store(), driver: { enqueueBulk: async (list) => void items.push(...list) }, staleRunMs: 0, now: () => new Date(Date.now() + 1000) });
    await relay.sweep();
    const [resume] = items;
    expect(resume?.options.jobId).toBe(`reconcile:${running.id}:3`);
    await runJobs(h.hub, smallPages, resume?.payload as { system: string; entity: string }, { jobId: resume?.options.jobId ?? '' });

    const run = await lastReconcile(h.hub);
    expect(run.id).toBe(running.id);
    expect(run.status).toBe('succeeded');
    const starts = listingStarts(emu, 'Candidate');
    expect(starts.length).toBe(Math.ceil((ids.length - 1) / PAGE));
    expect(new Set(starts).size).toBe(starts.length);
    expect(reportOf(run).counts).toMatchObject({ seen: ids.length - 1, changed: 1, repaired: 1, tombstoned: 1, pages: starts.length });
    expectHubEqualsSource(emu, h.hub, ids);
  });

  it('a listing that fails halfway tombstones nothing: the run fails with a report', async () => {
    emu.control.hardDelete('Candidate', ids[0] as number);
    emu.control.setListingBroken({ afterPages: 2 });
    await expect(runJobs(h.hub, smallPages, { system: 'bullhorn', entity: 'Candidate' }, { finalAttempt: true })).rejects.toThrow();
    const run = await lastReconcile(h.hub);
    expect(run.status).toBe('failed');
    expect(reportOf(run)).toMatchObject({ status: 'failed', counts: { pages: 2, tombstoned: 0 }, tombstones: { skipped: true } });
    expect([...hubCandidates(h.hub).values()].filter((r) => r['tombstonedAt'] !== null)).toEqual([]);
    expect(countRows(sqliteOf(h.hub.store()), 'reconcile_staging')).toBe(0);
  });

  it('a source that returns an empty list by mistake deletes nothing', async () => {
    emu.control.setListingEmpty(true);
    await runJobs(h.hub, reconcileRun, { system: 'bullhorn', entity: 'Candidate' });
    const run = await lastReconcile(h.hub);
    expect(run.status).toBe('partial');
    expect(reportOf(run).counts).toMatchObject({ seen: 0, tombstoned: 0, missing: 0 });
    expect(reportOf(run).tombstones.reasons).toEqual([`candidate: listing shrank suspiciously: 0 of ${ids.length} (an empty listing) — no tombstones`]);
    expect([...hubCandidates(h.hub).values()].filter((r) => r['tombstonedAt'] !== null)).toEqual([]);
  });

  it('done when: one `crosswalk reconcile` leaves canonical data equal to the source, every repair in the ledger, counts equal to the drift', async () => {
    const added = emu.control.create('Candidate', { firstName: 'Ines', lastName: 'Calloway', email: 'ines.calloway@example.test', status: 'Active', employeeType: 'W2' });
    emu.control.edit('Candidate', ids[3] as number, { email: 'changed.while.down@example.test' });
    emu.control.hardDelete('Candidate', ids[4] as number);
    // The CLI starts its own worker: a second hub on the same store, as a second process would be.
    await h.hub.close();
    const cli = bullhornHub(targetOf(emu), { dir: h.dir });
    const ctx = new (class extends CliContext {
      override hub(): Hub {
        return cli.hub;
      }
    })();
    const program = new Command('crosswalk').exitOverride();
    registerReconcile(program, ctx);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['node', 'crosswalk', 'reconcile', '--json']);
    } finally {
      spy.mockRestore();
      await cli.close();
    }
    const [first] = (JSON.parse(out) as { runs: Array<{ id: string; status: string; report: ReconcileReport }> }).runs;
    expect(first?.status).toBe('succeeded');
    expect(first?.report.counts).toMatchObject({ added: 1, changed: 1, repaired: 2, tombstoned: 1, conflicts: 0 });

    const again = bullhornHub(targetOf(emu), { dir: h.dir });
    try {
      expectHubEqualsSource(emu, again.hub, [...ids, added]);
      const ledger = await again.hub.store().repos.ledger.query({ runId: first?.id ?? '', limit: 10 });
      expect(ledger.map((l) => `${l.action}:${l.externalId}`).sort()).toEqual([`create:${added}`, `tombstone:${ids[4]}`, `update:${ids[3]}`].sort());
    } finally {
      await again.close();
    }
  });
});
