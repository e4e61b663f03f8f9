import { expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    at: NOW, direction: 'in', system: 'ats', entity: 'client', canonicalId: 'client-1', externalId: 'c1', action: 'create', outcome: 'applied',
    diff: [{ field: 'name', from: null, to: 'Harbor', result: 'applied' }], reason: null, sourceModifiedAt: null, actor: null, runId: null, jobId: null,
    ...over,
  };
}

describeEachStore('ledger repository', (current) => {
  it('appends in order with increasing sequence numbers and reads every field back', async () => {
    const store = current();
    const rows = [
      entry(),
      entry({ diff: null, reason: 'why', sourceModifiedAt: later(1), actor: 'user:1', runId: 'run-1', jobId: 'job-1', outcome: 'conflict', action: 'update' }),
    ];
    await store.unitOfWork((tx) => tx.ledger.appendMany(rows));
    await store.unitOfWork((tx) => tx.ledger.appendMany([]));
    const read = await store.repos.ledger.query({ limit: 10 });
    expect(read.map(({ seq: _seq, ...rest }) => rest)).toEqual(rows);
    const [a, b] = read;
    expect(typeof a?.seq).toBe('number');
    expect((b?.seq ?? 0) > (a?.seq ?? 0)).toBe(true);
  });

  it('keeps the given order across batch statements', async () => {
    const store = current();
    const rows = Array.from({ length: 2_500 }, (_, i) => entry({ externalId: `e${i}` }));
    await store.unitOfWork((tx) => tx.ledger.appendMany(rows));
    expect(await store.repos.ledger.count()).toBe(2_500);
    const all = await store.repos.ledger.query({ limit: 3_000 });
    expect(all.map((e) => e.externalId)).toEqual(rows.map((e) => e.externalId));
  });

  it('filters, pages both ways, counts by outcome and reads one record newest first', async () => {
    const store = current();
    await store.unitOfWork((tx) =>
      tx.ledger.appendMany([
        entry({ at: later(0) }),
        entry({ at: later(1), outcome: 'rejected', system: 'payroll', runId: 'r1' }),
        entry({ at: later(2), canonicalId: 'client-2', actor: 'user:7' }),
        entry({ at: later(3), outcome: 'rejected' }),
      ]),
    );
    const all = await store.repos.ledger.query({ limit: 10 });
    const seqs = all.map((e) => e.seq ?? 0);
    const at = (q: Omit<Parameters<typeof store.repos.ledger.query>[0], 'limit'>) => store.repos.ledger.query({ limit: 10, ...q }).then((r) => r.map((e) => e.at));
    expect(await at({ outcome: 'rejected' })).toEqual([later(1), later(3)]);
    expect(await at({ system: 'payroll', runId: 'r1' })).toEqual([later(1)]);
    expect(await at({ system: 'PAYROLL' })).toEqual([]);
    expect(await at({ actor: 'user:7' })).toEqual([later(2)]);
    expect(await at({ canonicalId: 'client-1', entity: 'client' })).toEqual([later(0), later(1), later(3)]);
    expect(await at({ since: later(1), until: later(3) })).toEqual([later(1), later(2)]);
    expect(await at({ afterSeq: seqs[1] ?? 0 })).toEqual([later(2), later(3)]);
    expect(await at({ beforeSeq: seqs[2] ?? 0, newestFirst: true })).toEqual([later(1), later(0)]);
    expect(await store.repos.ledger.query({ limit: 1, newestFirst: true }).then((r) => r[0]?.at)).toBe(later(3));
    expect(await store.repos.ledger.countByOutcome()).toEqual({ applied: 2, rejected: 2 });
    expect((await store.repos.ledger.latestFor('client', 'client-1', 2)).map((e) => e.at)).toEqual([later(3), later(1)]);
    expect(await store.repos.ledger.latestFor('client', 'nobody', 2)).toEqual([]);
  });

  it('refuses an append outside a unit of work and rolls back with it', async () => {
    const store = current();
    await expect(store.repos.ledger.appendMany([entry()])).rejects.toThrow(/unitOfWork/);
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.ledger.appendMany([entry()]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.repos.ledger.count()).toBe(0);
    expect(await store.repos.ledger.countByOutcome()).toEqual({});
  });
});
