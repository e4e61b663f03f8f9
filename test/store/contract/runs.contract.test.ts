import { expect, it } from 'vitest';
import type { RunRow } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

describeEachStore('runs repository', (current) => {
  it('starts a run and reads back every field, JSON cursor and null entity intact', async () => {
    const store = current();
    const run = await store.unitOfWork((tx) => tx.runs.start('pull', 'ats', null, NOW, { page: 3, token: 'x"y' }));
    expect(run).toMatchObject({ kind: 'pull', system: 'ats', entity: null, status: 'running', counts: {} });
    expect(await store.repos.runs.get(run.id)).toEqual(run);
    const bare = await store.unitOfWork((tx) => tx.runs.start('import', 'csv:billing', 'time_entry', NOW));
    expect((await store.repos.runs.get(bare.id))?.cursor).toBeNull();
    expect(await store.repos.runs.get('no-such-run')).toBeNull();
  });

  it('adds progress counts to what was there and moves the cursor', async () => {
    const store = current();
    const run = await store.unitOfWork((tx) => tx.runs.start('pull', 'ats', 'client', NOW));
    await store.unitOfWork((tx) => tx.runs.progress(run.id, { page: 1 }, { created: 2, updated: 1 }));
    await store.unitOfWork((tx) => tx.runs.progress(run.id, { page: 2 }, { created: 3, held: 1 }));
    const row = await store.repos.runs.get(run.id);
    expect(row?.cursor).toEqual({ page: 2 });
    expect(row?.counts).toEqual({ created: 5, updated: 1, held: 1 });
    await store.unitOfWork((tx) => tx.runs.progress(run.id, null, {}));
    expect((await store.repos.runs.get(run.id))?.cursor).toBeNull();
  });

  it('finishes a run with its report and error', async () => {
    const store = current();
    const run = await store.unitOfWork((tx) => tx.runs.start('reconcile', 'ats', 'client', NOW));
    await store.unitOfWork((tx) => tx.runs.finish(run.id, 'failed', { missing: [1, 2] }, 'vendor said 500', later(3)));
    expect(await store.repos.runs.get(run.id)).toMatchObject({
      status: 'failed', report: { missing: [1, 2] }, error: 'vendor said 500', finishedAt: later(3),
    });
  });

  it('finds the latest running run, a null entity matching only a null entity', async () => {
    const store = current();
    const [a, b, c] = await store.unitOfWork(async (tx) => [
      await tx.runs.start('pull', 'ats', null, NOW),
      await tx.runs.start('pull', 'ats', null, later(1)),
      await tx.runs.start('pull', 'ats', 'client', later(2)),
    ]);
    expect((await store.repos.runs.latestRunning('pull', 'ats', null))?.id).toBe(b?.id);
    expect((await store.repos.runs.latestRunning('pull', 'ats', 'client'))?.id).toBe(c?.id);
    expect(await store.repos.runs.latestRunning('pull', 'ats', 'Client')).toBeNull(); // case-sensitive
    expect(await store.repos.runs.latestRunning('pull', 'payroll', null)).toBeNull();
    await store.unitOfWork((tx) => tx.runs.finish(b?.id ?? '', 'succeeded', null, null, later(5)));
    expect((await store.repos.runs.latestRunning('pull', 'ats', null))?.id).toBe(a?.id);
  });

  it('orders runs started at the same instant by id (the later-made first)', async () => {
    const store = current();
    const ids = await store.unitOfWork(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push((await tx.runs.start('push', 'payroll', null, NOW)).id);
      return out;
    });
    expect((await store.repos.runs.list({ kind: 'push', limit: 10 })).map((r) => r.id)).toEqual([...ids].reverse());
    expect((await store.repos.runs.latestRunning('push', 'payroll', null))?.id).toBe(ids[2]);
    expect((await store.repos.runs.latest('push', 'payroll', ['running']))?.id).toBe(ids[2]);
  });

  it('answers lastFinished by finish time, never a run without one', async () => {
    const store = current();
    const [a, b] = await store.unitOfWork(async (tx) => [
      await tx.runs.start('export', 'payroll', null, NOW),
      await tx.runs.start('export', 'payroll', null, later(1)),
      await tx.runs.start('export', 'payroll', null, later(2)), // still running: no finish time
    ]);
    await store.unitOfWork(async (tx) => {
      await tx.runs.finish(a?.id ?? '', 'succeeded', null, null, later(9));
      await tx.runs.finish(b?.id ?? '', 'succeeded', null, null, later(4));
    });
    expect((await store.repos.runs.lastFinished('export', 'payroll'))?.id).toBe(a?.id);
    expect(await store.repos.runs.lastFinished('export', 'payroll', 'failed')).toBeNull();
    // Asked for running runs: the one without a finish time.
    expect((await store.repos.runs.lastFinished('export', 'payroll', 'running'))?.status).toBe('running');
  });

  it('lists with filters, pages by id, picks the latest among statuses, and counts by kind and status', async () => {
    const store = current();
    const made: RunRow[] = await store.unitOfWork(async (tx) => {
      const out: RunRow[] = [];
      for (let i = 0; i < 5; i++) out.push(await tx.runs.start(i % 2 === 0 ? 'pull' : 'reconcile', 'ats', i < 4 ? 'client' : 'candidate', later(i)));
      return out;
    });
    const [r0, r1, r2, r3, r4] = made;
    await store.unitOfWork(async (tx) => {
      await tx.runs.finish(r0?.id ?? '', 'succeeded', null, null, later(10));
      await tx.runs.finish(r2?.id ?? '', 'partial', null, null, later(11));
    });
    expect((await store.repos.runs.list({ limit: 10 })).map((r) => r.id)).toEqual([r4, r3, r2, r1, r0].map((r) => r?.id));
    expect((await store.repos.runs.list({ kind: 'pull', status: 'running', limit: 10 })).map((r) => r.id)).toEqual([r4?.id]);
    expect(await store.repos.runs.list({ system: 'payroll', limit: 10 })).toEqual([]);
    const first = await store.repos.runs.page({ limit: 2 });
    expect(first.map((r) => r.id)).toEqual([r4?.id, r3?.id]);
    const next = await store.repos.runs.page({ limit: 2, before: first[1]?.id ?? '' });
    expect(next.map((r) => r.id)).toEqual([r2?.id, r1?.id]);
    expect((await store.repos.runs.page({ limit: 10, entity: 'candidate' })).map((r) => r.id)).toEqual([r4?.id]);
    expect((await store.repos.runs.latest('pull', 'ats', ['succeeded', 'partial']))?.id).toBe(r2?.id);
    expect(await store.repos.runs.latest('pull', 'ats', [])).toBeNull();
    expect(await store.repos.runs.countByKindStatus()).toEqual([
      { kind: 'pull', status: 'partial', n: 1 },
      { kind: 'pull', status: 'running', n: 1 },
      { kind: 'pull', status: 'succeeded', n: 1 },
      { kind: 'reconcile', status: 'running', n: 2 },
    ]);
    await expect(store.repos.runs.ping()).resolves.toBeUndefined();
  });

  it('refuses writes outside a unit of work, and a rolled-back start leaves nothing', async () => {
    const store = current();
    await expect(store.repos.runs.start('pull', 'ats', null, NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.runs.progress('x', null, {})).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.runs.finish('x', 'failed', null, null, NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.runs.start('pull', 'ats', null, NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.runs.list({ limit: 10 })).toEqual([]);
  });
});
