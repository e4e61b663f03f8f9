import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const finding = (system: string) => ({ key: `outbox_parked:${system}`, check: 'outbox_parked', system, title: 'Outbox parked', detail: '1 push(es) parked' });

interface IssueRow { key: string; check: string; detail: string; first_seen: string; last_seen: string; count: number; resolved_at: string | null }

describeEachStore('ops issues repository', (current) => {
  it('opens, refreshes and resolves an issue; only open ones are listed by key', async () => {
    const store = current();
    expect(await store.repos.opsIssues.openByKey()).toEqual(new Map());
    const [a, b] = await store.unitOfWork(async (tx) => [await tx.opsIssues.open(finding('ats'), NOW), await tx.opsIssues.open(finding('payroll'), NOW)]);
    expect(a).not.toBe(b);
    expect(await store.repos.opsIssues.openByKey()).toEqual(new Map([['outbox_parked:ats', a], ['outbox_parked:payroll', b]]));
    await store.unitOfWork(async (tx) => {
      await tx.opsIssues.refresh(a ?? '', '2 push(es) parked', later(5));
      await tx.opsIssues.resolve(b ?? '', later(5));
      await tx.opsIssues.resolve(b ?? '', later(9)); // already resolved: keeps its first resolution time
    });
    const rows = await store.query.all<IssueRow>('SELECT key, "check", detail, first_seen, last_seen, count, resolved_at FROM ops_issues ORDER BY key');
    expect(rows).toEqual([
      { key: 'outbox_parked:ats', check: 'outbox_parked', detail: '2 push(es) parked', first_seen: NOW, last_seen: later(5), count: 2, resolved_at: null },
      { key: 'outbox_parked:payroll', check: 'outbox_parked', detail: '1 push(es) parked', first_seen: NOW, last_seen: NOW, count: 1, resolved_at: later(5) },
    ]);
    expect([...(await store.repos.opsIssues.openByKey()).keys()]).toEqual(['outbox_parked:ats']);
  });

  it('writes only inside a unit of work, and a rolled-back unit leaves nothing', async () => {
    const store = current();
    await expect(store.repos.opsIssues.open(finding('ats'), NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.repos.opsIssues.resolve('x', NOW)).rejects.toThrow(/inside store.unitOfWork/);
    await expect(store.unitOfWork(async (tx) => {
      await tx.opsIssues.open(finding('ats'), NOW);
      throw new Error('abandon');
    })).rejects.toThrow('abandon');
    expect(await store.repos.opsIssues.openByKey()).toEqual(new Map());
  });
});
