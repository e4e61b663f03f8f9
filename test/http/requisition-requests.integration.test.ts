/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

/**
 * The requisition lifecycle over real HTTP: a requester drafts and submits (checked against the
 * client's template, every field error at once), the client's approver approves when the template
 * requires it, the request opens as a canonical requisition, then moves on; illegal moves answer
 * 409 naming the state; history says who, when, from, to.
 */

let h: Harness;
let w: World;
let requester: string;
let approver: string;
let foreign: string;

beforeAll(async () => {
  h = await startHarness();
  w = await seedWorld(h);
  requester = await h.keyFor({ contactId: w.requesterId });
  approver = await h.keyFor({ contactId: w.approverId });
  foreign = await h.keyFor({ contactId: w.foreignContactId });
}, 60_000);
afterAll(async () => h.close());

describe('requisition requests', () => {
  it('opens on submit when the client needs no approval, with its history and events', async () => {
    const created = await h.call('POST', '/api/v1/requisition-requests', { token: requester, body: { worksiteId: w.worksiteId, title: 'Forklift operator', openings: 2 } });
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({ status: 'draft', clientId: w.clientId, requestedById: w.requesterId, requisitionId: null });
    const id = created.json.data.id as string;
    const submitted = await h.call('POST', `/api/v1/requisition-requests/${id}/submit`, { token: requester });
    expect(submitted.status).toBe(200);
    expect(submitted.json.data.status).toBe('open');
    expect(submitted.json.data.history.map((e: { fromStatus: string | null; toStatus: string }) => [e.fromStatus, e.toStatus])).toEqual([
      [null, 'draft'], ['draft', 'submitted'], ['submitted', 'approved'], ['approved', 'open'],
    ]);
    expect(submitted.json.data.history[1]).toMatchObject({ actor: `contact:${w.requesterId}` });
    const requisition = await h.store.repos.canonical.get('requisition', submitted.json.data.requisitionId as string);
    expect(requisition?.fields).toMatchObject({ title: 'Forklift operator', status: 'open', openings: 2, clientId: w.clientId, requestedById: w.requesterId });
    const events = await h.store.repos.events.forRecord('requisition_request', id);
    expect(events.map((e) => e.type)).toEqual(['requisition.created', 'requisition.changed', 'requisition.changed', 'requisition.changed']);

    const held = await h.call('POST', `/api/v1/requisition-requests/${id}/status`, { token: requester, body: { to: 'on_hold', comment: 'budget review' } });
    expect(held.json.data.status).toBe('on_hold');
    expect((await h.store.repos.canonical.get('requisition', submitted.json.data.requisitionId as string))?.fields['status']).toBe('on_hold');
    expect((await h.call('POST', `/api/v1/requisition-requests/${id}/status`, { token: requester, body: { to: 'filled' } })).json.data.status).toBe('filled');
    const illegal = await h.call('POST', `/api/v1/requisition-requests/${id}/status`, { token: requester, body: { to: 'open' } });
    expect(illegal.status).toBe(409);
    expect(illegal.json.error.message).toBe('the request is filled: it cannot change any more');
    const again = await h.call('POST', `/api/v1/requisition-requests/${id}/submit`, { token: requester });
    expect(again.status).toBe(409);
  });

  it('checks the ops-defined template on submit (one error per field) and waits for the approver when required', async () => {
    const tpl = await h.call('POST', '/api/v1/requisition-templates', { body: { clientId: w.clientId, required: ['position', 'shift', 'startDate', 'headcount', 'billRateRange'], requiresApproval: true } });
    expect(tpl.status).toBe(200);
    expect((await h.call('POST', '/api/v1/requisition-templates', { token: requester, body: { clientId: w.clientId, required: [], requiresApproval: false } })).status).toBe(403);
    expect((await h.call('GET', `/api/v1/requisition-templates/${w.clientId}`, { token: requester })).json.data).toMatchObject({ requiresApproval: true, required: ['position', 'shift', 'startDate', 'headcount', 'billRateRange'] });

    const created = await h.call('POST', '/api/v1/requisition-requests', { token: requester, body: { worksiteId: w.worksiteId, title: 'Welder', billRateMinCents: 4200, billRateMaxCents: 3900 } });
    const id = created.json.data.id as string;
    const incomplete = await h.call('POST', `/api/v1/requisition-requests/${id}/submit`, { token: requester });
    expect(incomplete.status).toBe(422);
    expect(incomplete.json.error.details).toEqual([
      { path: 'fields.shift', message: "shift is required by the client's request template" },
      { path: 'fields.startDate', message: "startDate is required by the client's request template" },
      { path: 'fields.openings', message: "headcount is required by the client's request template" },
      { path: 'fields.billRateMaxCents', message: 'the bill-rate range ends below its start' },
    ]);
    expect((await h.call('GET', `/api/v1/requisition-requests/${id}`, { token: requester })).json.data.status).toBe('draft');
    // The requester completes the draft; then it submits and waits for the approver.
    const fixed = await h.call('POST', `/api/v1/requisition-requests/${id}`, { token: requester, body: { shift: 'nights', startDate: '2026-05-04', openings: 1, billRateMaxCents: 4500, title: null } });
    expect(fixed.json.data.fields).toEqual({ shift: 'nights', startDate: '2026-05-04', openings: 1, billRateMinCents: 4200, billRateMaxCents: 4500 });
    const noTitle = await h.call('POST', `/api/v1/requisition-requests/${id}/submit`, { token: requester });
    expect(noTitle.json.error.details).toEqual([{ path: 'fields.title', message: "position is required by the client's request template" }]);
    await h.call('POST', `/api/v1/requisition-requests/${id}`, { token: requester, body: { title: 'Welder' } });
    expect((await h.call('POST', `/api/v1/requisition-requests/${id}/submit`, { token: requester })).json.data.status).toBe('submitted');
    const late = await h.call('POST', `/api/v1/requisition-requests/${id}`, { token: requester, body: { openings: 9 } });
    expect(late.status).toBe(409);
    expect(late.json.error.message).toBe("the request is submitted: only a draft's fields change");

    const complete = await h.call('POST', '/api/v1/requisition-requests', {
      token: requester, body: { worksiteId: w.worksiteId, title: 'Welder', shift: 'nights', startDate: '2026-05-04', openings: 3, billRateMinCents: 3900, billRateMaxCents: 4200 },
    });
    const cid = complete.json.data.id as string;
    expect((await h.call('POST', `/api/v1/requisition-requests/${cid}/submit`, { token: requester })).json.data.status).toBe('submitted');
    const notApprover = await h.call('POST', `/api/v1/requisition-requests/${cid}/approve`, { token: requester });
    expect(notApprover.status).toBe(403);
    expect((await h.call('POST', `/api/v1/requisition-requests/${cid}/approve`, { token: foreign })).status).toBe(404);
    const approved = await h.call('POST', `/api/v1/requisition-requests/${cid}/approve`, { token: approver, body: { comment: 'budget ok' } });
    expect(approved.status).toBe(200);
    expect(approved.json.data).toMatchObject({ status: 'open', requisitionId: expect.any(String) });
    expect(approved.json.data.history.at(-2)).toMatchObject({ fromStatus: 'submitted', toStatus: 'approved', actor: `contact:${w.approverId}`, comment: 'budget ok' });
    const twice = await h.call('POST', `/api/v1/requisition-requests/${cid}/approve`, { token: approver });
    expect(twice.status).toBe(409);
    expect(twice.json.error.message).toBe('the request is open: it can become on_hold or filled or cancelled, not approved');
  });

  it('keeps requests inside the client: another client’s contact gets 404, a body cannot name the requester', async () => {
    const created = await h.call('POST', '/api/v1/requisition-requests', { token: requester, body: { worksiteId: w.worksiteId, title: 'Picker' } });
    const id = created.json.data.id as string;
    for (const path of [`/api/v1/requisition-requests/${id}`]) expect((await h.call('GET', path, { token: foreign })).status).toBe(404);
    expect((await h.call('POST', `/api/v1/requisition-requests/${id}/status`, { token: foreign, body: { to: 'cancelled' } })).status).toBe(404);
    expect((await h.call('POST', '/api/v1/requisition-requests', { token: foreign, body: { worksiteId: w.worksiteId, title: 'Picker' } })).status).toBe(422);
    const forged = await h.call('POST', '/api/v1/requisition-requests', { token: requester, body: { worksiteId: w.worksiteId, title: 'Picker', requestedById: w.approverId } });
    expect(forged.status).toBe(400);
    expect((await h.call('POST', `/api/v1/requisition-requests/${id}/status`, { token: requester, body: { to: 'cancelled' } })).json.data.status).toBe('cancelled');
  });
});
