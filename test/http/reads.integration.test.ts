/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

/** Pages through a list route with `limit`, following `next`, and returns every item seen. */
async function allPages(h: Harness, path: string, limit: number, cursorParam = 'after'): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let next: string | null = null;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await h.call('GET', `${path}${sep}limit=${limit}${next === null ? '' : `&${cursorParam}=${encodeURIComponent(next)}`}`);
    expect(r.status).toBe(200);
    out.push(...(r.json.data as Array<Record<string, unknown>>));
    expect(r.json.data.length).toBeLessThanOrEqual(limit);
    next = r.json.next as string | null;
    if (next === null) return out;
  }
  throw new Error('paging did not end');
}

describe('read routes', () => {
  let h: Harness;
  let w: World;
  let deletedContactId: string;
  let runIds: string[];
  let failedOutboxId: string;

  beforeAll(async () => {
    h = await startHarness();
    w = await seedWorld(h);
    const { store, now } = h;
    deletedContactId = w.plainContactId;
    runIds = await store.unitOfWork(async (tx) => {
      const ids: string[] = [];
      for (const [kind, system, status] of [
        ['pull', 'bullhorn', 'succeeded'], ['pull', 'bullhorn', 'failed'], ['reconcile', 'bullhorn', 'succeeded'], ['pull', 'gusto', 'succeeded'],
      ] as const) {
        const run = await tx.runs.start(kind, system, 'client', now());
        await tx.runs.progress(run.id, { page: 2 }, { created: 3 });
        await tx.runs.finish(run.id, status, { note: 'seeded' }, status === 'failed' ? 'vendor said 503' : null, now());
        ids.push(run.id);
      }
      await tx.inbox.insert({ id: 'in-1', system: 'bullhorn', eventId: 'ev-1', kind: 'event', entity: 'client', externalId: 'BH-1', payload: '{"a":1}', receivedAt: now() });
      await tx.inbox.insert({ id: 'in-2', system: 'bullhorn', eventId: 'ev-2', kind: 'event', entity: 'client', externalId: 'BH-2', payload: '{"ab":2}', receivedAt: now() });
      await tx.inbox.markProcessed('in-2', 'done', null, now());
      await tx.canonical.setDeleted('contact', [deletedContactId], now(), now());
      return ids;
    });
    const pending = await store.repos.outbox.list({ status: 'pending', system: 'bullhorn', limit: 10 });
    failedOutboxId = pending[0]?.id ?? '';
    await store.unitOfWork((tx) => tx.outbox.markAttemptFailed(failedOutboxId, 'bullhorn said 400', true, null, h.now()));
  });
  afterAll(async () => h.close());

  describe('records', () => {
    it('lists an entity with the bookkeeping columns next to the fields', async () => {
      const r = await h.call('GET', '/api/v1/records/worksite');
      expect(r.status).toBe(200);
      expect(r.json.next).toBeNull();
      expect(r.json.data).toHaveLength(3);
      expect(Object.keys(r.json.data[0]).slice(0, 5)).toEqual(['id', 'revision', 'createdAt', 'updatedAt', 'deletedAt']);
      expect(r.json.data[0]).toMatchObject({ name: 'North Plant', clientId: w.clientId, state: 'OH', revision: 1, deletedAt: null });
    });

    it('filters on fields, typed by the schema (numbers, enums, null)', async () => {
      const byStatus = await h.call('GET', '/api/v1/records/time_entry?status=submitted');
      expect(byStatus.json.data.map((d: { id: string }) => d.id).sort()).toEqual([...w.submittedEntryIds].sort());
      const byHours = await h.call('GET', `/api/v1/records/time_entry?regularHours=8&assignmentId=${w.assignmentId}`);
      expect(byHours.json.data).toHaveLength(5);
      expect((await h.call('GET', '/api/v1/records/time_entry?regularHours=7.5')).json.data).toHaveLength(0);
      const unapproved = await h.call('GET', '/api/v1/records/time_entry?approvedById=null');
      expect(unapproved.json.data).toHaveLength(4);
      const byWorksite = await h.call('GET', `/api/v1/records/contact_worksite_role?worksiteId=${w.worksiteId}&role=approver`);
      expect(byWorksite.json.data.map((d: { contactId: string }) => d.contactId).sort()).toEqual([w.approverId, w.inactiveApproverId].sort());
    });

    it('refuses unknown filters and values of the wrong type', async () => {
      const unknown = await h.call('GET', '/api/v1/records/time_entry?colour=red');
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.details).toEqual([{ path: 'query.colour', message: 'unknown parameter' }]);
      expect((await h.call('GET', '/api/v1/records/time_entry?regularHours=eight')).status).toBe(400);
      expect((await h.call('GET', '/api/v1/records/time_entry?status=paid')).status).toBe(400);
      expect((await h.call('GET', '/api/v1/records/time_entry?workDate=24/02/2026')).status).toBe(400);
      expect((await h.call('GET', '/api/v1/records/time_entry?limit=501')).status).toBe(400);
      expect((await h.call('GET', '/api/v1/records/sandwich')).status).toBe(404);
    });

    it('pages by id with a cursor that ends exactly on the last page', async () => {
      const all = await h.call('GET', '/api/v1/records/contact?limit=500');
      const paged = await allPages(h, '/api/v1/records/contact', 2);
      expect(paged.map((c) => c['id'])).toEqual(all.json.data.map((c: { id: string }) => c.id));
      expect(paged).toHaveLength(5);
      const exact = await h.call('GET', '/api/v1/records/contact?limit=5');
      expect(exact.json.next).toBeNull();
    });

    it('hides soft-deleted records unless includeDeleted=true', async () => {
      const live = await h.call('GET', '/api/v1/records/contact?limit=500');
      expect(live.json.data.some((c: { id: string }) => c.id === deletedContactId)).toBe(false);
      const all = await h.call('GET', '/api/v1/records/contact?limit=500&includeDeleted=true');
      const deleted = all.json.data.find((c: { id: string }) => c.id === deletedContactId);
      expect(deleted.deletedAt).not.toBeNull();
      expect((await h.call('GET', '/api/v1/records/contact?includeDeleted=perhaps')).status).toBe(400);
    });

    it('shows one record with its links and latest ledger entries, newest first', async () => {
      const client = w.conflictClientIds[0] ?? '';
      const r = await h.call('GET', `/api/v1/records/client/${client}`);
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ id: client, phone: '555-0199' });
      expect(r.json.links).toEqual([
        expect.objectContaining({ system: 'bullhorn', externalId: 'BH-3', state: 'linked', tombstonedAt: null }),
      ]);
      const seqs = (r.json.ledger as Array<{ seq: number }>).map((e) => e.seq);
      expect(seqs.length).toBeGreaterThanOrEqual(3);
      expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
      expect(r.json.ledger[0]).toMatchObject({ system: 'bullhorn', outcome: 'conflict' });
      expect((await h.call('GET', '/api/v1/records/client/nope')).status).toBe(404);
      expect((await h.call('GET', `/api/v1/records/contact/${deletedContactId}`)).json.data.deletedAt).not.toBeNull();
    });

    it("returns a time entry's history", async () => {
      const r = await h.call('GET', `/api/v1/records/time_entry/${w.approvedEntryId}/history`);
      expect(r.status).toBe(200);
      expect(r.json.data).toEqual([expect.objectContaining({ timeEntryId: w.approvedEntryId, fromStatus: null, toStatus: 'approved', actor: 'seed' })]);
      expect((await h.call('GET', '/api/v1/records/time_entry/missing/history')).status).toBe(404);
    });
  });

  describe('ledger', () => {
    it('filters by system, entity, outcome, record and time, and pages by sequence', async () => {
      const conflicts = await h.call('GET', '/api/v1/ledger?outcome=conflict&system=bullhorn&entity=client');
      expect(conflicts.json.data).toHaveLength(3);
      const client = w.conflictClientIds[1] ?? '';
      const ofOne = await h.call('GET', `/api/v1/ledger?canonicalId=${client}`);
      expect(ofOne.json.data.every((e: { canonicalId: string }) => e.canonicalId === client)).toBe(true);
      const all = await allPages(h, '/api/v1/ledger', 7);
      const seqs = all.map((e) => e['seq'] as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // The same instant written with another offset: the route compares instants, not text.
      const mid = Math.floor(all.length / 2);
      const midAt = all[mid]?.['at'] as string;
      const sameInstant = new Date(Date.parse(midAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      const late = await h.call('GET', `/api/v1/ledger?since=${encodeURIComponent(sameInstant)}&limit=500`);
      expect(late.json.data.every((e: { at: string }) => e.at >= midAt)).toBe(true);
      expect(late.json.data).toHaveLength(all.filter((e) => (e['at'] as string) >= midAt).length);
      expect(late.json.data.length).toBeLessThan(all.length);
      expect((await h.call('GET', '/api/v1/ledger?after=abc')).status).toBe(400);
    });
  });

  describe('conflicts', () => {
    it('lists open conflicts by default, with filters', async () => {
      const r = await h.call('GET', '/api/v1/conflicts');
      expect(r.json.data).toHaveLength(3);
      expect(r.json.data[0]).toMatchObject({ entity: 'client', field: 'phone', system: 'bullhorn', status: 'open', current: '555-0199' });
      expect((await h.call('GET', '/api/v1/conflicts?field=name')).json.data).toHaveLength(0);
      expect((await h.call('GET', '/api/v1/conflicts?status=resolved')).json.data).toHaveLength(0);
      expect((await h.call('GET', `/api/v1/conflicts?canonicalId=${w.conflictClientIds[2]}`)).json.data).toHaveLength(1);
      expect(await allPages(h, '/api/v1/conflicts?status=all', 2)).toHaveLength(3);
    });

    it('shows one conflict with the current value and the record ledger', async () => {
      const id = (await h.call('GET', '/api/v1/conflicts')).json.data[0].id as string;
      const r = await h.call('GET', `/api/v1/conflicts/${id}`);
      expect(r.json).toMatchObject({ data: { id, base: expect.stringMatching(/^555-010/) as unknown, incoming: expect.stringMatching(/^555-077/) as unknown }, currentValue: '555-0199' });
      expect(r.json.ledger.length).toBeGreaterThan(0);
      expect((await h.call('GET', '/api/v1/conflicts/unknown')).status).toBe(404);
    });
  });

  describe('runs', () => {
    it('lists newest first with filters and a before-cursor', async () => {
      const r = await h.call('GET', '/api/v1/runs');
      expect(r.json.data.map((x: { id: string }) => x.id)).toEqual([...runIds].reverse());
      expect(r.json.data[0]).toMatchObject({ kind: 'pull', system: 'gusto', counts: { created: 3 }, cursor: { page: 2 }, report: { note: 'seeded' } });
      const failed = await h.call('GET', '/api/v1/runs?status=failed');
      expect(failed.json.data).toEqual([expect.objectContaining({ id: runIds[1], error: 'vendor said 503' })]);
      expect((await h.call('GET', '/api/v1/runs?kind=reconcile&system=bullhorn')).json.data).toHaveLength(1);
      const paged = await allPages(h, '/api/v1/runs', 3, 'before');
      expect(paged.map((x) => x['id'])).toEqual([...runIds].reverse());
    });

    it('shows one run', async () => {
      expect((await h.call('GET', `/api/v1/runs/${runIds[0]}`)).json.data).toMatchObject({ id: runIds[0], status: 'succeeded' });
      expect((await h.call('GET', '/api/v1/runs/none')).status).toBe(404);
    });
  });

  describe('outbox and inbox', () => {
    it('lists outbox rows by status and system', async () => {
      const failed = await h.call('GET', '/api/v1/outbox?status=failed');
      expect(failed.json.data).toEqual([expect.objectContaining({ id: failedOutboxId, system: 'bullhorn', lastError: 'bullhorn said 400' })]);
      const pending = await h.call('GET', '/api/v1/outbox?status=pending&system=bullhorn&entity=client');
      expect(pending.json.data.length).toBeGreaterThan(0);
      expect(pending.json.data[0]).not.toHaveProperty('idempotencyKey');
    });

    it('replays failed rows only, with an outcome per id', async () => {
      const pendingId = (await h.call('GET', '/api/v1/outbox?status=pending')).json.data[0].id as string;
      const r = await h.call('POST', '/api/v1/outbox/replay', { body: { ids: [failedOutboxId, pendingId, 'missing'] } });
      expect(r.status).toBe(200);
      expect(r.json.replayed).toBe(1);
      expect(r.json.data).toEqual([
        { id: failedOutboxId, ok: true },
        { id: pendingId, ok: false, error: expect.stringContaining('is pending') as unknown },
        { id: 'missing', ok: false, error: 'outbox row missing not found' },
      ]);
      expect((await h.call('GET', '/api/v1/outbox?status=failed')).json.data).toHaveLength(0);
      expect((await h.call('POST', '/api/v1/outbox/replay', { body: { ids: [] } })).status).toBe(400);
    });

    it('lists inbox rows without their payloads', async () => {
      const r = await h.call('GET', '/api/v1/inbox?system=bullhorn');
      expect(r.json.data.map((x: { id: string }) => x.id)).toEqual(['in-1', 'in-2']);
      expect(r.json.data[0]).not.toHaveProperty('payload');
      expect(r.json.data[1]).toMatchObject({ payloadBytes: 8, status: 'done' });
      expect((await h.call('GET', '/api/v1/inbox?status=pending')).json.data).toEqual([expect.objectContaining({ id: 'in-1' })]);
      expect((await h.call('GET', '/api/v1/inbox?limit=1')).json.next).toBe('in-1');
    });
  });
});
