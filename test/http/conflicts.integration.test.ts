/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

describe('conflict resolution', () => {
  let h: Harness;
  let w: World;
  let conflictIds: string[];

  beforeEach(async () => {
    h = await startHarness();
    w = await seedWorld(h);
    conflictIds = (await h.call('GET', '/api/v1/conflicts')).json.data.map((c: { id: string }) => c.id);
    expect(conflictIds).toHaveLength(3);
  });
  afterEach(async () => h.close());

  const conflict = async (id: string) => (await h.store.repos.conflicts.get(id))!;
  /** The actor the ledger records for the harness's ops key: the authenticated user, never a body field. */
  const ops = () => `user:${h.opsUserId}`;
  const phoneOf = async (clientId: string) => (await h.store.repos.canonical.get('client', clientId))?.fields['phone'];

  it('keeps the current value, audits who and why, and tells the system that lost', async () => {
    const id = conflictIds[0] ?? '';
    const before = await conflict(id);
    const ledgerBefore = await h.store.repos.ledger.count();
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'current', reason: 'the client called us' } });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ conflictId: id, ok: true, value: '555-0199' });
    expect(r.json.conflict).toMatchObject({ status: 'resolved', resolution: 'current', resolvedBy: ops(), resolutionReason: 'the client called us' });
    expect(await phoneOf(before.canonicalId)).toBe('555-0199');

    const entries = await h.store.repos.ledger.query({ canonicalId: before.canonicalId, limit: 100 });
    const resolution = entries.filter((e) => e.action === 'resolve');
    expect(resolution).toEqual([expect.objectContaining({ actor: ops(), direction: 'local', outcome: 'applied' })]);
    expect(resolution[0]?.reason).toContain('the client called us');
    expect(await h.store.repos.ledger.count()).toBe(ledgerBefore + 1);

    // Bullhorn holds the incoming value; the decision went the other way, so it is queued a push.
    const push = await h.store.repos.outbox.list({ system: 'bullhorn', canonicalId: before.canonicalId, status: 'pending', limit: 10 });
    expect(push).toHaveLength(1);
    expect(push[0]?.fields).toContain('phone');
    expect(push[0]?.reason).toContain(`conflict ${id} resolved`);
    expect(r.json.data.outboxIds).toContain(push[0]?.id);
  });

  it('takes the incoming value into the canonical record', async () => {
    const id = conflictIds[1] ?? '';
    const before = await conflict(id);
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'incoming' } });
    expect(r.status).toBe(200);
    expect(await phoneOf(before.canonicalId)).toBe(before.incoming);
    const ledger = await h.call('GET', `/api/v1/ledger?canonicalId=${before.canonicalId}&limit=500`);
    expect(ledger.json.data.at(-1)).toMatchObject({ action: 'resolve', actor: ops(), diff: [{ field: 'phone', from: '555-0199', to: before.incoming }] });
  });

  it('sets a given value (null clears the field)', async () => {
    const id = conflictIds[2] ?? '';
    const before = await conflict(id);
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { value: null } });
    expect(r.status).toBe(200);
    expect(r.json.conflict).toMatchObject({ resolution: 'value', resolvedValue: null });
    expect(await phoneOf(before.canonicalId)).toBeNull();
  });

  it('refuses an ambiguous or anonymous choice', async () => {
    const id = conflictIds[0] ?? '';
    for (const body of [{ take: 'current', value: 'x' }, {}, { take: 'mine' }]) {
      const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    // Who decided comes from the credential only: a body naming anyone is refused, …
    for (const body of [{ take: 'current', by: 'ops:kim' }, { take: 'current', by: '  ' }]) {
      const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(r.json.error.details).toContainEqual(expect.objectContaining({ path: 'body.by', message: 'unknown field' }));
    }
    // … and nobody signed in may not resolve at all.
    const anonymous = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'current' }, token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe('unauthorized');
    expect((await conflict(id)).status).toBe('open');
  });

  it('resolves in bulk by ids, with an outcome per id and no undo of the good ones', async () => {
    const [a, b] = conflictIds;
    await h.call('POST', `/api/v1/conflicts/${b}/resolve`, { body: { take: 'incoming' } });
    // A second person (a coordinator) resolves the rest: each resolution records its own principal.
    const coordinatorKey = await h.keyFor({ userRole: 'coordinator' });
    const coordinator = (await h.call('GET', '/api/v1/me', { token: coordinatorKey })).json.data.principal.id as string;
    // Conflicts cross clients: a coordinator granted only some clients may not resolve them.
    const scoped = await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: [a], take: 'current' }, token: coordinatorKey });
    expect(scoped.status).toBe(403);
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: coordinator, role: 'coordinator' }, 'test', h.now()));
    const outboxBefore = (await h.store.repos.outbox.list({ system: 'bullhorn', limit: 500 })).length;
    const r = await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: [a, b, 'nope', a], take: 'current' }, token: coordinatorKey });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ resolved: 1, refused: 2, more: false });
    expect(r.json.data).toEqual([
      expect.objectContaining({ conflictId: a, ok: true, value: '555-0199' }),
      expect.objectContaining({ conflictId: b, ok: false, error: expect.stringContaining('already resolved') as unknown }),
      expect.objectContaining({ conflictId: 'nope', ok: false, error: 'conflict nope not found' }),
    ]);
    expect((await conflict(a ?? '')).resolvedBy).toBe(`user:${coordinator}`);
    expect((await conflict(b ?? '')).resolvedBy).toBe(ops());
    // The resolution's push coalesces into the pending row Bullhorn already had for the record.
    const outboxAfter = await h.store.repos.outbox.list({ system: 'bullhorn', limit: 500 });
    expect(outboxAfter.length).toBe(outboxBefore);
    expect(outboxAfter.some((o) => o.reason.includes(`conflict ${a} resolved`))).toBe(true);
  });

  it('resolves in bulk by filter', async () => {
    const none = await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { field: 'name' }, take: 'incoming' } });
    expect(none.json).toMatchObject({ data: [], resolved: 0, refused: 0, more: false });
    const r = await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { entity: 'client', system: 'bullhorn', field: 'phone' }, take: 'incoming' } });
    expect(r.json).toMatchObject({ resolved: 3, refused: 0, more: false });
    expect((await h.call('GET', '/api/v1/conflicts')).json.data).toHaveLength(0);
    for (const id of w.conflictClientIds) expect(await phoneOf(id)).toMatch(/^555-077/);
    const ledger = await h.call('GET', '/api/v1/ledger?limit=500');
    expect(ledger.json.data.filter((e: { action: string }) => e.action === 'resolve')).toHaveLength(3);
  });

  it('refuses a bulk request with both ids and filter, or neither', async () => {
    const both = await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: conflictIds, filter: {}, take: 'current' } });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toContainEqual(expect.objectContaining({ message: 'give exactly one of ids or filter' }));
    const neither = await h.call('POST', '/api/v1/conflicts/resolve', { body: { take: 'current' } });
    expect(neither.status).toBe(400);
    expect(neither.json.error.details).toContainEqual(expect.objectContaining({ message: 'give exactly one of ids or filter' }));
    expect((await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { colour: 'red' }, take: 'current' } })).status).toBe(400);
    // The bulk body names no actor either.
    expect((await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: conflictIds, take: 'current', by: 'ops:kim' } })).status).toBe(400);
    for (const id of conflictIds) expect((await conflict(id)).status).toBe('open');
  });
});
