/**
 * A worker SIGKILLed in the middle of a reconcile listing, against the Bullhorn emulator: the run
 * resumes from its last committed page in another process, no committed page is fetched again, and
 * the end state is the source's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { createReconcileHandler } from '../../jobs/handlers/reconcile-run.ts';
import { Relay } from '../../src/queue/relay.ts';
import type { EnqueueItem } from '../../src/queue/jobs.ts';
import type { ReconcileCursor, ReconcileReport } from '../../src/reconcile/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';
import {
  bullhornHub, expectHubEqualsSource, fullPull, hubCandidates, lastReconcile, listingStarts, runJobs, startLoggedEmulator, targetOf,
  type LoggedEmulator,
} from './support/bullhorn.ts';

const CHILD = fileURLToPath(new URL('./support/reconcile-child.ts', import.meta.url));
const PAGE = 20;

describe('reconcile: worker SIGKILL mid-listing', () => {
  let emu: LoggedEmulator;
  let dir: { dir: string; dispose(): void };
  beforeEach(async () => {
    emu = await startLoggedEmulator({ dataset: sampleDataset(), sessionTtlMs: 86_400_000 });
    dir = tempDir();
  });
  afterEach(async () => {
    await emu.close();
    dir.dispose();
  });

  it('resumes in another process at the last committed page and ends equal to the source', async () => {
    const seed = bullhornHub(targetOf(emu), { dir: dir.dir });
    await fullPull(seed.hub);
    const ids = [...hubCandidates(seed.hub).keys()].sort((a, b) => a - b);
    await seed.close();
    emu.control.edit('Candidate', ids[5] as number, { firstName: 'Killed-Run' });
    emu.control.hardDelete('Candidate', ids[120] as number);
    emu.requests.length = 0;

    // Slow pages (4 requests a second), so the kill lands while the listing is under way.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ dir: dir.dir, target: targetOf(emu), pageSize: PAGE, rps: 4 })], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let gone = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => {
      gone = true;
      resolve();
    }));
    const watcher = SqliteStore.open(`${dir.dir}/hub.sqlite`, { migrate: false });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [run] = await watcher.repos.runs.list({ kind: 'reconcile', limit: 1 });
        if (run && (run.cursor as ReconcileCursor).listingPages >= 3) break;
        if (gone || Date.now() > deadline) throw new Error('the child never committed three listing pages');
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
    } finally {
      watcher.close();
    }

    const h = bullhornHub(targetOf(emu), { dir: dir.dir });
    try {
      const killed = await lastReconcile(h.hub);
      expect(killed.status).toBe('running');
      const committed = (killed.cursor as ReconcileCursor).listingPages;
      const beforeResume = listingStarts(emu, 'Candidate');

      const items: EnqueueItem[] = [];
      const relay = new Relay({ store: h.hub.store(), driver: { enqueueBulk: async (list) => void items.push(...list) }, staleRunMs: 0, now: () => new Date(Date.now() + 1000) });
      await relay.sweep();
      const [resume] = items;
      expect(resume?.options.jobId).toBe(`reconcile:${killed.id}:${(killed.cursor as ReconcileCursor).page}`);
      await runJobs(h.hub, createReconcileHandler({ settings: { pageSize: PAGE } }), resume?.payload as { system: string; entity: string }, { jobId: resume?.options.jobId ?? '' });

      const run = await lastReconcile(h.hub);
      expect(run.id).toBe(killed.id);
      expect(run.status).toBe('succeeded');
      const report = run.report as ReconcileReport;
      expect(report.counts).toMatchObject({ seen: ids.length - 1, changed: 1, repaired: 1, tombstoned: 1, pages: Math.ceil((ids.length - 1) / PAGE) });
      // Committed pages were never asked for again; only the page in flight at the kill may have been.
      const starts = listingStarts(emu, 'Candidate');
      const resumedStarts = starts.slice(beforeResume.length);
      const committedStarts = beforeResume.slice(0, committed);
      expect(resumedStarts.filter((s) => committedStarts.includes(s))).toEqual([]);
      expect(starts.length - new Set(starts).size).toBeLessThanOrEqual(1);
      expectHubEqualsSource(emu, h.hub, ids);
    } finally {
      await h.close();
    }
  });
});
