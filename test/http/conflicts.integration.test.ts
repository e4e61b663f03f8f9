/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  const phoneOf = async (clientId: string) => (await h.store.repos.canonical.get('client', clientId))?.fields['phone'];

  it('keeps the current value, audits who and why, and tells the system that lost', async () => {
    const id = conflictIds[0] ?? '';
    const before = await conflict(id);
    const ledgerBefore = await h.store.repos.ledger.count();
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'current', by: 'ops:kim', reason: 'the client called us' } });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ conflictId: id, ok: true, value: '555-0199' });
    expect(r.json.conflict).toMatchObject({ status: 'resolved', resolution: 'current', resolvedBy: 'ops:kim', resolutionReason: 'the client called us' });
    expect(await phoneOf(before.canonicalId)).toBe('555-0199');

    const entries = await h.store.repos.ledger.query({ canonicalId: before.canonicalId, limit: 100 });
    const resolution = entries.filter((e) => e.action === 'resolve');
    expect(resolution).toEqual([expect.objectContaining({ actor: 'ops:kim', direction: 'local', outcome: 'applied' })]);
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
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'incoming', by: 'ops:kim' } });
    expect(r.status).toBe(200);
    expect(await phoneOf(before.canonicalId)).toBe(before.incoming);
    const ledger = await h.call('GET', `/api/v1/ledger?canonicalId=${before.canonicalId}&limit=500`);
    expect(ledger.json.data.at(-1)).toMatchObject({ action: 'resolve', actor: 'ops:kim', diff: [{ field: 'phone', from: '555-0199', to: before.incoming }] });
  });

  it('sets a given value (null clears the field)', async () => {
    const id = conflictIds[2] ?? '';
    const before = await conflict(id);
    const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { value: null, by: 'ops:kim' } });
    expect(r.status).toBe(200);
    expect(r.json.conflict).toMatchObject({ resolution: 'value', resolvedValue: null });
    expect(await phoneOf(before.canonicalId)).toBeNull();
  });

  it('refuses an ambiguous or anonymous choice', async () => {
    const id = conflictIds[0] ?? '';
    for (const body of [{ take: 'current', value: 'x', by: 'ops:kim' }, { by: 'ops:kim' }, { take: 'current' }, { take: 'mine', by: 'ops:kim' }, { take: 'current', by: '  ' }]) {
      const r = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    expect((await conflict(id)).status).toBe('open');
  });

  it('resolves in bulk by ids, with an outcome per id and no undo of the good ones', async () => {
    const [a, b] = conflictIds;
    await h.call('POST', `/api/v1/conflicts/${b}/resolve`, { body: { take: 'incoming', by: 'ops:kim' } });
    const outboxBefore = (await h.store.repos.outbox.list({ system: 'bullhorn', limit: 500 })).length;
    const r = await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: [a, b, 'nope', a], take: 'current', by: 'ops:lee' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ resolved: 1, refused: 2, more: false });
    expect(r.json.data).toEqual([
      expect.objectContaining({ conflictId: a, ok: true, value: '555-0199' }),
      expect.objectContaining({ conflictId: b, ok: false, error: expect.stringContaining('already resolved') as unknown }),
      expect.objectContaining({ conflictId: 'nope', ok: false, error: 'conflict nope not found' }),
    ]);
    expect((await conflict(a ?? '')).resolvedBy).toBe('ops:lee');
    // The resolution's push coalesces into the pending row Bullhorn already had for the record.
    const outboxAfter = await h.store.repos.outbox.list({ system: 'bullhorn', limit: 500 });
    expect(outboxAfter.length).toBe(outboxBefore);
    expect(outboxAfter.some((o) => o.reason.includes(`conflict ${a} resolved`))).toBe(true);
  });

  it('resolves in bulk by filter', async () => {
    const none = await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { field: 'name' }, take: 'incoming', by: 'ops:kim' } });
    expect(none.json).toMatchObject({ data: [], resolved: 0, refused: 0, more: false });
    const r = await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { entity: 'client', system: 'bullhorn', field: 'phone' }, take: 'incoming', by: 'ops:kim' } });
    expect(r.json).toMatchObject({ resolved: 3, refused: 0, more: false });
    expect((await h.call('GET', '/api/v1/conflicts')).json.data).toHaveLength(0);
    for (const id of w.conflictClientIds) expect(await phoneOf(id)).toMatch(/^555-077/);
    const ledger = await h.call('GET', '/api/v1/ledger?limit=500');
    expect(ledger.json.data.filter((e: { action: string }) => e.action === 'resolve')).toHaveLength(3);
  });

  it('refuses a bulk request with both ids and filter, or neither', async () => {
    expect((await h.call('POST', '/api/v1/conflicts/resolve', { body: { ids: conflictIds, filter: {}, take: 'current', by: 'ops:kim' } })).status).toBe(400);
    expect((await h.call('POST', '/api/v1/conflicts/resolve', { body: { take: 'current', by: 'ops:kim' } })).status).toBe(400);
    expect((await h.call('POST', '/api/v1/conflicts/resolve', { body: { filter: { colour: 'red' }, take: 'current', by: 'ops:kim' } })).status).toBe(400);
  });
});
