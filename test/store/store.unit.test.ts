import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTITY_NAMES, entityFields } from '../../src/model/index.ts';
import { TABLE_INFO, type LinkRow, type OutboxRequest, type SqliteStore } from '../../src/store/index.ts';
import { countRows, openTempStore, type TempStore } from '../support/temp-store.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

const CLIENT = {
  name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly',
  addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null,
};

function link(over: Partial<LinkRow> = {}): LinkRow {
  return {
    system: 'ats', entity: 'client', externalId: 'c1', canonicalId: 'client-1', state: 'linked', base: { name: 'x' },
    sourceHash: 'h', sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null,
    seenRunId: null, createdAt: NOW, updatedAt: NOW, ...over,
  };
}

function outboxRequest(over: Partial<OutboxRequest> = {}): OutboxRequest {
  return { system: 'payroll', entity: 'client', canonicalId: 'client-1', op: 'update', fields: ['name'], reason: 'ats changed name', ...over };
}

let t: TempStore;
let store: SqliteStore;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
});
afterEach(() => t.dispose());

describe('unit of work', () => {
  it('commits and returns the callback result', async () => {
    const result = await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
      return 42;
    });
    expect(result).toBe(42);
    expect(countRows(store, 'clients')).toBe(1);
  });

  it('rolls back every write when the callback throws after an await', async () => {
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
        await tx.links.upsertMany([link()]);
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(countRows(store, 'clients')).toBe(0);
    expect(countRows(store, 'links')).toBe(0);
    expect(store.db.inTransaction).toBe(false);
    // The store is usable afterwards.
    await store.unitOfWork(async (tx) => tx.canonical.insertMany('client', [{ id: 'client-2', fields: CLIENT, changedAt: null }], NOW));
    expect(countRows(store, 'clients')).toBe(1);
  });

  it('rolls back earlier writes when a later statement fails (a foreign key)', async () => {
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
        await tx.canonical.insertMany('worksite', [{ id: 'w1', fields: { clientId: 'missing', name: 'Dock 4', status: 'active' }, changedAt: null }], NOW);
      }),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(countRows(store, 'clients')).toBe(0);
  });

  it('runs units of work one at a time even when their awaits interleave', async () => {
    const order: string[] = [];
    const slow = store.unitOfWork(async (tx) => {
      order.push('slow:start');
      await tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: null }], NOW);
      await new Promise((r) => setTimeout(r, 20));
      order.push('slow:end');
      throw new Error('slow fails');
    });
    const fast = store.unitOfWork(async (tx) => {
      order.push('fast:start');
      await tx.canonical.insertMany('client', [{ id: 'client-2', fields: CLIENT, changedAt: null }], NOW);
      order.push('fast:end');
    });
    await expect(slow).rejects.toThrow('slow fails');
    await fast;
    expect(order).toEqual(['slow:start', 'slow:end', 'fast:start', 'fast:end']);
    // The failed unit's rollback did not take the other unit's write with it.
    expect(store.db.prepare('SELECT id FROM clients').pluck().all()).toEqual(['client-2']);
  });

  it('commits a durable unit with synchronous=FULL and goes back to NORMAL', async () => {
    let during: unknown;
    await store.unitOfWork(async () => {
      during = store.db.pragma('synchronous', { simple: true });
    }, { durable: true });
    expect(during).toBe(2);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('refuses every repository write outside a unit of work', async () => {
    const r = store.repos;
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['canonical insert', () => r.canonical.insertMany('client', [{ id: 'x', fields: CLIENT, changedAt: null }], NOW)],
      ['canonical update', () => r.canonical.updateMany('client', [{ id: 'x', fields: CLIENT, changedAt: null }], NOW)],
      ['canonical delete', () => r.canonical.setDeleted('client', ['x'], NOW, NOW)],
      ['links', () => r.links.upsertMany([link()])],
      ['tombstone', () => r.links.setTombstone('ats', 'client', ['c1'], NOW, NOW)],
      ['ledger', () => r.ledger.appendMany([{ at: NOW, direction: 'in', system: 'ats', entity: 'client', canonicalId: null, externalId: null, action: 'create', outcome: 'applied', diff: null, reason: null, sourceModifiedAt: null, actor: null, runId: null, jobId: null }])],
      ['conflicts', () => r.conflicts.markResolved('x', 'current', null, 'ops', null, NOW)],
      ['outbox', () => r.outbox.enqueueMany([outboxRequest()], NOW)],
      ['outbox claim', () => r.outbox.claim('x', NOW)],
      ['inbox', () => r.inbox.insert({ id: 'i1', system: 'gusto', eventId: 'e1', kind: 'webhook', entity: null, externalId: null, payload: '{}', receivedAt: NOW })],
      ['runs', () => r.runs.start('pull', 'ats', 'client', NOW)],
      ['cursors', () => r.cursors.set('ats', 'client', 'c', NOW)],
    ];
    for (const [what, attempt] of attempts) {
      await expect(attempt(), what).rejects.toThrow(/must run inside store\.unitOfWork\(\)/);
    }
    for (const table of ['clients', 'links', 'ledger', 'outbox', 'inbox', 'runs', 'sync_cursors']) expect(countRows(store, table)).toBe(0);
  });
});

describe('canonical repository', () => {
  it('inserts at revision 1, updates bump the revision, reads map columns back to fields', async () => {
    await store.unitOfWork(async (tx) => tx.canonical.insertMany('client', [{ id: 'client-1', fields: CLIENT, changedAt: '2026-01-01T00:00:00Z' }], NOW));
    const row = await store.repos.canonical.get('client', 'client-1');
    expect(row).toEqual({ id: 'client-1', revision: 1, createdAt: NOW, updatedAt: NOW, changedAt: '2026-01-01T00:00:00Z', deletedAt: null, fields: CLIENT });
    await store.unitOfWork(async (tx) => tx.canonical.updateMany('client', [{ id: 'client-1', fields: { ...CLIENT, city: 'Toledo' }, changedAt: null }], later(1)));
    const after = await store.repos.canonical.get('client', 'client-1');
    expect(after?.revision).toBe(2);
    expect(after?.fields['city']).toBe('Toledo');
    expect(after?.createdAt).toBe(NOW);
    expect(after?.updatedAt).toBe(later(1));
  });

  it('matches emails case-insensitively and never a deleted row', async () => {
    const cand = (email: string) => ({ firstName: 'A', lastName: 'B', email, phone: null, city: null, state: null, status: 'active', employeeType: null });
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('candidate', [
        { id: 'k1', fields: cand('Ada@Example.test'), changedAt: null },
        { id: 'k2', fields: cand('gone@example.test'), changedAt: null },
      ], NOW);
      await tx.canonical.setDeleted('candidate', ['k2'], NOW, NOW);
    });
    const found = await store.repos.canonical.idsByEmail('candidate', 'email', ['ada@example.test', 'gone@example.test']);
    expect([...found.entries()]).toEqual([['ada@example.test', ['k1']]]);
    expect(await store.repos.canonical.count('candidate')).toBe(1);
    expect(await store.repos.canonical.count('candidate', true)).toBe(2);
  });
});

describe('outbox', () => {
  const enqueue = (requests: OutboxRequest[], now = NOW) => store.unitOfWork((tx) => tx.outbox.enqueueMany(requests, now));

  it('coalesces changes to one record into its one pending row: fields unioned, reasons joined, a create stays a create', async () => {
    const [first] = await enqueue([outboxRequest({ op: 'create', fields: ['name', 'city'], reason: 'new in payroll' })]);
    const [second] = await enqueue([outboxRequest({ fields: ['status', 'name'], reason: 'ats changed status' })], later(1));
    const [third] = await enqueue([outboxRequest({ fields: ['status'], reason: 'ats changed status' })], later(2));
    expect(second).toBe(first);
    expect(third).toBe(first);
    const rows = await store.repos.outbox.list({ limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: first, op: 'create', fields: ['city', 'name', 'status'], status: 'pending', reason: 'new in payroll; ats changed status',
      idempotencyKey: first, createdAt: NOW, updatedAt: later(2),
    });
  });

  it('keeps separate rows per system and per record', async () => {
    const ids = await enqueue([outboxRequest(), outboxRequest({ system: 'adp' }), outboxRequest({ canonicalId: 'client-2' }), outboxRequest()]);
    expect(new Set(ids).size).toBe(3);
    expect(ids[3]).toBe(ids[0]);
    expect(countRows(store, 'outbox')).toBe(3);
  });

  it('claims a pending row once; a row abandoned mid-push is taken again after five minutes', async () => {
    const [id = ''] = await enqueue([outboxRequest()]);
    const claimed = await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    expect(claimed).toMatchObject({ id, status: 'processing', attempts: 1 });
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(2)))).toBeNull();
    const due = await store.repos.outbox.due(later(3), 10);
    expect(due).toEqual([]);
    expect((await store.repos.outbox.due(later(7), 10)).map((r) => r.id)).toEqual([id]);
    const again = await store.unitOfWork((tx) => tx.outbox.claim(id, later(7)));
    expect(again).toMatchObject({ id, status: 'processing', attempts: 2 });
  });

  it('takes a new change during a push as a new pending row', async () => {
    const [id = ''] = await enqueue([outboxRequest()]);
    await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    const [next] = await enqueue([outboxRequest({ fields: ['city'] })], later(2));
    expect(next).not.toBe(id);
    expect(await store.repos.outbox.countByStatus()).toEqual({ processing: 1, pending: 1 });
  });

  it('marks a push done with the vendor id, and a done row cannot be claimed', async () => {
    const [id = ''] = await enqueue([outboxRequest()]);
    await store.unitOfWork(async (tx) => {
      await tx.outbox.claim(id, later(1));
      await tx.outbox.markDone(id, 'gusto-77', later(2));
    });
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'done', externalId: 'gusto-77', doneAt: later(2), lastError: null });
    expect(await store.unitOfWork((tx) => tx.outbox.claim(id, later(30)))).toBeNull();
  });

  it('puts a failed attempt back to pending with its retry time, and due() waits for it', async () => {
    const [id = ''] = await enqueue([outboxRequest()]);
    await store.unitOfWork(async (tx) => {
      await tx.outbox.claim(id, later(1));
      await tx.outbox.markAttemptFailed(id, 'HTTP 503', false, later(10), later(2));
    });
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'pending', lastError: 'HTTP 503', nextAttemptAt: later(10), attempts: 1 });
    expect(await store.repos.outbox.due(later(5), 10)).toEqual([]);
    expect((await store.repos.outbox.due(later(10), 10)).map((r) => r.id)).toEqual([id]);
  });

  it('folds a failed attempt into a newer pending row for the same record instead of breaking the unique index', async () => {
    const [id = ''] = await enqueue([outboxRequest({ fields: ['name'] })]);
    await store.unitOfWork((tx) => tx.outbox.claim(id, later(1)));
    const [newer = ''] = await enqueue([outboxRequest({ fields: ['city'], reason: 'ats changed city' })], later(2));
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(id, 'HTTP 503', false, later(10), later(3)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'done', lastError: `merged into ${newer}: HTTP 503` });
    expect(await store.repos.outbox.get(newer)).toMatchObject({ status: 'pending', fields: ['city', 'name'] });
  });

  it('parks a row as failed and replays it to pending with attempts reset', async () => {
    const [id = ''] = await enqueue([outboxRequest()]);
    await store.unitOfWork(async (tx) => {
      await tx.outbox.claim(id, later(1));
      await tx.outbox.markAttemptFailed(id, '422 invalid', true, null, later(2));
    });
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'failed', lastError: '422 invalid' });
    const n = await store.unitOfWork((tx) => tx.outbox.replay([id, 'no-such-row'], later(3)));
    expect(n).toBe(1);
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: null });
    // Replaying a row that is not failed does nothing.
    expect(await store.unitOfWork((tx) => tx.outbox.replay([id], later(4)))).toBe(0);
  });

  it('replays a failed row into the pending row that took its place', async () => {
    const [id = ''] = await enqueue([outboxRequest({ fields: ['name'] })]);
    await store.unitOfWork(async (tx) => {
      await tx.outbox.claim(id, later(1));
      await tx.outbox.markAttemptFailed(id, '422', true, null, later(2));
    });
    const [pending = ''] = await enqueue([outboxRequest({ fields: ['city'] })], later(3));
    await store.unitOfWork((tx) => tx.outbox.replay([id], later(4)));
    expect(await store.repos.outbox.get(id)).toMatchObject({ status: 'done', lastError: `replayed into ${pending}` });
    expect(await store.repos.outbox.get(pending)).toMatchObject({ status: 'pending', fields: ['city', 'name'] });
  });
});

describe('inbox', () => {
  const delivery = (id: string, eventId: string, system = 'gusto') => ({
    id, system, eventId, kind: 'webhook' as const, entity: 'employee', externalId: 'e-1', payload: '{"a":1}', receivedAt: NOW,
  });

  it('dedupes on (system, event id) and says which row holds the event', async () => {
    const first = await store.unitOfWork((tx) => tx.inbox.insert(delivery('in-1', 'evt-9')));
    const again = await store.unitOfWork((tx) => tx.inbox.insert(delivery('in-2', 'evt-9')));
    const other = await store.unitOfWork((tx) => tx.inbox.insert(delivery('in-3', 'evt-9', 'greenhouse')));
    expect(first).toEqual({ inserted: true, id: 'in-1' });
    expect(again).toEqual({ inserted: false, id: 'in-1' });
    expect(other).toEqual({ inserted: true, id: 'in-3' });
    expect(countRows(store, 'inbox')).toBe(2);
  });

  it('tracks processing and attempts', async () => {
    await store.unitOfWork((tx) => tx.inbox.insert(delivery('in-1', 'evt-1')));
    await store.unitOfWork((tx) => tx.inbox.recordAttempt('in-1', 'timeout'));
    expect((await store.repos.inbox.pending(10)).map((r) => r.id)).toEqual(['in-1']);
    await store.unitOfWork((tx) => tx.inbox.markProcessed('in-1', 'done', null, later(1)));
    expect(await store.repos.inbox.get('in-1')).toMatchObject({ status: 'done', attempts: 2, lastError: null, processedAt: later(1) });
    expect(await store.repos.inbox.pending(10)).toEqual([]);
  });
});

describe('runs', () => {
  it('adds progress counts to what was there, keeps the latest cursor, and finishes with a report', async () => {
    const run = await store.unitOfWork((tx) => tx.runs.start('pull', 'ats', 'client', NOW, { page: 0 }));
    await store.unitOfWork((tx) => tx.runs.progress(run.id, { page: 1 }, { created: 3, unchanged: 1 }));
    await store.unitOfWork((tx) => tx.runs.progress(run.id, { page: 2 }, { created: 2, conflicts: 1 }));
    expect(await store.repos.runs.latestRunning('pull', 'ats', 'client')).toMatchObject({
      id: run.id, status: 'running', cursor: { page: 2 }, counts: { created: 5, unchanged: 1, conflicts: 1 },
    });
    await store.unitOfWork((tx) => tx.runs.finish(run.id, 'succeeded', { pages: 2 }, null, later(5)));
    expect(await store.repos.runs.get(run.id)).toMatchObject({ status: 'succeeded', report: { pages: 2 }, finishedAt: later(5), error: null });
    expect(await store.repos.runs.latestRunning('pull', 'ats', 'client')).toBeNull();
    expect((await store.repos.runs.lastFinished('pull', 'ats'))?.id).toBe(run.id);
  });
});

describe('links', () => {

  it('allows one link per system for a canonical record', async () => {
    await store.unitOfWork((tx) => tx.links.upsertMany([link()]));
    await expect(store.unitOfWork((tx) => tx.links.upsertMany([link({ externalId: 'c2' })]))).rejects.toThrow(/UNIQUE/);
    await store.unitOfWork((tx) => tx.links.upsertMany([link({ system: 'payroll', externalId: 'p1' })]));
    expect((await store.repos.links.byCanonical('client', ['client-1'])).map((l) => l.system).sort()).toEqual(['ats', 'payroll']);
  });
});

describe('canonical tables', () => {
  const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  it.each(ENTITY_NAMES)('%s: every model field has its column, and no column lacks a field', (entity) => {
    const info = TABLE_INFO[entity];
    expect([...info.columns.keys()].sort()).toEqual([...entityFields(entity)].sort());
    for (const [field, column] of info.columns) expect(column, field).toBe(snake(field));
    // The migrated database agrees with the drizzle schema.
    const actual = (t.store.db.prepare(`PRAGMA table_info(${info.name})`).all() as Array<{ name: string }>).map((c) => c.name);
    expect(actual.sort()).toEqual(
      [...info.columns.values(), 'id', 'revision', 'created_at', 'updated_at', 'changed_at', 'deleted_at'].sort(),
    );
  });
});
