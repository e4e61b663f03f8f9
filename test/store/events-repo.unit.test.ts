import { afterEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../support/temp-store.ts';

/* Portal events are appended inside a unit of work, rolled back with it, and read in order. */

const temps: TempStore[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.dispose();
});

const base = { entity: 'time_entry', clientId: 'cli_1', worksiteId: 'ws_1', actor: 'contact:c1', at: '2026-12-07T10:00:00.000Z' } as const;

describe('portal events', () => {
  it('appends in the unit of work, keeps order, and rolls back with it', async () => {
    const t = openTempStore();
    temps.push(t);
    const { store } = t;
    await store.unitOfWork(async (tx) => {
      await tx.events.append({ ...base, type: 'time.submitted', canonicalId: 'te_1', recipients: ['c2'], data: { hours: 8 } });
      await tx.events.append({ ...base, type: 'time.approved', canonicalId: 'te_1' });
    });
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.events.append({ ...base, type: 'time.rejected', canonicalId: 'te_1' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const rows = await store.repos.events.after(0, 10);
    expect(rows.map((r) => r.type)).toEqual(['time.submitted', 'time.approved']);
    expect(rows[0]).toMatchObject({ recipients: ['c2'], data: { hours: 8 }, clientId: 'cli_1' });
    expect(rows[1]).toMatchObject({ recipients: [], data: {} });
    expect(await store.repos.events.after(rows[0]?.seq ?? 0, 10)).toHaveLength(1);
    expect(await store.repos.events.forRecord('time_entry', 'te_1')).toHaveLength(2);
  });

  it('refuses an append outside a unit of work', async () => {
    const t = openTempStore();
    temps.push(t);
    await expect(t.store.repos.events.append({ ...base, type: 'time.submitted', canonicalId: 'te_1' })).rejects.toThrow(/unitOfWork/);
  });
});
