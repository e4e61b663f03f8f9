import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionSources } from '../../src/http/console/queries/exceptions.ts';
import { evaluateIssues, listIssues } from '../../src/http/console/queries/health.ts';
import { newestLinked } from '../../src/http/console/queries/mappings.ts';
import { parkedOutboxIds } from '../../src/http/console/queries/outbox.ts';
import { timeHistory } from '../../src/http/console/queries/record.ts';
import { findAnything, linkSystems } from '../../src/http/console/queries/search.ts';
import { listTables } from '../../src/store/list-tables.ts';
import type { LinkRow, SqlParam, Store } from '../../src/store/index.ts';
import { openTestStore, STORE_KINDS, type TestStore } from '../support/stores.ts';

/**
 * The console's own SQL (store.query) on both stores: the same seed, the same answers. The rows go
 * in through the links repository (on SqlRunner) and, for tables whose repositories still run only
 * on SQLite, through plain INSERTs on store.query.
 */

const T0 = '2026-04-01T00:00:00.000Z';
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const NOW = at(24 * 60);

type Row = Record<string, SqlParam>;

async function insert(store: Store, table: string, rows: readonly Row[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    await store.query.run(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
  }
}

const canonical = (id: string, fields: Row, deleted = false): Row => ({ id, created_at: T0, updated_at: T0, deleted_at: deleted ? at(1) : null, ...fields });

function link(over: Partial<LinkRow>): LinkRow {
  return {
    system: 'ats', entity: 'client', externalId: 'x', canonicalId: null, state: 'linked', base: null, sourceHash: null, sourceModifiedAt: null,
    pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null, createdAt: T0, updatedAt: T0, ...over,
  };
}

async function seed(store: Store): Promise<void> {
  await insert(store, 'clients', [
    canonical('cl-1', { name: 'Twin One', status: 'active' }),
    canonical('cl-2', { name: 'Twin Two', status: 'active' }),
    canonical('cl-3', { name: 'Abc Staffing', status: 'active' }),
    canonical('cl-4', { name: 'Ab%_cd Labor', status: 'active' }),
  ]);
  await insert(store, 'contacts', [canonical('ct-1', { client_id: 'cl-1', first_name: 'Dana', last_name: 'Twinning', email: 'Dana.Twin@Example.test', status: 'active' })]);
  await insert(store, 'candidates', [
    canonical('cd-1', { first_name: 'Rae', last_name: 'Quill', email: 'rae@example.test', status: 'active' }),
    canonical('cd-2', { first_name: 'Rae', last_name: 'Quilt', email: 'rae.q@example.test', status: 'active' }, true),
  ]);
  await insert(store, 'assignments', [canonical('as-1', { candidate_id: 'cd-1', title: 'Picker', start_date: '2026-03-01', status: 'active' })]);
  const entry = (id: string, workDate: string, regular: number, deleted = false): Row =>
    canonical(id, { assignment_id: 'as-1', work_date: workDate, regular_hours: regular, overtime_hours: 0, double_time_hours: 0, status: 'approved', approved_by_id: 'ct-1' }, deleted);
  await insert(store, 'time_entries', [entry('te-1', '2026-03-02', 8), entry('te-2', '2026-03-02', 7.5), entry('te-3', '2026-03-03', 8, true), entry('te-0', '2026-03-01', 6)]);
  await insert(store, 'time_entry_events', [
    canonical('ev-1', { time_entry_id: 'te-1', at: at(1), actor: 'contact:ct-1', from_status: null, to_status: 'submitted', comment: null }),
    canonical('ev-2', { time_entry_id: 'te-1', at: at(2), actor: 'contact:ct-1', from_status: 'submitted', to_status: 'approved', comment: 'ok' }),
  ]);
  await store.unitOfWork((tx) => tx.links.upsertMany([
    link({ externalId: 'C-1', canonicalId: 'cl-1', updatedAt: at(1) }),
    link({ externalId: 'C-2', canonicalId: 'cl-2', updatedAt: at(3) }),
    link({ externalId: 'C-held', state: 'held', waitingOn: 'ats|client|C-9', reason: 'waits for C-9', updatedAt: at(5) }),
    link({ externalId: 'C-rej', state: 'rejected', reason: 'no name', updatedAt: at(6) }),
    link({ system: 'payroll', externalId: 'P-park', canonicalId: 'cl-3', state: 'parked', reason: 'identity review' }),
    link({ system: 'bullhorn', entity: 'assignment', externalId: 'P-9', canonicalId: 'as-1' }),
  ]));
  const inbox = (id: string, system: string, eventId: string, status: string, receivedAt: string): Row =>
    ({ id, system, event_id: eventId, kind: 'record', payload: '{}', status, attempts: 0, received_at: receivedAt, entity: 'client', external_id: 'C-1' });
  await insert(store, 'inbox', [
    inbox('ib-1', 'ats', 'evt-1', 'failed', at(0)),
    inbox('ib-2', 'payroll', 'evt-1', 'processed', at(23 * 60)),
  ]);
  const outbox = (id: string, system: string, status: string): Row =>
    ({ id, system, entity: 'client', canonical_id: 'cl-1', op: 'update', fields: '{}', reason: 'change', status, attempts: 1, idempotency_key: `k-${id}`, created_at: T0, updated_at: T0 });
  await insert(store, 'outbox', [outbox('ob-2', 'payroll', 'failed'), outbox('ob-1', 'ats', 'failed'), outbox('ob-3', 'ats', 'pending')]);
  await insert(store, 'runs', [
    { id: 'run-1', kind: 'pull', system: 'ats', status: 'failed', error: 'ats answered 401 Unauthorized', started_at: at(10), finished_at: at(11) },
    { id: 'run-0', kind: 'pull', system: 'ats', status: 'succeeded', error: null, started_at: at(5), finished_at: at(6) },
    { id: 'run-2', kind: 'reconcile', system: 'payroll', status: 'succeeded', counts: '{"seen":10,"orphans":1,"repaired":1}', error: null, started_at: at(12), finished_at: at(13) },
  ]);
  await insert(store, 'users', [{ id: 'u-1', email: 'ops@example.test', role: 'viewer', status: 'active', created_at: T0, updated_at: T0 }]);
  const review = (id: string, status: string): Row =>
    ({ id, system: 'payroll', entity: 'client', external_id: `X-${id}`, status, reason: 'two candidates', evidence: '{"candidates":[]}', opened_at: T0, updated_at: T0 });
  await insert(store, 'identity_reviews', [review('ir-1', 'open'), review('ir-2', 'linked')]);
  const ledger = (outcome: string): Row => ({ at: T0, direction: 'in', system: 'ats', entity: 'client', action: 'update', outcome, external_id: 'C-1', canonical_id: 'cl-1' });
  await insert(store, 'ledger', [ledger('rejected'), ledger('applied'), ledger('rejected')]);
}

for (const kind of STORE_KINDS) {
  describe(`the console queries on ${kind}`, () => {
    let handle: TestStore | null = null;
    const store = (): Store => {
      if (!handle) throw new Error('store not open (beforeAll failed)');
      return handle.store;
    };
    beforeAll(async () => {
      handle = await openTestStore(kind);
      await seed(handle.store);
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('lists the systems holding links, in order', async () => {
      expect(await linkSystems(store())).toEqual(['ats', 'bullhorn', 'payroll']);
    });

    it('finds by external id, canonical id, inbox event, run id and e-mail (any case)', async () => {
      const hrefs = async (q: string) => (await findAnything(store(), q)).map((h) => h.href);
      expect(await hrefs('P-9')).toEqual(['/console/records/assignment/as-1']);
      expect(await findAnything(store(), 'C-1')).toEqual([{ kind: 'client', label: 'Twin One', href: '/console/records/client/cl-1', detail: 'ats client C-1 (linked)' }]);
      expect(await findAnything(store(), 'C-held')).toEqual([{ kind: 'client (held)', label: 'ats client C-held', href: '/console/exceptions?system=ats', detail: 'waits for C-9' }]);
      expect(await hrefs('c-1')).toEqual([]); // ids compare case-sensitively
      expect(await hrefs('cl-2')).toEqual(['/console/records/client/cl-2']);
      expect(await hrefs('run-1')).toEqual(['/console/runs/run-1']);
      expect(await hrefs('ib-1')).toEqual(['/console/inbox?id=ib-1']);
      expect((await hrefs('evt-1')).sort()).toEqual(['/console/inbox?id=ib-1', '/console/inbox?id=ib-2']);
      expect(await hrefs('DANA.TWIN@EXAMPLE.TEST')).toEqual(['/console/records/contact/ct-1']);
      expect(await findAnything(store(), 'OPS@example.test')).toEqual([{ kind: 'ops user', label: 'ops@example.test', href: '/console/access?user=u-1', detail: 'viewer' }]);
    });

    it('finds a name prefix ignoring case, skips deleted records, and takes LIKE wildcards literally', async () => {
      const labels = async (q: string) => (await findAnything(store(), q)).map((h) => `${h.kind}:${h.label}`);
      expect(await labels('twin')).toEqual(['client:Twin One', 'client:Twin Two', 'contact:Dana Twinning']);
      expect(await labels('DANA tw')).toEqual(['contact:Dana Twinning']);
      expect(await labels('rae')).toEqual(['candidate:Rae Quill']);
      expect(await labels('ab%')).toEqual(['client:Ab%_cd Labor']);
      expect(await labels('%_')).toEqual([]);
      expect(await findAnything(store(), 'twin', 2)).toHaveLength(2);
    });

    it('counts every stored exception kind', async () => {
      const count = async (k: string) => exceptionSources.find((x) => x.kind === k)?.count(store());
      expect(await count('held_records')).toBe(1);
      expect(await count('parked_records')).toBe(1);
      expect(await count('rejected_records')).toBe(1);
      expect(await count('identity_review')).toBe(1);
      expect(await count('rejected_rows')).toBe(2);
      const held = await exceptionSources.find((x) => x.kind === 'held_records')?.list(store(), { limit: 5 });
      expect(held?.rows.map((r) => r.what)).toEqual(['client C-held']);
    });

    it('lists an assignment\'s time entries and a time entry\'s events, newest first, deleted ones left out', async () => {
      const entries = await timeHistory(store(), 'assignment', 'as-1', 10);
      expect(entries.map((r) => [r.id, r.date, r.hours, r.by])).toEqual([
        ['te-2', '2026-03-02', '7.5 / 0 / 0', 'ct-1'],
        ['te-1', '2026-03-02', '8 / 0 / 0', 'ct-1'],
        ['te-0', '2026-03-01', '6 / 0 / 0', 'ct-1'],
      ]);
      expect((await timeHistory(store(), 'assignment', 'as-1', 1)).map((r) => r.id)).toEqual(['te-2']);
      const events = await timeHistory(store(), 'time_entry', 'te-1', 10);
      expect(events.map((r) => [r.id, r.status, r.note])).toEqual([['ev-2', 'submitted → approved', 'ok'], ['ev-1', '— → submitted', '']]);
      expect(await timeHistory(store(), 'client', 'cl-1', 10)).toEqual([]);
    });

    it('picks the newest linked record for a mapping preview, and the parked pushes a replay would touch', async () => {
      expect(await newestLinked(store(), 'ats', 'client')).toEqual({ canonicalId: 'cl-2', externalId: 'C-2' });
      expect(await newestLinked(store(), 'ats', 'assignment')).toBeUndefined();
      expect(await parkedOutboxIds(store(), {}, 500)).toEqual(['ob-1', 'ob-2']);
      expect(await parkedOutboxIds(store(), { system: 'payroll', entity: 'client' }, 500)).toEqual(['ob-2']);
      expect(await parkedOutboxIds(store(), { entity: 'candidate' }, 500)).toEqual([]);
      expect(await parkedOutboxIds(store(), {}, 1)).toEqual(['ob-1']);
    });

    it('opens, refreshes and resolves the durable ops issues in a unit of work', async () => {
      await evaluateIssues(store(), ['ats', 'payroll'], NOW);
      const first = await listIssues(store(), 10);
      expect(first.open.map((i) => `${i.check}:${i.system}`).sort()).toEqual([
        'credentials_failing:ats', 'inbox_failed:ats', 'outbox_parked:ats', 'outbox_parked:payroll', 'reconcile_drift:payroll', 'webhooks_stopped:ats',
      ]);
      expect(first.open.find((i) => i.check === 'credentials_failing')).toMatchObject({ detail: 'ats answered 401 Unauthorized', count: 1, firstSeen: NOW, resolvedAt: null });
      expect(first.open.find((i) => i.check === 'reconcile_drift')?.detail).toBe('2 of 10 records drifted (threshold 5%)');
      const later = at(25 * 60);
      await store().query.run("UPDATE outbox SET status = 'pending' WHERE id = ?", ['ob-2']);
      await evaluateIssues(store(), ['ats', 'payroll'], later);
      const second = await listIssues(store(), 10);
      expect(second.open.find((i) => i.check === 'credentials_failing')).toMatchObject({ count: 2, firstSeen: NOW, lastSeen: later });
      expect(second.open.map((i) => `${i.check}:${i.system}`)).not.toContain('outbox_parked:payroll');
      expect(second.resolved.map((i) => [`${i.check}:${i.system}`, i.resolvedAt, i.count])).toEqual([['outbox_parked:payroll', later, 1]]);
      expect((await listIssues(store(), 0)).resolved).toEqual([]);
    });

    it('lists the store\'s tables without the migrations\' bookkeeping', async () => {
      const tables = await listTables(store());
      for (const t of ['clients', 'links', 'ledger', 'inbox', 'outbox', 'runs', 'ops_issues', 'users']) expect(tables).toContain(t);
      expect(tables).not.toContain('crosswalk_migrations');
      expect(tables).not.toContain('__drizzle_migrations');
      expect(tables).toEqual([...tables].sort());
    });
  });
}
