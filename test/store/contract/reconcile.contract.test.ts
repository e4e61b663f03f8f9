import { expect, it } from 'vitest';
import type { EntityName } from '../../../src/model/index.ts';
import type { StagedRow } from '../../../src/store/repos/reconcile-repo.ts';
import { describeEachStore } from '../../support/stores.ts';
import { seed, seedCanonical } from './seed-rows.ts';
import { later, link, NOW } from './support.ts';

const staged = (externalId: string, over: Partial<StagedRow> = {}): StagedRow => ({
  entity: 'client', externalId, hash: `h-${externalId}`, sourceModifiedAt: null, deleted: false, ...over,
});

const RUN = 'run-1';

describeEachStore('reconcile repository', (current) => {
  it('stages a page in one go, a record listed twice keeping its latest row, and counts rows and live ones', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.reconcile.stage(RUN, 0, [
        staged('e1', { hash: 'first' }),
        staged('e2', { deleted: true, sourceModifiedAt: NOW }),
        staged('e1', { hash: 'second' }),
        staged('e1', { entity: 'candidate' }),
      ]),
    );
    expect(await store.repos.reconcile.countStaged(RUN, 'client')).toEqual({ rows: 2, live: 1 });
    expect(await store.repos.reconcile.countStaged(RUN, 'candidate')).toEqual({ rows: 1, live: 1 });
    expect(await store.repos.reconcile.countStaged('other-run', 'client')).toEqual({ rows: 0, live: 0 });
    const rows = await store.query.all<{ external_id: string; entity: string; hash: string; source_modified_at: string | null; deleted: number; page: number }>(
      'SELECT external_id, entity, hash, source_modified_at, deleted, page FROM reconcile_staging ORDER BY external_id, entity',
    );
    expect(rows).toEqual([
      { external_id: 'e1', entity: 'candidate', hash: 'h-e1', source_modified_at: null, deleted: 0, page: 0 },
      { external_id: 'e1', entity: 'client', hash: 'second', source_modified_at: null, deleted: 0, page: 0 },
      { external_id: 'e2', entity: 'client', hash: 'h-e2', source_modified_at: NOW, deleted: 1, page: 0 },
    ]);
    // A later page listing it again (offset paging shifting) replaces the row.
    await store.unitOfWork((tx) => tx.reconcile.stage(RUN, 1, [staged('e2', { deleted: false, hash: 'again' })]));
    expect(await store.repos.reconcile.countStaged(RUN, 'client')).toEqual({ rows: 2, live: 2 });
    expect(await store.query.value<number>("SELECT page FROM reconcile_staging WHERE external_id = 'e2'")).toBe(1);
    await store.unitOfWork((tx) => tx.reconcile.stage(RUN, 2, []));
  });

  it('stages a page larger than one batch', async () => {
    const store = current();
    const rows = Array.from({ length: 2_345 }, (_, i) => staged(`x${String(i).padStart(5, '0')}`, { deleted: i % 5 === 0 }));
    await store.unitOfWork((tx) => tx.reconcile.stage(RUN, 0, rows));
    expect(await store.repos.reconcile.countStaged(RUN, 'client')).toEqual({ rows: 2_345, live: 2_345 - 469 });
  });

  it('counts live links only', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ externalId: 'l1', canonicalId: 'c-1' }),
        link({ externalId: 'l2', canonicalId: 'c-2', tombstonedAt: NOW }),
        link({ externalId: 'l3', canonicalId: null, state: 'held' }),
        link({ externalId: 'l4', canonicalId: 'c-4', state: 'parked' }),
        link({ system: 'payroll', externalId: 'p1', canonicalId: 'c-1' }),
      ]),
    );
    expect(await store.repos.reconcile.countLiveLinks('ats', 'client')).toBe(1);
    expect(await store.repos.reconcile.countLiveLinks('ats', 'candidate')).toBe(0);
  });

  it('diffs staging against links: added, changed (null hash too), restored; matched and deleted-unknown skipped', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ externalId: 'b-changed', canonicalId: 'c-b', sourceHash: 'old' }),
        link({ externalId: 'c-nullhash', canonicalId: 'c-c', sourceHash: null }),
        link({ externalId: 'd-matched', canonicalId: 'c-d', sourceHash: 'h-d-matched' }),
        link({ externalId: 'e-restored', canonicalId: 'c-e', sourceHash: 'h-e-restored', tombstonedAt: NOW }),
        link({ externalId: 'f-gone', canonicalId: 'c-f', sourceHash: 'h-f-gone', tombstonedAt: NOW }),
        link({ externalId: 'g-tomb-changed', canonicalId: 'c-g', sourceHash: 'old', tombstonedAt: NOW }),
        link({ system: 'payroll', externalId: 'a-added', canonicalId: 'c-a', sourceHash: 'h-a-added' }),
      ]),
    );
    await store.unitOfWork((tx) =>
      tx.reconcile.stage(RUN, 0, [
        staged('a-added'), staged('a-deleted-unknown', { deleted: true }), staged('b-changed'), staged('c-nullhash'), staged('d-matched'),
        staged('e-restored'), staged('f-gone', { deleted: true }), staged('g-tomb-changed', { deleted: true }),
      ]),
    );
    expect(await store.repos.reconcile.diffPage(RUN, 'ats', null, 100)).toEqual([
      { externalId: 'a-added', entity: 'client', kind: 'added', canonicalId: null, reappeared: false },
      { externalId: 'b-changed', entity: 'client', kind: 'changed', canonicalId: 'c-b', reappeared: false },
      { externalId: 'c-nullhash', entity: 'client', kind: 'changed', canonicalId: 'c-c', reappeared: false },
      { externalId: 'e-restored', entity: 'client', kind: 'restored', canonicalId: 'c-e', reappeared: true },
      { externalId: 'g-tomb-changed', entity: 'client', kind: 'changed', canonicalId: 'c-g', reappeared: false },
    ]);
    expect((await store.repos.reconcile.diffPage(RUN, 'ats', 'c-nullhash', 100)).map((d) => d.externalId)).toEqual(['e-restored', 'g-tomb-changed']);
    expect(await store.repos.reconcile.diffPage('other-run', 'ats', null, 100)).toEqual([]);
  });

  it('pages the diff by whole external ids, and returns one id whole when it alone fills a page', async () => {
    const store = current();
    const both = (id: string): StagedRow[] => [staged(id), staged(id, { entity: 'assignment_rate' as EntityName })];
    await store.unitOfWork((tx) => tx.reconcile.stage(RUN, 0, [...both('p1'), ...both('p2'), staged('p3')]));
    const first = await store.repos.reconcile.diffPage(RUN, 'ats', null, 3);
    // p1 (2 rows) + p2's first row fill the page: p2 is left whole for the next page.
    expect(first.map((d) => `${d.externalId}/${d.entity}`)).toEqual(['p1/assignment_rate', 'p1/client']);
    const second = await store.repos.reconcile.diffPage(RUN, 'ats', 'p1', 3);
    // Full again (p2's two rows + p3): p3 waits for the page after.
    expect(second.map((d) => `${d.externalId}/${d.entity}`)).toEqual(['p2/assignment_rate', 'p2/client']);
    expect((await store.repos.reconcile.diffPage(RUN, 'ats', 'p2', 3)).map((d) => `${d.externalId}/${d.entity}`)).toEqual(['p3/client']);
    const tiny = await store.repos.reconcile.diffPage(RUN, 'ats', null, 1);
    expect(tiny.map((d) => `${d.externalId}/${d.entity}`)).toEqual(['p1/assignment_rate', 'p1/client']);
  });

  it('pages live links the listing did not have', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ externalId: 'm1', canonicalId: 'c-1' }),
        link({ externalId: 'm2', canonicalId: 'c-2' }),
        link({ externalId: 'm3', canonicalId: 'c-3' }),
        link({ externalId: 'm4', canonicalId: 'c-4', tombstonedAt: NOW }),
        link({ externalId: 'seen', canonicalId: 'c-5' }),
      ]),
    );
    await store.unitOfWork((tx) => tx.reconcile.stage(RUN, 0, [staged('seen'), staged('m2', { entity: 'candidate' })]));
    expect(await store.repos.reconcile.missingPage(RUN, 'ats', 'client', null, 2)).toEqual([
      { externalId: 'm1', canonicalId: 'c-1' }, { externalId: 'm2', canonicalId: 'c-2' },
    ]);
    expect(await store.repos.reconcile.missingPage(RUN, 'ats', 'client', 'm2', 2)).toEqual([{ externalId: 'm3', canonicalId: 'c-3' }]);
  });

  it('lists tombstones due whose canonical record is not deleted yet', async () => {
    const store = current();
    await seedCanonical(store, 'clients', [
      { id: 'c-1', name: 'A', status: 'active' }, { id: 'c-2', name: 'B', status: 'active', deleted_at: NOW },
      { id: 'c-3', name: 'C', status: 'active' }, { id: 'c-4', name: 'D', status: 'active' },
    ]);
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ externalId: 't1', canonicalId: 'c-1', tombstonedAt: NOW }),
        link({ externalId: 't2', canonicalId: 'c-2', tombstonedAt: NOW }),
        link({ externalId: 't3', canonicalId: 'c-3', tombstonedAt: later(10) }),
        link({ externalId: 't4', canonicalId: 'c-4' }),
      ]),
    );
    expect(await store.repos.reconcile.tombstonesDue('ats', 'client', later(5), null, 10)).toEqual([{ externalId: 't1', canonicalId: 'c-1', tombstonedAt: NOW }]);
    expect((await store.repos.reconcile.tombstonesDue('ats', 'client', later(10), 't1', 10)).map((t) => t.externalId)).toEqual(['t3']);
  });

  it('purges a run’s staging a slice at a time, and finds runs left with staging', async () => {
    const store = current();
    await seed(store, 'runs', [
      { id: 'r-done', kind: 'reconcile', system: 'ats', status: 'succeeded', started_at: NOW },
      { id: 'r-live', kind: 'reconcile', system: 'ats', status: 'running', started_at: NOW },
      { id: 'r-empty', kind: 'reconcile', system: 'ats', status: 'failed', started_at: NOW },
      { id: 'r-a-failed', kind: 'reconcile', system: 'ats', status: 'failed', started_at: NOW },
      { id: 'r-pull', kind: 'pull', system: 'ats', status: 'succeeded', started_at: NOW },
    ]);
    await store.unitOfWork(async (tx) => {
      await tx.reconcile.stage('r-done', 0, ['a', 'b', 'c', 'd', 'e'].map((x) => staged(x)));
      await tx.reconcile.stage('r-live', 0, [staged('a')]);
      await tx.reconcile.stage('r-a-failed', 0, [staged('a')]);
      await tx.reconcile.stage('r-pull', 0, [staged('a')]);
    });
    expect(await store.repos.reconcile.leftoverRuns(10)).toEqual(['r-a-failed', 'r-done']);
    expect(await store.repos.reconcile.leftoverRuns(1)).toEqual(['r-a-failed']);
    expect(await store.unitOfWork((tx) => tx.reconcile.purge('r-done', 2))).toBe(2);
    expect(await store.repos.reconcile.countStaged('r-done', 'client')).toEqual({ rows: 3, live: 3 });
    expect(await store.unitOfWork((tx) => tx.reconcile.purge('r-done', 10))).toBe(3);
    expect(await store.unitOfWork((tx) => tx.reconcile.purge('r-done', 10))).toBe(0);
    expect(await store.repos.reconcile.countStaged('r-live', 'client')).toEqual({ rows: 1, live: 1 });
  });

  it('finds payroll orphans both ways, with counts and the first items in id order', async () => {
    const store = current();
    await seedCanonical(store, 'candidates', ['k1', 'k2', 'k3', 'k4'].map((id) => ({ id, first_name: 'F', last_name: 'L', status: 'active' })));
    await seedCanonical(store, 'assignments', [
      { id: 'as-1', candidate_id: 'k1', start_date: '2026-01-01', status: 'active' },
      { id: 'as-2', candidate_id: 'k2', start_date: '2026-01-01', status: 'active' },
      { id: 'as-3', candidate_id: 'k3', start_date: '2026-01-01', status: 'ended' },
      { id: 'as-4', candidate_id: 'k4', start_date: '2026-01-01', status: 'active', deleted_at: NOW },
    ]);
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-1', canonicalId: 'k1' }),
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-4', canonicalId: 'k4' }),
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-9', canonicalId: 'k9' }),
        link({ system: 'payroll', entity: 'candidate', externalId: 'emp-2', canonicalId: 'k2', tombstonedAt: NOW }),
      ]),
    );
    // k4's only assignment is deleted and k9 has none: both are employees without an assignment.
    expect(await store.repos.reconcile.employeesWithoutAssignment('payroll', 1)).toEqual({ count: 2, items: [{ canonicalId: 'k4', externalId: 'emp-4' }] });
    // as-2's worker link is tombstoned; as-3 is not active; as-4 is deleted.
    expect(await store.repos.reconcile.assignmentsWithoutPayrollWorker('payroll', 10)).toEqual({ count: 1, items: [{ canonicalId: 'as-2', externalId: null }] });
    expect(await store.repos.reconcile.assignmentsWithoutPayrollWorker('adp', 10)).toEqual({
      count: 2, items: [{ canonicalId: 'as-1', externalId: null }, { canonicalId: 'as-2', externalId: null }],
    });
    expect(await store.repos.reconcile.employeesWithoutAssignment('adp', 10)).toEqual({ count: 0, items: [] });
  });

  it('finds approved time never exported and exported time payroll does not have', async () => {
    const store = current();
    await seedCanonical(store, 'candidates', [{ id: 'k1', first_name: 'F', last_name: 'L', status: 'active' }]);
    await seedCanonical(store, 'assignments', [{ id: 'as-1', candidate_id: 'k1', start_date: '2026-01-01', status: 'active' }]);
    const te = (id: string, status: string, workDate: string, approvedAt: string | null, deletedAt: string | null = null) => ({
      id, assignment_id: 'as-1', work_date: workDate, regular_hours: 8, overtime_hours: 0, double_time_hours: 0, status, approved_at: approvedAt, deleted_at: deletedAt,
    });
    await seedCanonical(store, 'time_entries', [
      te('t1', 'approved', '2026-02-01', '2026-02-02T00:00:00.000Z'),
      te('t2', 'approved', '2026-02-01', null),
      te('t3', 'approved', '2026-02-01', '2026-03-05T00:00:00.000Z'), // approved after the cutoff
      te('t4', 'approved', '2026-02-01', null, NOW), // deleted
      te('t5', 'exported', '2026-02-01', null),
      te('t6', 'invoiced', '2026-02-01', null),
      te('t7', 'exported', '2026-02-01', null),
      te('t8', 'approved', '2026-02-01', null),
    ]);
    await store.unitOfWork((tx) =>
      tx.links.upsertMany([
        link({ system: 'payroll', entity: 'time_entry', externalId: 'x7', canonicalId: 't7' }),
        link({ system: 'payroll', entity: 'time_entry', externalId: 'x6', canonicalId: 't6', tombstonedAt: NOW }),
        link({ system: 'payroll', entity: 'time_entry', externalId: 'x8', canonicalId: 't8', state: 'rejected' }),
      ]),
    );
    expect(await store.repos.reconcile.approvedTimeNotExported('payroll', '2026-03-01', 10)).toEqual({
      count: 2, items: [{ canonicalId: 't1', externalId: null }, { canonicalId: 't2', externalId: null }],
    });
    expect(await store.repos.reconcile.exportedTimeMissingInPayroll('payroll', 10)).toEqual({
      count: 2, items: [{ canonicalId: 't5', externalId: null }, { canonicalId: 't6', externalId: null }],
    });
  });

  it('refuses writes outside a unit of work, and a rolled-back stage leaves nothing', async () => {
    const store = current();
    await expect(store.repos.reconcile.stage(RUN, 0, [staged('a')])).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.reconcile.purge(RUN, 1)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.reconcile.stage(RUN, 0, [staged('a')]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.reconcile.countStaged(RUN, 'client')).toEqual({ rows: 0, live: 0 });
  });
});
