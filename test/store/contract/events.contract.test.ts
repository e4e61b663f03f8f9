import { expect, it } from 'vitest';
import type { PortalEventInput } from '../../../src/model/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { NOW } from './support.ts';

const base: PortalEventInput = { type: 'time.submitted', entity: 'time_entry', canonicalId: 'te_1', clientId: 'cli_1', worksiteId: 'ws_1', actor: 'contact:c1', at: NOW };

describeEachStore('portal events repository', (current) => {
  it('appends in a unit of work returning increasing seqs, and reads after a seq and by record', async () => {
    const store = current();
    const seqs = await store.unitOfWork(async (tx) => [
      await tx.events.append({ ...base, recipients: ['c2', 'c3'], data: { hours: 8, week: '2026-W09', billable: true, note: null } }),
      await tx.events.append({ ...base, type: 'time.approved' }),
      await tx.events.append({ ...base, type: 'document.added', entity: 'document', canonicalId: null, clientId: null, worksiteId: null, actor: null }),
    ]);
    expect(seqs.every((s) => typeof s === 'number')).toBe(true);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const rows = await store.repos.events.after(0, 10);
    expect(rows.map((r) => r.seq)).toEqual(seqs);
    expect(rows[0]).toEqual({ ...base, seq: seqs[0], recipients: ['c2', 'c3'], data: { hours: 8, week: '2026-W09', billable: true, note: null } });
    expect(rows[1]).toMatchObject({ type: 'time.approved', recipients: [], data: {} });
    expect(rows[2]).toMatchObject({ canonicalId: null, clientId: null, worksiteId: null, actor: null });
    expect((await store.repos.events.after(seqs[0] ?? 0, 1)).map((r) => r.seq)).toEqual([seqs[1]]);
    expect(await store.repos.events.after(seqs[2] ?? 0, 10)).toEqual([]);
    expect((await store.repos.events.forRecord('time_entry', 'te_1')).map((r) => r.type)).toEqual(['time.submitted', 'time.approved']);
    expect(await store.repos.events.forRecord('time_entry', 'TE_1')).toEqual([]);
  });

  it('rolls back with its unit of work and refuses an append outside one', async () => {
    const store = current();
    await expect(store.unitOfWork(async (tx) => {
      await tx.events.append(base);
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect(await store.repos.events.after(0, 10)).toEqual([]);
    await expect(store.repos.events.append(base)).rejects.toThrow(/unitOfWork/);
  });
});
