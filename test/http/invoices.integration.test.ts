/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { exportInvoices } from '../../src/csv/export-invoices.ts';
import { applyLocalChange } from '../../src/engine/index.ts';
import type { FieldMap } from '../../src/store/index.ts';
import type { EntityName } from '../../src/model/index.ts';
import { seedWorld, startHarness, type Harness, type World } from './support.ts';

/**
 * Invoices over real HTTP: staff draft from approved time and issue once; the client's billing
 * contact reads the issued invoice (lines traced to time entries, bill rates only); a draft, another
 * client's invoice and a contact without the billing role get 404; the register exports it.
 */

const CANARY_PAY = 918_273;
let h: Harness;
let w: World;
let billingKey: string;
let foreignBillingKey: string;
let approverKey: string;
let extraEntries: string[];

beforeAll(async () => {
  h = await startHarness();
  w = await seedWorld(h);
  const make = (entity: EntityName, changes: FieldMap) =>
    h.store.unitOfWork(async (tx) => (await applyLocalChange(tx, h.policy, { entity, changes, actor: 'seed', overrideOwnership: true }, h.now())).canonicalId);
  // Rates: 31.25 an hour from Feb 1, 33.10 from Feb 19 (a raise mid-week); overtime only on the second.
  await make('assignment_rate', { assignmentId: w.assignmentId, effectiveFrom: '2026-02-01', payRateCents: CANARY_PAY, billRateCents: 3125, otPayRateCents: null, otBillRateCents: null, dtPayRateCents: null, dtBillRateCents: null });
  await make('assignment_rate', { assignmentId: w.assignmentId, effectiveFrom: '2026-02-19', payRateCents: CANARY_PAY, billRateCents: 3310, otPayRateCents: CANARY_PAY, otBillRateCents: 4965, dtPayRateCents: null, dtBillRateCents: null });
  extraEntries = [
    await make('time_entry', { assignmentId: w.assignmentId, workDate: '2026-02-16', regularHours: 7.75, overtimeHours: 0, doubleTimeHours: 0, status: 'approved', approvedById: w.approverId, approvedAt: h.now(), note: null }),
    await make('time_entry', { assignmentId: w.assignmentId, workDate: '2026-02-19', regularHours: 8, overtimeHours: 1.5, doubleTimeHours: 0, status: 'exported', approvedById: w.approverId, approvedAt: h.now(), note: null }),
  ];
  await make('contact_worksite_role', { contactId: w.requesterId, worksiteId: w.worksiteId, role: 'billing' });
  await make('contact_worksite_role', { contactId: w.foreignContactId, worksiteId: (await h.store.repos.canonical.list('worksite', { where: { clientId: w.otherClientId }, limit: 1 }))[0]?.id ?? '', role: 'billing' });
  billingKey = await h.keyFor({ contactId: w.requesterId });
  foreignBillingKey = await h.keyFor({ contactId: w.foreignContactId });
  approverKey = await h.keyFor({ contactId: w.approverId });
}, 60_000);
afterAll(async () => h.close());

describe('invoices from approved time', () => {
  let invoiceId = '';

  it('drafts the week of a client: one line per rate period × hour type, traced to its time entries', async () => {
    const r = await h.call('POST', '/api/v1/invoices/draft', { body: { clientId: w.clientId, date: '2026-02-18' } });
    expect(r.status).toBe(200);
    invoiceId = r.json.data.id;
    expect(r.headers.get('location')).toBe(`/api/v1/invoices/${invoiceId}`);
    expect(r.json.data).toMatchObject({ clientId: w.clientId, status: 'draft', periodStart: '2026-02-16', periodEnd: '2026-02-22', source: 'hub', held: [] });
    const lines = r.json.data.lines.map((l: Record<string, unknown>) => [l['kind'], l['quantity'], l['rateCents'], l['amountCents']]);
    // 7.75 h × 31.25 = 242.1875 → 242.19; 16 h × 33.10 = 529.60; 1.5 h × 49.65 = 74.475 → 74.48 (half to even: …7.5 → 8).
    expect(lines).toEqual([['regular', 7.75, 3125, 24_219], ['regular', 16, 3310, 52_960], ['overtime', 1.5, 4965, 7448]]);
    expect(r.json.data.totalCents).toBe(24_219 + 52_960 + 7448);
    const traced = r.json.data.lines.flatMap((l: { timeEntries: Array<{ timeEntryId: string }> }) => l.timeEntries.map((e) => e.timeEntryId));
    expect(new Set(traced)).toEqual(new Set([...extraEntries, w.approvedEntryId]));
    expect(r.text).not.toContain(String(CANARY_PAY));
  });

  it('shows a draft to staff only: the billing contact gets 404 until it is issued', async () => {
    expect((await h.call('GET', `/api/v1/invoices/${invoiceId}`)).json.data.status).toBe('draft');
    const contact = await h.call('GET', `/api/v1/invoices/${invoiceId}`, { token: billingKey });
    expect(contact.status).toBe(404);
    expect(contact.json).toEqual({ error: { code: 'not_found', message: `invoice ${invoiceId} not found` } });
  });

  it('drafts again while draft (same invoice), then issues once: entries invoiced, event appended, second issue 409', async () => {
    const again = await h.call('POST', '/api/v1/invoices/draft', { body: { clientId: w.clientId, date: '2026-02-22' } });
    expect(again.json).toMatchObject({ redrafted: true, data: { id: invoiceId, totalCents: 84_627 } });
    const issued = await h.call('POST', `/api/v1/invoices/${invoiceId}/issue`);
    expect(issued.status).toBe(200);
    expect(issued.json.data).toMatchObject({ id: invoiceId, status: 'issued', totalCents: 84_627 });
    for (const id of [...extraEntries, w.approvedEntryId]) expect((await h.store.repos.canonical.get('time_entry', id))?.fields['status']).toBe('invoiced');
    const history = await h.call('GET', `/api/v1/records/time_entry/${w.approvedEntryId}/history`);
    expect(history.json.data.at(-1)).toMatchObject({ fromStatus: 'approved', toStatus: 'invoiced', comment: `invoiced on ${String(issued.json.data.number)}` });
    const twice = await h.call('POST', `/api/v1/invoices/${invoiceId}/issue`);
    expect(twice.status).toBe(409);
    expect(twice.json.error.message).toMatch(new RegExp(`^invoice ${String(issued.json.data.number)} is already issued \\(at .+ by user:`));
    const events = await h.store.repos.events.forRecord('invoice', invoiceId);
    expect(events.map((e) => e.type)).toEqual(['invoice.issued']);
    // Nothing left to bill for that week: no second invoice of the same time.
    const none = await h.call('POST', '/api/v1/invoices/draft', { body: { clientId: w.clientId, date: '2026-02-18' } });
    expect(none.status).toBe(409);
    expect(none.json.error.message).toBe(`client ${w.clientId} has no approved time left to bill up to 2026-02-22`);
  });

  it('shows the issued invoice to the client’s billing contact (bill rates, never pay rates); 404 to anyone else', async () => {
    const r = await h.call('GET', `/api/v1/invoices/${invoiceId}`, { token: billingKey });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ id: invoiceId, status: 'issued', totalCents: 84_627 });
    expect(r.json.data).not.toHaveProperty('held');
    expect(r.text).not.toContain(String(CANARY_PAY));
    expect(r.text).not.toContain('payRate');
    for (const key of [foreignBillingKey, approverKey]) {
      const other = await h.call('GET', `/api/v1/invoices/${invoiceId}`, { token: key });
      expect(other.status).toBe(404);
      expect(Object.keys(other.json)).toEqual(['error']);
    }
    const listed = await h.call('GET', '/api/v1/invoices', { token: foreignBillingKey });
    expect(listed.json.data).toEqual([]);
    expect((await h.call('POST', `/api/v1/invoices/${invoiceId}/issue`, { token: billingKey })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/invoices/draft', { token: billingKey, body: { clientId: w.clientId, date: '2026-02-18' } })).status).toBe(403);
  });

  it('lets billing staff draft only for clients they are granted (404 otherwise), and exports issued invoices in the register', async () => {
    const staff = await h.keyFor({ userRole: 'billing' });
    const staffId = (await h.call('GET', '/api/v1/me', { token: staff })).json.data.principal.id as string;
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'user', subjectId: staffId, role: 'billing', clientId: w.otherClientId }, 'test', h.now()));
    const r = await h.call('POST', '/api/v1/invoices/draft', { token: staff, body: { clientId: w.clientId, date: '2026-02-18' } });
    expect(r.status).toBe(404);
    expect((await h.call('POST', '/api/v1/invoices/draft', { body: { clientId: w.clientId, date: 'next week' } })).status).toBe(400);
    let csv = '';
    await exportInvoices(h.store, {}, new Writable({ write(chunk: Buffer, _enc, done) { csv += chunk.toString(); done(); } }));
    const number = (await h.store.repos.canonical.get('invoice', invoiceId))?.fields['number'];
    expect(csv).toContain(`${String(number)},Harbor Tooling 1,${w.clientId},`);
    expect(csv).toContain(',issued,3,846.27,USD');
  });
});
