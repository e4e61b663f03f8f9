/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, startHarness, T0, type Harness, type World } from './support.ts';

// The app's clock, moved by the test (the edit window is 15 minutes).
let clock = Date.parse(T0);
const now = () => new Date((clock += 1000)).toISOString();

let h: Harness;
let w: World;
let approver: string;
let requester: string;
let foreign: string;
let coordinator: string;

beforeAll(async () => {
  h = await startHarness({ now });
  w = await seedWorld(h);
  approver = await h.keyFor({ contactId: w.approverId });
  requester = await h.keyFor({ contactId: w.requesterId });
  foreign = await h.keyFor({ contactId: w.foreignContactId });
  coordinator = await h.keyFor({ userRole: 'coordinator' });
}, 60_000);
afterAll(async () => h.close());

const INTERNAL = 'INTERNAL-ONLY: worker flagged for overtime review';

describe('comments on records', () => {
  let entry: string;
  let internalId: string;
  let clientId: string;

  it('records the principal as author, keeps internal comments from contacts, and writes ledger rows and events', async () => {
    entry = w.submittedEntryIds[0] ?? '';
    const internal = await h.call('POST', `/api/v1/time-entries/${entry}/comments`, { body: { body: INTERNAL } });
    expect(internal.status, internal.text).toBe(201);
    expect(internal.json.data).toMatchObject({ author: `user:${h.opsUserId}`, visibility: 'internal', entity: 'time_entry', recordId: entry });
    internalId = internal.json.data.id;
    const visible = await h.call('POST', `/api/v1/time-entries/${entry}/comments`, { token: approver, body: { body: 'Tuesday hours include the safety drill.' } });
    expect(visible.status, visible.text).toBe(201);
    expect(visible.json.data).toMatchObject({ author: `contact:${w.approverId}`, visibility: 'client' });
    clientId = visible.json.data.id;

    const staffView = await h.call('GET', `/api/v1/time-entries/${entry}/comments`);
    expect(staffView.json.data.map((c: { id: string }) => c.id)).toEqual([internalId, clientId]);
    const contactView = await h.call('GET', `/api/v1/time-entries/${entry}/comments`, { token: approver });
    expect(contactView.json.data.map((c: { id: string }) => c.id)).toEqual([clientId]);
    expect(contactView.text).not.toContain(INTERNAL);
    expect((await h.call('GET', `/api/v1/comments/${internalId}/history`, { token: approver })).status).toBe(404);

    const ledger = await h.store.repos.ledger.latestFor('time_entry', entry, 5);
    const rows = ledger.filter((e) => e.action === 'comment');
    expect(rows.map((e) => [e.direction, e.system, e.actor])).toEqual([['local', 'portal', `contact:${w.approverId}`], ['local', 'portal', `user:${h.opsUserId}`]]);
    const events = await h.store.repos.events.forRecord('time_entry', entry);
    expect(events.filter((e) => e.type === 'comment.added').map((e) => [e.actor, e.data['visibility'], e.worksiteId])).toEqual([
      [`user:${h.opsUserId}`, 'internal', w.worksiteId],
      [`contact:${w.approverId}`, 'client', w.worksiteId],
    ]);
  });

  it('refuses a contact an internal comment (403), and a record outside its scope (404)', async () => {
    const internal = await h.call('POST', `/api/v1/time-entries/${entry}/comments`, { token: approver, body: { body: 'x', visibility: 'internal' } });
    expect(internal.status).toBe(403);
    expect((await h.call('POST', `/api/v1/time-entries/${entry}/comments`, { token: foreign, body: { body: 'x' } })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/time-entries/${entry}/comments`, { token: foreign })).status).toBe(404);
    // A requester does not see time entries, so not their comments either.
    expect((await h.call('GET', `/api/v1/time-entries/${entry}/comments`, { token: requester })).status).toBe(404);
    // Every commentable kind answers on its own path.
    expect((await h.call('POST', `/api/v1/assignments/${w.assignmentId}/comments`, { token: coordinator, body: { body: 'x' } })).status).toBe(404);
    expect((await h.call('POST', `/api/v1/assignments/${w.assignmentId}/comments`, { body: { body: 'Start moved to Monday', visibility: 'client' } })).status).toBe(201);
  });

  it('lets only the author edit, within the edit window, keeping every text', async () => {
    expect((await h.call('POST', `/api/v1/comments/${clientId}/edit`, { body: { body: 'staff rewrite' } })).status).toBe(403);
    const edited = await h.call('POST', `/api/v1/comments/${clientId}/edit`, { token: approver, body: { body: 'Tuesday hours include the 1 h safety drill.' } });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json.data).toMatchObject({ revision: 2, edited: true, body: 'Tuesday hours include the 1 h safety drill.' });
    clock += 16 * 60_000;
    const late = await h.call('POST', `/api/v1/comments/${clientId}/edit`, { token: approver, body: { body: 'too late' } });
    expect(late.status).toBe(409);
    expect(late.json.error.message).toMatch(/15 minutes/);
    const history = await h.call('GET', `/api/v1/comments/${clientId}/history`, { token: approver });
    expect(history.json.revisions.map((r: { action: string; body: string }) => [r.action, r.body])).toEqual([
      ['created', 'Tuesday hours include the safety drill.'],
      ['edited', 'Tuesday hours include the 1 h safety drill.'],
    ]);
  });

  it('soft-deletes (author or ops admin): listed without text, history kept, ledger and audit written', async () => {
    expect((await h.call('POST', `/api/v1/comments/${internalId}/delete`, { token: coordinator })).status).toBe(404);
    const gone = await h.call('POST', `/api/v1/comments/${clientId}/delete`, { token: approver });
    expect(gone.status, gone.text).toBe(200);
    expect(gone.json.data).toMatchObject({ body: null, deletedAt: expect.any(String) as unknown });
    expect((await h.call('POST', `/api/v1/comments/${clientId}/delete`, { token: approver })).status).toBe(409);
    const list = await h.call('GET', `/api/v1/time-entries/${entry}/comments`, { token: approver });
    expect(list.json.data).toEqual([expect.objectContaining({ id: clientId, body: null })]);
    const history = await h.call('GET', `/api/v1/comments/${clientId}/history`);
    expect(history.json.revisions.map((r: { action: string }) => r.action)).toEqual(['created', 'edited', 'deleted']);
    const byOps = await h.call('POST', `/api/v1/comments/${internalId}/delete`);
    expect(byOps.status).toBe(200);
    const audit = await h.store.repos.audit.list({ action: 'comment.delete', limit: 10 });
    expect(audit.map((a) => [a.actorId, a.outcome])).toEqual(expect.arrayContaining([[w.approverId, 'success'], [h.opsUserId, 'success']]));
    const ledger = await h.store.repos.ledger.latestFor('time_entry', entry, 10);
    expect(ledger.filter((e) => e.action === 'comment').length).toBe(5);
  });
});
