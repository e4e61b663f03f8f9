/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedFields, StaticPolicy } from '../../src/engine/index.ts';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

describe('portal actions', () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await seedWorld(h);
  });
  afterAll(async () => h.close());

  const history = async (entryId: string) => (await h.call('GET', `/api/v1/records/time_entry/${entryId}/history`)).json.data as Array<Record<string, unknown>>;

  describe('time entry approval', () => {
    it('lets an approver at the worksite approve: fields, history with comment, ledger, payroll outbox', async () => {
      const id = w.submittedEntryIds[0] ?? '';
      const r = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { contactId: w.approverId, comment: 'hours match the gate log' } });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ id, status: 'approved', approvedById: w.approverId, approvedAt: expect.stringMatching(/^2026-03-02T/) as unknown });
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

    it('refuses a contact who is not an approver at that worksite (403 with the reason) and writes nothing', async () => {
      const id = w.submittedEntryIds[1] ?? '';
      const ledgerBefore = await h.store.repos.ledger.count();
      for (const contactId of [w.plainContactId, w.elsewhereApproverId, w.requesterId]) {
        const r = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { contactId } });
        expect(r.status).toBe(403);
        expect(r.json.error).toEqual({ code: 'forbidden', message: `contact ${contactId} is not an approver at worksite ${w.worksiteId}` });
      }
      const inactive = await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { contactId: w.inactiveApproverId } });
      expect(inactive.status).toBe(403);
      expect(inactive.json.error.message).toBe(`contact ${w.inactiveApproverId} is inactive`);
      expect((await h.call('POST', `/api/v1/time-entries/${id}/approve`, { body: { contactId: 'ghost' } })).status).toBe(403);
      expect(await h.store.repos.ledger.count()).toBe(ledgerBefore);
      expect((await h.store.repos.canonical.get('time_entry', id))?.fields['status']).toBe('submitted');
    });

    it('requires a comment to reject, and keeps it in the history', async () => {
      const id = w.submittedEntryIds[1] ?? '';
      const missing = await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { contactId: w.approverId } });
      expect(missing.status).toBe(400);
      expect(missing.json.error.details).toEqual([{ path: 'body.comment', message: expect.any(String) as unknown }]);
      expect((await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { contactId: w.approverId, comment: '   ' } })).status).toBe(400);
      const r = await h.call('POST', `/api/v1/time-entries/${id}/reject`, { body: { contactId: w.approverId, comment: 'lunch break missing' } });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ status: 'rejected', approvedById: null });
      expect(r.json.outboxIds).toEqual([]);
      expect((await history(id)).at(-1)).toMatchObject({ toStatus: 'rejected', comment: 'lunch break missing' });
    });

    it('answers 409 with the status machine’s reason for an illegal move', async () => {
      const draft = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/approve`, { body: { contactId: w.approverId } });
      expect(draft.status).toBe(409);
      expect(draft.json.error).toEqual({ code: 'refused', message: 'a draft time entry can only become submitted, not approved' });
      const twice = await h.call('POST', `/api/v1/time-entries/${w.approvedEntryId}/approve`, { body: { contactId: w.approverId } });
      expect(twice.status).toBe(409);
      expect(twice.json.error.message).toBe('time entry is already approved');
      expect((await h.store.repos.canonical.get('time_entry', w.approvedEntryId))?.fields['approvedAt']).toBe('2026-02-21T10:00:00.000Z');
    });

    it('submits a draft (empty body or with who), and a corrected rejected entry', async () => {
      const r = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/submit`);
      expect(r.status).toBe(200);
      expect(r.json.data.status).toBe('submitted');
      expect((await history(w.draftEntryId)).at(-1)).toMatchObject({ fromStatus: 'draft', toStatus: 'submitted', actor: 'token:admin' });
      const rejected = w.submittedEntryIds[1] ?? '';
      const again = await h.call('POST', `/api/v1/time-entries/${rejected}/submit`, { body: { by: 'worker:noor', comment: 'added the break' } });
      expect(again.status).toBe(200);
      expect((await history(rejected)).at(-1)).toMatchObject({ fromStatus: 'rejected', toStatus: 'submitted', actor: 'worker:noor', comment: 'added the break' });
      expect((await h.call('POST', `/api/v1/time-entries/${w.approvedEntryId}/submit`)).status).toBe(409);
      expect((await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/submit`, { body: { status: 'approved' } })).status).toBe(400);
      expect((await h.call('POST', '/api/v1/time-entries/missing/submit')).status).toBe(404);
    });
  });

  describe('requisitions', () => {
    const valid = () => ({
      clientId: w.clientId, worksiteId: w.worksiteId, requestedById: w.requesterId, title: 'Forklift operators, night shift',
      employmentType: 'contract', openings: 3, startDate: '2026-04-06', endDate: '2026-09-30', billRateCents: 3850,
    });

    it('opens a requisition for a requester at the worksite: 201 with the record', async () => {
      const r = await h.call('POST', '/api/v1/requisitions', { body: valid() });
      expect(r.status).toBe(201);
      expect(r.json.data).toMatchObject({ ...valid(), status: 'open', payRateCents: null, revision: 1 });
      expect(r.headers.get('location')).toBe(`/api/v1/records/requisition/${r.json.data.id}`);
      expect((await h.call('GET', `/api/v1/records/requisition/${r.json.data.id}`)).json.ledger[0]).toMatchObject({ action: 'create', actor: `contact:${w.requesterId}` });
    });

    it('never accepts status or pay rate from the client (mass assignment)', async () => {
      for (const extra of [{ status: 'filled' }, { payRateCents: 2500 }, { id: 'chosen' }]) {
        const r = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), ...extra } });
        expect(r.status).toBe(400);
        expect(r.json.error.details[0].message).toBe('unknown field');
      }
    });

    it('checks the worksite belongs to the client and the requester holds the role there', async () => {
      const elsewhere = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), clientId: w.otherClientId } });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.json.error.message).toBe(`worksite ${w.worksiteId} does not belong to client ${w.otherClientId}`);
      const noRole = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), requestedById: w.plainContactId } });
      expect(noRole.status).toBe(403);
      const foreign = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), requestedById: w.foreignContactId } });
      expect(foreign.status).toBe(403);
      expect(foreign.json.error.message).toBe(`contact ${w.foreignContactId} is not a requester at worksite ${w.worksiteId}`);
      expect((await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), clientId: 'nobody' } })).status).toBe(422);
      const dates = await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), endDate: '2026-01-01' } });
      expect(dates.status).toBe(400);
      expect(dates.json.error.details).toEqual([{ path: 'body.endDate', message: 'endDate is before startDate' }]);
      expect((await h.call('POST', '/api/v1/requisitions', { body: { ...valid(), openings: 0 } })).status).toBe(400);
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
      const r = await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.requesterId, by: 'ops:kim' } });
      expect(r.status).toBe(200);
      expect(r.json.data).toMatchObject({ id: w.assignmentId, approverContactId: w.requesterId, revision: 2 });
      const ledger = await h.call('GET', `/api/v1/ledger?entity=assignment&canonicalId=${w.assignmentId}&limit=500`);
      expect(ledger.json.data.at(-1)).toMatchObject({ action: 'update', actor: 'ops:kim', diff: [{ field: 'approverContactId', from: w.approverId, to: w.requesterId, result: 'applied' }] });
      expect((await h.call('POST', `/api/v1/assignments/${w.assignmentId}/approver`, { body: { contactId: w.approverId, worksiteId: 'x' } })).status).toBe(400);
      expect((await h.call('POST', '/api/v1/assignments/none/approver', { body: { contactId: w.approverId } })).status).toBe(404);
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
    const r = await h.call('POST', `/api/v1/time-entries/${w.submittedEntryIds[0]}/approve`, { body: { contactId: w.approverId } });
    expect(r.status).toBe(409);
    expect(r.json.error).toEqual({ code: 'refused', message: 'time_entry.status is owned by bullhorn; change it there' });
  });
});
