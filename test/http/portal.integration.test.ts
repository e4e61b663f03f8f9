/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { ownedFields, StaticPolicy } from '../../src/engine/index.ts';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

describe('portal actions', () => {
  let h: Harness;
  let w: World;
  /** API keys acting as the seeded contacts: the actor is the authenticated principal, never a body field. */
  let keys: { approver: string; requester: string; elsewhereApprover: string; plain: string; inactiveApprover: string; foreign: string; billingClerk: string };
  /** A contact who holds only `billing` at the worksite: sees its time entries, may not approve them. */
  const billingClerkId = 'contact-billing-clerk';

  beforeAll(async () => {
    h = await startHarness();
    w = await seedWorld(h);
    await h.store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('contact', [{
        id: billingClerkId, changedAt: null,
        fields: { clientId: w.clientId, firstName: 'Ines', lastName: 'Okafor', email: null, phone: null, title: null, status: 'active' },
      }], h.now());
      await tx.canonical.insertMany('contact_worksite_role', [{ id: 'cwr-billing-clerk', fields: { contactId: billingClerkId, worksiteId: w.worksiteId, role: 'billing' }, changedAt: null }], h.now());
    });
    keys = {
      approver: await h.keyFor({ contactId: w.approverId }),
      requester: await h.keyFor({ contactId: w.requesterId }),
      elsewhereApprover: await h.keyFor({ contactId: w.elsewhereApproverId }),
      plain: await h.keyFor({ contactId: w.plainContactId }),
      inactiveApprover: await h.keyFor({ contactId: w.inactiveApproverId }),
      foreign: await h.keyFor({ contactId: w.foreignContactId }),
      billingClerk: await h.keyFor({ contactId: billingClerkId }),
    };
  });
  afterAll(async () => h.close());

  const history = async (entryId: string) => (await h.call('GET', `/api/v1/records/time_entry/${entryId}/history`)).json.data as Array<Record<string, unknown>>;
  const statusOf = async (entryId: string) => (await h.store.repos.canonical.get('time_entry', entryId))?.fields['status'];
  /** A coordinator user granted the client (coordinators work where they are granted), and its key. */
  const coordinator = async (): Promise<{ key: string; id: string }> => {
    const key = await h.keyFor({ userRole: 'coordinator' });
    const id = (await h.call('GET', '/api/v1/me', { token: key })).json.data.principal.id as string;
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: id, role: 'coordinator', clientId: w.clientId }, 'test', h.now()));
    return { key, id };
  };

  describe('time entry approval', () => {
    it('lets an approver at the worksite approve: fields, history with comment, ledger, payroll outbox', async () => {
      const id = w.submittedEntryIds[0] ?? '';
      const r = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { comment: 'hours match the gate log' }, token: keys.approver });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ id, status: 'approved', approvedById: w.approverId, approvedAt: expect.stringMatching(/^2026-03-02T/) as unknown });
      // Field-level visibility: the back office's internal note never reaches a contact.
      expect(r.json.data).not.toHaveProperty('note');
      expect((await history(id)).at(-1)).toMatchObject({
        fromStatus: 'submitted', toStatus: 'approved', actor: `contact:${w.approverId}`, comment: 'hours match the gate log', at: r.json.data.approvedAt,
      });
      const ledger = await h.call('GET', `/api/v1/ledger?entity=time_entry&canonicalId=${id}&limit=500`);
      expect(ledger.json.data.at(-1)).toMatchObject({
        direction: 'local', system: 'portal', action: 'transition', outcome: 'applied', actor: `contact:${w.approverId}`, reason: 'hours match the gate log',
      });
      // The test policy sends approved time to payroll: a create for Gusto is queued.
      expect(r.json.outboxIds).toHaveLength(1);
      const outbox = await h.call('GET', `/api/v1/outbox?system=gusto&entity=time_entry&canonicalId=${id}`);
      expect(outbox.json.data).toEqual([expect.objectContaining({ id: r.json.outboxIds[0], op: 'create', status: 'pending' })]);
    });

    it('takes no actor from the body: a body naming a contact is a 400, even the caller itself', async () => {
      const id = w.submittedEntryIds[1] ?? '';
      const ledgerBefore = await h.store.repos.ledger.count();
      for (const contactId of [w.approverId, w.plainContactId]) {
        const r = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { contactId }, token: keys.approver });
        expect(r.status).toBe(400);
        expect(r.json.error.details).toEqual([{ path: 'body.contactId', message: 'unknown field' }]);
      }
      expect(await h.store.repos.ledger.count()).toBe(ledgerBefore);
      expect(await statusOf(id)).toBe('submitted');
    });

    it('refuses a contact who is not an approver at that worksite (403 with the reason, 404 outside its scope) and writes nothing', async () => {
      const id = w.submittedEntryIds[1] ?? '';
      const ledgerBefore = await h.store.repos.ledger.count();
      // Sees the entry (billing at the worksite) but may not approve it: 403 with the reason.
      const billing = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: {}, token: keys.billingClerk });
      expect(billing.status).toBe(403);
      expect(billing.json.error).toEqual({ code: 'forbidden', message: `you are not an approver at worksite ${w.worksiteId}` });
      // Cannot see the entry at all (no role, approver elsewhere, requester only, another client):
      // answered exactly like an entry that does not exist.
      const ghost = await h.call('POST', '/api/v1/time-entries/ghost/approve', { body: {}, token: keys.approver });
      expect(ghost.status).toBe(404);
      for (const key of [keys.plain, keys.elsewhereApprover, keys.requester, keys.foreign]) {
        const r = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: {}, token: key });
        expect(r.status).toBe(404);
        expect(r.json).toEqual({ error: { code: 'not_found', message: `time_entry ${id} not found` } });
      }
      // An inactive contact cannot authenticate at all.
      const inactive = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: {}, token: keys.inactiveApprover });
      expect(inactive.status).toBe(401);
      expect(inactive.json.error).toEqual({ code: 'unauthorized', message: 'account disabled' });
      expect(inactive.headers.get('www-authenticate')).toBe('Bearer realm="crosswalk", error="invalid_token"');
      // Staff do not approve a client's time: that is the client's approver.
      const ops = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: {} });
      expect(ops.status).toBe(403);
      expect(ops.json.error.code).toBe('forbidden');
      expect(await h.store.repos.ledger.count()).toBe(ledgerBefore);
      expect(await statusOf(id)).toBe('submitted');
    });

    it('requires a comment to reject, and keeps it in the history', async () => {
      const id = w.submittedEntryIds[1] ?? '';
      const missing = await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: {}, token: keys.approver });
      expect(missing.status).toBe(400);
      expect(missing.json.error.details).toEqual([{ path: 'body.comment', message: expect.any(String) as unknown }]);
      expect((await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { comment: '   ' }, token: keys.approver })).status).toBe(400);
      const forged = await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { contactId: w.approverId, comment: 'lunch break missing' }, token: keys.approver });
      expect(forged.status).toBe(400);
      expect(forged.json.error.details).toEqual([{ path: 'body.contactId', message: 'unknown field' }]);
      expect(await statusOf(id)).toBe('submitted');
      const r = await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { comment: 'lunch break missing' }, token: keys.approver });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ status: 'rejected', approvedById: null });
      expect(r.json.outboxIds).toEqual([]);
      expect((await history(id)).at(-1)).toMatchObject({ toStatus: 'rejected', comment: 'lunch break missing', actor: `contact:${w.approverId}` });
    });

    it('answers 409 with the status machine’s reason for an illegal move', async () => {
      const draft = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/approve`, { body: {}, token: keys.approver });
      expect(draft.status).toBe(409);
      expect(draft.json.error).toEqual({ code: 'refused', message: 'a draft time entry can only become submitted, not approved' });
      const twice = await h.call('POST', `/api/v1/time-entries/${w.approvedEntryId}/approve`, { body: {}, token: keys.approver });
      expect(twice.status).toBe(409);
      // First approver wins: the second hears who approved and when.
      expect(twice.json.error.message).toBe(`time entry is already approved: approved by contact:${w.approverId} at 2026-02-21T10:00:00.000Z`);
      expect((await h.store.repos.canonical.get('time_entry', w.approvedEntryId))?.fields['approvedAt']).toBe('2026-02-21T10:00:00.000Z');
    });

    it('submits a draft (empty body or with a comment) as the signed-in user, and a corrected rejected entry', async () => {
      const r = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/submit`);
      expect(r.status).toBe(200);
      expect(r.json.data.status).toBe('submitted');
      expect((await history(w.draftEntryId)).at(-1)).toMatchObject({ fromStatus: 'draft', toStatus: 'submitted', actor: `user:${h.opsUserId}` });
      const rejected = w.submittedEntryIds[1] ?? '';
      // `by` left the body: naming someone is a 400, and nothing moves.
      const forged = await h.call('POST', `/api/v1/time-entries/${rejected}/submit`, { body: { by: 'worker:noor', comment: 'added the break' } });
      expect(forged.status).toBe(400);
      expect(forged.json.error.details).toEqual([{ path: 'body.by', message: 'unknown field' }]);
      expect(await statusOf(rejected)).toBe('rejected');
      // A contact does not submit; a coordinator of the client does, recorded as itself.
      expect((await h.call('POST', `/api/v1/time-entries/${rejected}/submit`, { body: { comment: 'added the break' }, token: keys.approver })).status).toBe(403);
      const coord = await coordinator();
      const again = await h.call('POST', `/api/v1/time-entries/${rejected}/submit`, { body: { comment: 'added the break' }, token: coord.key });
      expect(again.status).toBe(200);
      expect((await history(rejected)).at(-1)).toMatchObject({ fromStatus: 'rejected', toStatus: 'submitted', actor: `user:${coord.id}`, comment: 'added the break' });
      expect((await h.call('POST', `/api/v1/time-entries/${w.approvedEntryId}/submit`)).status).toBe(409);
      expect((await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/submit`, { body: { status: 'approved' } })).status).toBe(400);
      expect((await h.call('POST', '/api/v1/time-entries/missing/submit')).status).toBe(404);
    });
  });

  describe('requisitions', () => {
    const valid = () => ({
      clientId: w.clientId, worksiteId: w.worksiteId, title: 'Forklift operators, night shift',
      employmentType: 'contract', openings: 3, startDate: '2026-04-06', endDate: '2026-09-30', billRateCents: 3850,
    });

    it('opens a requisition for a requester at the worksite: 201 with the record', async () => {
      const r = await h.call('POST', '/api/v1/requisitions', { body: valid(), token: keys.requester });
      expect(r.status).toBe(201);
      const { billRateCents, ...shown } = valid();
      expect(r.json.data).toMatchObject({ ...shown, requestedById: w.requesterId, status: 'open', revision: 1 });
      // A requester is not a billing contact: the pay rate and the bill rate stay out of its answer.
      expect(r.json.data).not.toHaveProperty('payRateCents');
      expect(r.json.data).not.toHaveProperty('billRateCents');
      expect(r.headers.get('location')).toBe(`/api/v1/records/requisition/${r.json.data.id}`);
      const stored = await h.call('GET', `/api/v1/records/requisition/${r.json.data.id}`);
      expect(stored.json.data).toMatchObject({ ...valid(), requestedById: w.requesterId, status: 'open', payRateCents: null, revision: 1 });
      expect(stored.json.data.billRateCents).toBe(billRateCents);
      expect(stored.json.ledger[0]).toMatchObject({ action: 'create', actor: `contact:${w.requesterId}` });
      // clientId is optional: the worksite's client is taken.
      const { clientId, ...withoutClient } = valid();
      const bare = await h.call('POST', '/api/v1/requisitions', { body: withoutClient, token: keys.requester });
      expect(bare.status).toBe(201);
      expect(bare.json.data).toMatchObject({ clientId, requestedById: w.requesterId });
    });

    it('never accepts status, pay rate or the requester from the client (mass assignment)', async () => {
      for (const extra of [{ status: 'filled' }, { payRateCents: 2500 }, { id: 'chosen' }, { requestedById: w.approverId }]) {
        const r = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), ...extra }, token: keys.requester });
        expect(r.status).toBe(400);
        expect(r.json.error.details[0].message).toBe('unknown field');
      }
    });

    it('checks the worksite belongs to the client and the requester holds the role there', async () => {
      const before = (await h.store.repos.canonical.list('requisition', { limit: 1000 })).length;
      const elsewhere = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), clientId: w.otherClientId }, token: keys.requester });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.json.error.message).toBe(`worksite ${w.worksiteId} does not belong to client ${w.otherClientId}`);
      // Sees the worksite (a role there) without the requester role: 403 with the reason.
      const noRole = await h.call('POST', '/api/v1/requisitions', { body: valid(), token: keys.billingClerk });
      expect(noRole.status).toBe(403);
      expect(noRole.json.error).toEqual({ code: 'forbidden', message: `you are not a requester at worksite ${w.worksiteId}` });
      const approverOnly = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), worksiteId: w.otherWorksiteId }, token: keys.elsewhereApprover });
      expect(approverOnly.status).toBe(403);
      expect(approverOnly.json.error.message).toBe(`you are not a requester at worksite ${w.otherWorksiteId}`);
      // A worksite outside the caller's scope is answered like one that does not exist.
      for (const key of [keys.foreign, keys.plain]) {
        const foreign = await h.call('POST', '/api/v1/requisitions', { body: valid(), token: key });
        expect(foreign.status).toBe(422);
        expect(foreign.json.error).toEqual({ code: 'invalid', message: `worksite ${w.worksiteId} not found` });
      }
      const missing = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), worksiteId: 'nowhere' }, token: keys.requester });
      expect(missing.json.error).toEqual({ code: 'invalid', message: 'worksite nowhere not found' });
      // Staff do not open a client's requisition through this route.
      expect((await h.call('POST', '/api/v1/requisitions', { body: valid() })).status).toBe(403);
      expect((await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), clientId: 'nobody' }, token: keys.requester })).status).toBe(422);
      const dates = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), endDate: '2026-01-01' }, token: keys.requester });
      expect(dates.status).toBe(400);
      expect(dates.json.error.details).toEqual([{ path: 'body.endDate', message: 'endDate is before startDate' }]);
      expect((await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), openings: 0 }, token: keys.requester })).status).toBe(400);
      expect((await h.store.repos.canonical.list('requisition', { limit: 1000 })).length).toBe(before);
    });
  });

  describe('assignment approver', () => {
    it('refuses an approver without the role at the assignment’s worksite (422)', async () => {
      const r = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.elsewhereApproverId } });
      expect(r.status).toBe(422);
      expect(r.json.error).toEqual({ code: 'invalid', message: `contact ${w.elsewhereApproverId} is not an approver at worksite ${w.worksiteId}` });
      expect((await h.store.repos.canonical.get('assignment', w.assignmentId))?.fields['approverContactId']).toBe(w.approverId);
    });

    it('changes to a contact who holds the role, through the ledger', async () => {
      // Make the requester an approver at the worksite too.
      await h.store.unitOfWork((tx) =>
        tx.canonical.insertMany('contact_worksite_role', [{ id: 'cwr-new', fields: { contactId: w.requesterId, worksiteId: w.worksiteId, role: 'approver' }, changedAt: null }], h.now()),
      );
      const forged = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.requesterId, by: 'ops:kim' } });
      expect(forged.status).toBe(400);
      expect(forged.json.error.details).toEqual([{ path: 'body.by', message: 'unknown field' }]);
      // A contact who is not client_admin of the client may not change it.
      const notAdmin = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.requesterId }, token: keys.approver });
      expect(notAdmin.status).toBe(403);
      expect((await h.store.repos.canonical.get('assignment', w.assignmentId))?.fields['approverContactId']).toBe(w.approverId);

      const r = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.requesterId } });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ id: w.assignmentId, approverContactId: w.requesterId, revision: 2 });
      const ledger = await h.call('GET', `/api/v1/ledger?entity=assignment&canonicalId=${w.assignmentId}&limit=500`);
      expect(ledger.json.data.at(-1)).toMatchObject({
        action: 'update', actor: `user:${h.opsUserId}`, diff: [{ field: 'approverContactId', from: w.approverId, to: w.requesterId, result: 'applied' }],
      });

      // A client_admin of the client changes it back, recorded as that contact.
      await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'contact', subjectId: w.approverId, role: 'client_admin', clientId: w.clientId }, 'test', h.now()));
      const back = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.approverId }, token: keys.approver });
      expect(back.status).toBe(200);
      expect(back.json.data).toMatchObject({ approverContactId: w.approverId, revision: 3 });
      const after = await h.call('GET', `/api/v1/ledger?entity=assignment&canonicalId=${w.assignmentId}&limit=500`);
      expect(after.json.data.at(-1)).toMatchObject({ action: 'update', actor: `contact:${w.approverId}` });

      expect((await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.approverId, worksiteId: 'x' } })).status).toBe(400);
      expect((await h.call('POST', '/api/v1/assignments/none/approver', { body: { contactId: w.approverId } })).status).toBe(404);
      // Outside a contact's scope, the assignment is answered like a missing one.
      const foreign = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.approverId }, token: keys.foreign });
      expect(foreign.status).toBe(404);
      expect(foreign.json).toEqual({ error: { code: 'not_found', message: `assignment ${w.assignmentId} not found` } });
    });
  });
});

describe('portal actions on fields another system owns', () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    // Here the ATS owns time entry status: the portal may not move it.
    const base = new StaticPolicy({
      inbound: {
        bullhorn: {
          client: { fields: new Map([...ownedFields('bullhorn', ['name', 'status']), ...ownedFields('shared', ['phone'])]), match: { byEmail: false, unmatched: 'create' } },
          time_entry: { fields: ownedFields('bullhorn', ['status']), match: { byEmail: false, unmatched: 'create' } },
        },
      },
    });
    h = await startHarness({ policy: base });
    // Seeding writes time entries through the portal too, so seed under a policy without the rule.
    w = await seedWorld({ ...h, policy: new StaticPolicy({ inbound: { bullhorn: { client: base.inbound('bullhorn', 'client')! } } }) });
  });
  afterAll(async () => h.close());

  it('answers 409 with the ownership reason from the engine', async () => {
    const approverKey = await h.keyFor({ contactId: w.approverId });
    const r = await h.call('POST', `/api/v1/time-entries/${w.submittedEntryIds[0]}/approve`, { body: {}, token: approverKey });
    expect(r.status).toBe(409);
    expect(r.json.error).toEqual({ code: 'refused', message: 'time_entry.status is owned by bullhorn; change it there' });
  });
});
