/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, can } from '../../src/access/policy.ts';
import type { Principal } from '../../src/access/principal.ts';
import { createGrant } from '../../src/access/admin.ts';
import { createSession } from '../../src/access/credentials/sessions.ts';
import { applyLocalChange } from '../../src/engine/index.ts';
import type { EntityName } from '../../src/model/index.ts';
import type { FieldMap } from '../../src/store/index.ts';
import { seedWorld, startHarness, TOKEN, type Harness, type World } from './support.ts';

/**
 * The access matrix, generated from the route table: every route × every kind of principal × a
 * target inside and outside its scope. Denied is 401/403 with no data, out of scope is 404 with no
 * data, and no response to a contact ever carries a canary pay rate, margin or internal note.
 */

const CANARY_PAY = 987_651;
const CANARY_REQ_PAY = 876_541;
const CANARY_NOTE = 'CANARY-INTERNAL-NOTE-7f3a';
const CANARY_DOC = 'CANARY-INTERNAL-DOCUMENT-91bc';
const CANARY_BILL = 765_431;

interface Extra {
  foreignAssignmentId: string;
  foreignEntryId: string;
  foreignCandidateId: string;
  requisitionId: string;
  foreignRequisitionId: string;
  submissionId: string;
  foreignSubmissionId: string;
  rateId: string;
  foreignRateId: string;
  invoiceId: string;
  foreignInvoiceId: string;
  lineId: string;
  foreignLineId: string;
  clientDocId: string;
  internalDocId: string;
  foreignDocId: string;
  miraRoleId: string;
  raviRoleId: string;
}

let h: Harness;
let w: World;
let x: Extra;
const keys: Record<string, string | null> = {};

async function seedMore(): Promise<Extra> {
  const { store, policy, now } = h;
  const make = (entity: EntityName, changes: FieldMap) =>
    store.unitOfWork(async (tx) => (await applyLocalChange(tx, policy, { entity, changes, actor: 'seed', overrideOwnership: true }, now())).canonicalId);
  const foreignWorksite = (await store.repos.canonical.list('worksite', { where: { clientId: w.otherClientId }, limit: 1 }))[0]?.id ?? '';
  const foreignCandidateId = await make('candidate', { firstName: 'Ilse', lastName: 'Marchetti', email: null, phone: null, city: null, state: null, status: 'placed', employeeType: 'w2' });
  const foreignAssignmentId = await make('assignment', {
    candidateId: foreignCandidateId, requisitionId: null, worksiteId: foreignWorksite, approverContactId: null, title: 'Forklift', startDate: '2026-02-02', endDate: null, status: 'active',
  });
  const foreignEntryId = await make('time_entry', {
    assignmentId: foreignAssignmentId, workDate: '2026-02-24', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status: 'submitted', approvedById: null, approvedAt: null, note: CANARY_NOTE,
  });
  // The approver's own entries carry the internal note too: it must never reach a contact.
  await store.unitOfWork(async (tx) => applyLocalChange(tx, policy, { entity: 'time_entry', canonicalId: w.approvedEntryId, changes: { note: CANARY_NOTE }, actor: 'seed' }, now()));
  const req = (clientId: string, worksiteId: string) =>
    make('requisition', {
      clientId, worksiteId, requestedById: null, title: 'Welder', status: 'open', employmentType: 'contract', openings: 2, startDate: null, endDate: null, payRateCents: CANARY_REQ_PAY, billRateCents: CANARY_BILL,
    });
  const requisitionId = await req(w.clientId, w.worksiteId);
  const foreignRequisitionId = await req(w.otherClientId, foreignWorksite);
  const sub = (candidateId: string, requisitionId: string) => make('submission', { candidateId, requisitionId, status: 'submitted', submittedAt: null, billRateCents: CANARY_BILL });
  const submissionId = await sub(w.candidateId, requisitionId);
  const foreignSubmissionId = await sub(foreignCandidateId, foreignRequisitionId);
  const rate = (assignmentId: string) =>
    make('assignment_rate', { assignmentId, effectiveFrom: '2026-02-01', payRateCents: CANARY_PAY, billRateCents: CANARY_BILL, otPayRateCents: CANARY_PAY, otBillRateCents: null, dtPayRateCents: null, dtBillRateCents: null });
  const rateId = await rate(w.assignmentId);
  const foreignRateId = await rate(foreignAssignmentId);
  const invoice = (clientId: string, number: string) =>
    make('invoice', { clientId, number, issueDate: '2026-03-01', dueDate: null, periodStart: null, periodEnd: null, status: 'issued', totalCents: 100, currency: 'USD' });
  const invoiceId = await invoice(w.clientId, 'INV-1');
  const foreignInvoiceId = await invoice(w.otherClientId, 'INV-2');
  const line = (invoiceId: string) => make('invoice_line', { invoiceId, assignmentId: null, timeEntryId: null, kind: 'fee', description: null, quantity: 1, rateCents: 100, amountCents: 100 });
  const lineId = await line(invoiceId);
  const foreignLineId = await line(foreignInvoiceId);
  const doc = (ownerId: string, title: string, visibility: string) =>
    make('document', { ownerEntity: 'assignment', ownerId, type: 'timesheet', title, version: 1, sha256: 'a'.repeat(64), contentType: null, sizeBytes: null, visibility });
  const clientDocId = await doc(w.assignmentId, 'Signed timesheet', 'client');
  const internalDocId = await doc(w.assignmentId, CANARY_DOC, 'internal');
  const foreignDocId = await doc(foreignAssignmentId, 'Foreign timesheet', 'client');
  const roleOf = async (contactId: string) => (await store.repos.canonical.list('contact_worksite_role', { where: { contactId }, limit: 1 }))[0]?.id ?? '';
  return {
    foreignAssignmentId, foreignEntryId, foreignCandidateId, requisitionId, foreignRequisitionId, submissionId, foreignSubmissionId, rateId, foreignRateId,
    invoiceId, foreignInvoiceId, lineId, foreignLineId, clientDocId, internalDocId, foreignDocId, miraRoleId: await roleOf(w.approverId), raviRoleId: await roleOf(w.foreignContactId),
  };
}

/** The approver contact's view: which ids of each entity are in its scope, which are not. */
function approverScope(): Record<EntityName, { inside: string[]; outside: string[] }> {
  return {
    client: { inside: [w.clientId], outside: [w.otherClientId] },
    worksite: { inside: [w.worksiteId], outside: [w.otherWorksiteId] },
    contact: { inside: [w.approverId, w.requesterId], outside: [w.foreignContactId, w.elsewhereApproverId] },
    contact_worksite_role: { inside: [x.miraRoleId], outside: [x.raviRoleId] },
    requisition: { inside: [x.requisitionId], outside: [x.foreignRequisitionId] },
    candidate: { inside: [w.candidateId], outside: [x.foreignCandidateId] },
    submission: { inside: [x.submissionId], outside: [x.foreignSubmissionId] },
    assignment: { inside: [w.assignmentId], outside: [x.foreignAssignmentId] },
    // An approver without the billing role sees no rates, invoices or invoice lines at all.
    assignment_rate: { inside: [], outside: [x.rateId, x.foreignRateId] },
    time_entry: { inside: [w.approvedEntryId, ...w.submittedEntryIds], outside: [x.foreignEntryId] },
    time_entry_event: { inside: [], outside: [] },
    invoice: { inside: [], outside: [x.invoiceId, x.foreignInvoiceId] },
    invoice_line: { inside: [], outside: [x.lineId, x.foreignLineId] },
    document: { inside: [x.clientDocId], outside: [x.internalDocId, x.foreignDocId] },
  };
}

/** The entity a route's `:id` names, or null for routes whose ids are not canonical records. */
function entityOfRoute(path: string): EntityName | null {
  const records = /^\/api\/v1\/records\/([a-z_]+)\/:id/.exec(path);
  if (records?.[1]) return records[1] as EntityName; // ENTITY_NAMES only: the records routes are generated from them
  if (path.startsWith('/api/v1/time-entries/:id')) return 'time_entry';
  if (path.startsWith('/api/v1/assignments/:id')) return 'assignment';
  if (path.startsWith('/api/v1/contacts/:id')) return 'contact';
  if (path.startsWith('/api/v1/documents/:id')) return 'document';
  if (path.startsWith('/api/v1/requisitions/:id')) return 'requisition';
  if (path.startsWith('/api/v1/invoices/:id')) return 'invoice';
  return null;
}

/** A body each POST accepts as far as validation goes, so a 404 is about the target, not the input. */
function bodyFor(path: string): unknown {
  if (path.endsWith('/reject')) return { comment: 'hours do not match the gate log' };
  if (path.endsWith('/approver')) return { contactId: w.approverId };
  if (path.endsWith('/comments')) return { body: 'looks right' };
  return {};
}

type Who = 'anonymous' | 'bootstrap' | 'approver' | 'foreign' | 'noRole' | 'viewAs' | 'opsAdmin' | 'coordinator' | 'viewer' | 'billingUser' | 'recruiter' | 'service';

/** A stand-in principal of each kind, for asking the policy what it expects. */
function principalOf(who: Who): Principal | null {
  const base = { credential: { type: 'api_key' as const, id: 'x' }, readOnly: false, limits: null };
  switch (who) {
    case 'anonymous':
      return null;
    case 'bootstrap':
      return { ...base, kind: 'bootstrap', id: 'admin-token', credential: { type: 'admin_token' } };
    case 'approver':
    case 'foreign':
    case 'noRole':
      return { ...base, kind: 'contact', id: 'c', clientId: 'k', email: null, onBehalfOf: null };
    case 'viewAs':
      return { ...base, kind: 'contact', id: 'c', clientId: 'k', email: null, onBehalfOf: 'u', readOnly: true };
    case 'opsAdmin':
      return { ...base, kind: 'user', id: 'u', role: 'ops_admin', email: 'x' };
    case 'coordinator':
      return { ...base, kind: 'user', id: 'u', role: 'coordinator', email: 'x' };
    case 'viewer':
      return { ...base, kind: 'user', id: 'u', role: 'viewer', email: 'x' };
    case 'billingUser':
      return { ...base, kind: 'user', id: 'u', role: 'billing', email: 'x' };
    case 'recruiter':
      return { ...base, kind: 'user', id: 'u', role: 'recruiter', email: 'x' };
    case 'service':
      return { ...base, kind: 'service', id: 's', role: 'viewer', name: 'svc' };
  }
}

const WHO: readonly Who[] = ['anonymous', 'bootstrap', 'approver', 'foreign', 'noRole', 'viewAs', 'opsAdmin', 'coordinator', 'viewer', 'billingUser', 'recruiter', 'service'];
const CONTACTS: ReadonlySet<Who> = new Set(['approver', 'foreign', 'noRole', 'viewAs']);

/** Every response body a contact principal received: scanned for canaries at the end. */
const contactBodies: Array<{ where: string; text: string }> = [];

async function send(who: Who, method: string, path: string, body?: unknown) {
  const token = keys[who] ?? null;
  const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (CONTACTS.has(who)) contactBodies.push({ where: `${who} ${method} ${path}`, text: r.text });
  return r;
}

/** A refusal carries the error envelope and nothing else. */
function expectNoData(r: { json: unknown; text: string }, where: string): void {
  expect(Object.keys(r.json as object), where).toEqual(['error']);
}

beforeAll(async () => {
  h = await startHarness();
  w = await seedWorld(h);
  x = await seedMore();
  keys['anonymous'] = null;
  keys['bootstrap'] = TOKEN;
  keys['approver'] = await h.keyFor({ contactId: w.approverId });
  keys['foreign'] = await h.keyFor({ contactId: w.foreignContactId });
  keys['noRole'] = await h.keyFor({ contactId: w.plainContactId });
  keys['opsAdmin'] = h.opsKey;
  keys['coordinator'] = await h.keyFor({ userRole: 'coordinator' });
  keys['viewer'] = await h.keyFor({ userRole: 'viewer' });
  keys['billingUser'] = await h.keyFor({ userRole: 'billing' });
  keys['recruiter'] = await h.keyFor({ userRole: 'recruiter' });
  keys['service'] = await h.keyFor({ serviceRole: 'viewer' });
  keys['viewAs'] = await h.store.unitOfWork(async (tx) =>
    (await createSession(tx, { kind: 'view_as', principalKind: 'contact', principalId: w.approverId, onBehalfOf: h.opsUserId, readOnly: true, ip: null, userAgent: null }, h.now())).token,
  );
}, 60_000);

afterAll(async () => {
  await h.close();
});

describe('the access matrix', () => {
  it('every route has a policy action the policy knows', () => {
    expect(h.app.apiRoutes.length).toBeGreaterThan(40);
    for (const route of h.app.apiRoutes) {
      expect(Object.keys(ACTIONS), `${route.method.toUpperCase()} ${route.path}`).toContain(route.access);
    }
  });

  it('refuses every principal a route is not for (401 anonymous, 403 otherwise) with no data, before any input is read', async () => {
    let refused = 0;
    for (const route of h.app.apiRoutes) {
      const path = route.path.replace(/:id\b/g, w.clientId).replace(/:entity\b/g, 'client');
      for (const who of WHO) {
        if (can(principalOf(who), route.access).ok) continue;
        const r = await send(who, route.method.toUpperCase(), path, route.method === 'post' ? { anything: 1 } : undefined);
        const where = `${who} ${route.method.toUpperCase()} ${route.path}`;
        expect(r.status, where).toBe(who === 'anonymous' ? 401 : 403);
        expectNoData(r, where);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(200);
    process.stdout.write(`access matrix: ${h.app.apiRoutes.length} routes × ${WHO.length} principals; ${refused} refusals checked\n`);
  });

  it('answers an id outside the caller’s scope 404, exactly like a missing one, on every route that takes one', async () => {
    const scope = approverScope();
    let checked = 0;
    for (const route of h.app.apiRoutes) {
      const entity = entityOfRoute(route.path);
      if (entity === null) continue;
      for (const who of ['approver', 'viewAs'] as const) {
        if (!can(principalOf(who), route.access).ok) continue;
        const ids = [...scope[entity].outside, '01900000-0000-7000-8000-000000000000'];
        for (const id of ids) {
          const r = await send(who, route.method.toUpperCase(), route.path.replace(':id', id), route.body !== undefined ? bodyFor(route.path) : undefined);
          const where = `${who} ${route.method.toUpperCase()} ${route.path} ${id}`;
          expect(r.status, where).toBe(404);
          expectNoData(r, where);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    process.stdout.write(`access matrix: ${checked} out-of-scope and missing ids answered 404 with no data\n`);
  });

  it('answers an id inside the caller’s scope with the record, on every detail route', async () => {
    const scope = approverScope();
    for (const route of h.app.apiRoutes) {
      const entity = entityOfRoute(route.path);
      if (entity === null || route.method !== 'get') continue;
      for (const id of scope[entity].inside) {
        const r = await send('approver', 'GET', route.path.replace(':id', id));
        expect(r.status, `${route.path} ${id}`).toBe(200);
      }
    }
  });

  it('lists only what is in scope, for every entity, in the query itself', async () => {
    const scope = approverScope();
    for (const [entity, { inside, outside }] of Object.entries(scope)) {
      const r = await send('approver', 'GET', `/api/v1/records/${entity}?limit=500`);
      expect(r.status, entity).toBe(200);
      const ids = new Set((r.json.data as Array<{ id: string }>).map((d) => d.id));
      for (const id of inside) expect(ids.has(id), `${entity} ${id} listed`).toBe(true);
      for (const id of outside) expect(ids.has(id), `${entity} ${id} not listed`).toBe(false);
    }
    // The contact of the other client sees its own world and nothing of this one.
    const foreign = await send('foreign', 'GET', '/api/v1/records/contact?limit=500');
    expect((foreign.json.data as Array<{ id: string }>).map((d) => d.id)).not.toContain(w.approverId);
    const none = await send('noRole', 'GET', '/api/v1/records/time_entry?limit=500');
    expect(none.json.data).toEqual([]);
  });

  it('the view-as token reads as the contact and cannot write (403), and both identities are audited', async () => {
    const read = await send('viewAs', 'GET', '/api/v1/me');
    expect(read.status).toBe(200);
    expect(read.json.data.principal).toMatchObject({ kind: 'contact', id: w.approverId, onBehalfOf: h.opsUserId, readOnly: true });
    const write = await send('viewAs', 'POST', `/api/v1/time-entries/${w.submittedEntryIds[0] ?? ''}/approve`, {});
    expect(write.status).toBe(403);
    const entry = await h.store.repos.canonical.get('time_entry', w.submittedEntryIds[0] ?? '');
    expect(entry?.fields['status']).toBe('submitted');
    const audited = await h.store.repos.audit.list({ actorId: w.approverId, limit: 500 });
    expect(audited.some((e) => e.onBehalfOf === h.opsUserId && e.outcome === 'denied')).toBe(true);
    // Every request under view-as is audited, reads included, with both identities.
    const reads = audited.filter((e) => e.action === 'view_as.getMe');
    expect(reads[0]).toMatchObject({ actorType: 'contact', actorId: w.approverId, onBehalfOf: h.opsUserId, outcome: 'success' });
    expect(reads[0]?.credential).toMatch(/^view_as:/);
  });

  it('never lets a contact reach the internal document’s bytes: no detail, no link, and a staff link is refused (403)', async () => {
    // The internal document gets real bytes carrying the canary (stored beside the database by default).
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(`${CANARY_DOC}: background check pending\n`)]), 'notes.txt');
    const up = await fetch(`${h.url}/api/v1/documents/${x.internalDocId}/versions`, { method: 'POST', headers: { authorization: `Bearer ${h.opsKey}` }, body: form });
    expect(up.status).toBe(201);
    const stored = ((await up.json()) as { version: { sha256: string } }).version.sha256;
    expect(existsSync(join(dirname(h.store.path), 'blobs', stored.slice(0, 2), stored.slice(2)))).toBe(true);
    const staffLink = await h.call('POST', `/api/v1/documents/${x.internalDocId}/link`, { body: {} });
    expect(staffLink.status).toBe(201);
    for (const who of ['approver', 'foreign', 'noRole', 'viewAs'] as const) {
      expect((await send(who, 'GET', `/api/v1/documents/${x.internalDocId}`)).status, who).toBe(404);
      expect((await send(who, 'POST', `/api/v1/documents/${x.internalDocId}/link`, {})).status, who).toBe(404);
      const url = new URL(staffLink.json.data.url as string);
      const taken = await send(who, 'GET', `${url.pathname}${url.search}`);
      expect(taken.status, who).toBe(403);
      expect(taken.text).not.toContain(CANARY_DOC);
    }
    // The staff link works for the staff member it was made for.
    const own = await fetch(staffLink.json.data.url as string, { headers: { authorization: `Bearer ${h.opsKey}` } });
    expect(await own.text()).toContain(CANARY_DOC);
  });

  it('never sends a pay rate, margin, internal note or internal document to a contact (canaries, every response of the matrix)', async () => {
    // Make sure the contacts also read every detail and list route once more.
    for (const who of ['approver', 'foreign', 'viewAs'] as const) {
      for (const route of h.app.apiRoutes) {
        if (route.method !== 'get' || !can(principalOf(who), route.access).ok || route.path.includes(':entity')) continue;
        const entity = entityOfRoute(route.path);
        const ids = entity === null ? [] : [...approverScope()[entity].inside];
        if (route.path.includes(':id')) for (const id of ids) await send(who, 'GET', route.path.replace(':id', id));
        else await send(who, 'GET', route.path);
      }
    }
    expect(contactBodies.length).toBeGreaterThan(100);
    process.stdout.write(`access matrix: ${contactBodies.length} response bodies to contacts scanned for canaries\n`);
    for (const { where, text } of contactBodies) {
      // The OpenAPI document names every field of the model (it is a description, not data).
      const names = where.endsWith('/openapi.json') ? [] : ['payRateCents', 'otPayRateCents'];
      for (const canary of [String(CANARY_PAY), String(CANARY_REQ_PAY), CANARY_NOTE, CANARY_DOC, ...names]) {
        expect(text.includes(canary), `${canary} in ${where}`).toBe(false);
      }
      // Bill rates reach only client admins and billing contacts; none of these is either.
      expect(text.includes(String(CANARY_BILL)), `bill rate in ${where}`).toBe(false);
    }
  });

  it('shows bill rates (never pay rates) to a billing contact, and the client’s invoices', async () => {
    const billing = await h.store.unitOfWork(async (tx) =>
      (await applyLocalChange(tx, h.policy, { entity: 'contact_worksite_role', changes: { contactId: w.requesterId, worksiteId: w.worksiteId, role: 'billing' }, actor: 'seed' }, h.now())).canonicalId,
    );
    expect(billing).toBeTruthy();
    const key = await h.keyFor({ contactId: w.requesterId });
    const rate = await h.call('GET', `/api/v1/records/assignment_rate/${x.rateId}`, { token: key });
    expect(rate.status).toBe(200);
    expect(rate.json.data.billRateCents).toBe(CANARY_BILL);
    expect(rate.json.data).not.toHaveProperty('payRateCents');
    expect(rate.text).not.toContain(String(CANARY_PAY));
    const invoices = await h.call('GET', '/api/v1/records/invoice', { token: key });
    expect((invoices.json.data as Array<{ id: string }>).map((i) => i.id)).toEqual([x.invoiceId]);
    const filter = await h.call('GET', `/api/v1/records/assignment_rate?payRateCents=${CANARY_PAY}`, { token: key });
    expect(filter.status).toBe(400);
  });

  it('lets a delegate approve only inside the dates of the delegation', async () => {
    const [entryId] = w.submittedEntryIds.slice(-1);
    await h.store.unitOfWork(async (tx) =>
      createGrant(tx, { subjectKind: 'contact', subjectId: w.elsewhereApproverId, role: 'delegate_approver', worksiteId: w.worksiteId, forContactId: w.approverId, validFrom: '2020-01-01', validTo: '2020-12-31' }, 'test', h.now()),
    );
    const lena = await h.keyFor({ contactId: w.elsewhereApproverId });
    const expired = await h.call('POST', `/api/v1/time-entries/${entryId ?? ''}/approve`, { token: lena, body: {} });
    expect(expired.status).toBe(404);
    await h.store.unitOfWork(async (tx) =>
      createGrant(tx, { subjectKind: 'contact', subjectId: w.elsewhereApproverId, role: 'delegate_approver', worksiteId: w.worksiteId, forContactId: w.approverId, validFrom: '2020-01-01', validTo: '2099-12-31' }, 'test', h.now()),
    );
    const ok = await h.call('POST', `/api/v1/time-entries/${entryId ?? ''}/approve`, { token: lena, body: {} });
    expect(ok.status).toBe(200);
    expect(ok.json.data).toMatchObject({ status: 'approved', approvedById: w.elsewhereApproverId });
    const history = await h.call('GET', `/api/v1/records/time_entry/${entryId ?? ''}/history`);
    expect(JSON.stringify(history.json)).toContain(`as delegate approver for contact:${w.approverId}`);
  });
});

describe('forged actors', () => {
  const ACTOR_FIELDS = ['by', 'actor', 'actorId', 'approvedById', 'requestedById', 'createdBy', 'onBehalfOf', 'principal', 'resolvedBy'];

  it('no route’s body schema has a field that names the actor', () => {
    for (const route of h.app.apiRoutes) {
      // Query filters on a list (`?requestedById=`) select rows; only a body could claim to act.
      for (const schema of [route.body]) {
        const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
        for (const field of ACTOR_FIELDS) expect(Object.keys(shape), `${route.method} ${route.path}`).not.toContain(field);
      }
    }
  });

  it('a body naming the acting contact is a 400 and changes nothing', async () => {
    const id = w.submittedEntryIds[0] ?? '';
    const r = await send('approver', 'POST', `/api/v1/time-entries/${id}/approve`, { contactId: w.approverId });
    expect(r.status).toBe(400);
    const by = await h.call('POST', `/api/v1/conflicts/${w.conflictClientIds[0] ?? ''}/resolve`, { body: { take: 'current', by: 'someone-else' } });
    expect(by.status).toBe(400);
  });

  it('records the authenticated principal, not a name, in the ledger and the history', async () => {
    const id = w.submittedEntryIds[1] ?? '';
    const r = await send('approver', 'POST', `/api/v1/time-entries/${id}/approve`, { comment: 'ok' });
    expect(r.status).toBe(200);
    const ledger = await h.store.repos.ledger.latestFor('time_entry', id, 5);
    expect(ledger[0]?.actor).toBe(`contact:${w.approverId}`);
    const audit = await h.store.repos.audit.list({ action: 'approveTimeEntry', targetId: id, limit: 5 });
    expect(audit[0]).toMatchObject({ actorType: 'contact', actorId: w.approverId, outcome: 'success' });
  });
});

describe('offboarding', () => {
  it('a deactivated contact’s key and session stop working on the very next request', async () => {
    const key = await h.keyFor({ contactId: w.requesterId });
    const cookie = await h.store.unitOfWork(async (tx) =>
      (await createSession(tx, { kind: 'cookie', principalKind: 'contact', principalId: w.requesterId, onBehalfOf: null, readOnly: false, ip: null, userAgent: null }, h.now())).token,
    );
    expect((await h.call('GET', '/api/v1/me', { token: key })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/me', { token: null, headers: { cookie: `cw_session=${cookie}` } })).status).toBe(200);
    // Deactivated the way a sync from the ATS does it: a canonical status change.
    await h.store.unitOfWork(async (tx) => applyLocalChange(tx, h.policy, { entity: 'contact', canonicalId: w.requesterId, changes: { status: 'inactive' }, actor: 'seed', overrideOwnership: true }, h.now()));
    const after = await h.call('GET', '/api/v1/me', { token: key });
    expect(after.status).toBe(401);
    expect((await h.call('GET', '/api/v1/me', { token: null, headers: { cookie: `cw_session=${cookie}` } })).status).toBe(401);
    const keysLeft = await h.store.repos.access.listKeys({ ownerKind: 'contact', ownerId: w.requesterId });
    expect(keysLeft).toEqual([]);
    const audit = await h.store.repos.audit.list({ actorId: w.requesterId, outcome: 'failure', limit: 10 });
    expect(audit.length).toBeGreaterThan(0);
  });
});
