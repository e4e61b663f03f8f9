/**
 * Bullhorn emulator writes and event subscriptions over real HTTP: create, update, soft and hard
 * deletes with their validation, dateLastModified bumps, and events fetched once then re-fetched
 * by requestId (docs/vendors.md §1.2 and §1.4).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startBullhornEmulator, type BhEvent, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { obtainSession, restClient, type RestClient } from '../../fixtures/bullhorn/testing/client.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let now = T0;
let emu: RunningBullhornEmulator;
let api: RestClient;
let subscription = 0;
let subId = '';

interface Poll {
  requestId: number;
  events?: BhEvent[];
}

beforeAll(async () => {
  emu = await startBullhornEmulator({ dataset: sampleDataset(), now: () => now, sessionTtlMs: 86_400_000 });
  api = restClient(await obtainSession(emu.baseUrl, emu.control.credentials));
});
afterAll(async () => {
  await emu.close();
});

/** A fresh subscription per test, so each sees only its own events. */
beforeEach(async () => {
  subscription += 1;
  subId = `crosswalk-test-${subscription}`;
  const res = await api.send('PUT', `event/subscription/${subId}`, undefined, {
    type: 'entity',
    names: 'Candidate,ClientContact,ClientCorporation,JobOrder,Placement,PlacementRateCard',
    eventTypes: 'INSERTED,UPDATED,DELETED',
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ subscriptionId: subId, lastRequestId: 0, createdOn: now });
});

async function poll(max = 100): Promise<Poll> {
  const res = await api.get(`event/subscription/${subId}`, { maxEvents: max });
  expect(res.status).toBe(200);
  return res.body as Poll;
}

describe('Bullhorn emulator writes', () => {
  it('creates with PUT, answers INSERT with the new id, and stamps dateAdded/dateLastModified', async () => {
    now += 1000;
    const body = { firstName: 'Ñandú', lastName: 'Grønvold', name: 'Ñandú Grønvold', email: 'nandu@example.com', address: { city: 'Toledo', state: 'OH' } };
    const res = await api.send('PUT', 'entity/Candidate', body);
    expect(res.status).toBe(200);
    const created = res.body as { changedEntityType: string; changedEntityId: number; changeType: string; data: unknown };
    expect(created).toMatchObject({ changedEntityType: 'Candidate', changeType: 'INSERT', data: body });
    const read = await api.get(`entity/Candidate/${created.changedEntityId}`, { fields: 'firstName,status,employeeType,address(city),dateAdded,dateLastModified,isDeleted' });
    expect((read.body as { data: unknown }).data).toEqual({
      id: created.changedEntityId, firstName: 'Ñandú', status: 'New Lead', employeeType: 'W2', address: { city: 'Toledo' }, dateAdded: now, dateLastModified: now, isDeleted: false,
    });
    const events = await poll();
    expect(events.events).toEqual([
      expect.objectContaining({ eventType: 'ENTITY', entityName: 'Candidate', entityId: created.changedEntityId, entityEventType: 'INSERTED', eventTimestamp: now }),
    ]);
  });

  it('updates with POST, bumps dateLastModified and emits UPDATED with the changed properties', async () => {
    const id = emu.control.idFor('cand-000005');
    now += 5000;
    const res = await api.send('POST', `entity/Candidate/${id}`, { id, status: 'Inactive', phone: '(216) 555-0199' });
    expect(res.body).toEqual({ changedEntityType: 'Candidate', changedEntityId: id, changeType: 'UPDATE', data: { id, status: 'Inactive', phone: '(216) 555-0199' } });
    expect(emu.control.get('Candidate', id)).toMatchObject({ status: 'Inactive', phone: '(216) 555-0199', dateLastModified: now });
    const [event] = (await poll()).events ?? [];
    expect(event).toMatchObject({ entityName: 'Candidate', entityId: id, entityEventType: 'UPDATED', updatedProperties: ['status', 'phone'] });
    expect(event?.eventMetadata.PERSON_ID).toEqual(expect.any(String));
    expect(event?.eventId).toMatch(/^ID:JBM-\d+$/);
  });

  it('refuses unknown, read-only, mistyped and missing mandatory fields with a 400 naming them', async () => {
    const id = emu.control.idFor('cand-000006');
    const before = emu.control.get('Candidate', id);
    const unknown = await api.send('POST', `entity/Candidate/${id}`, { shoeSize: 9, firstName: 'X' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errorCode: 400, errors: [expect.objectContaining({ propertyName: 'shoeSize', type: 'UNKNOWN_PROPERTY' })] });
    const readOnly = await api.send('POST', `entity/Candidate/${id}`, { dateLastModified: 1 });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body).toMatchObject({ errors: [expect.objectContaining({ propertyName: 'dateLastModified', type: 'READ_ONLY_PROPERTY' })] });
    expect((await api.send('POST', `entity/Candidate/${id}`, { hourlyRate: 'twenty' })).status).toBe(400);
    expect((await api.send('POST', `entity/Candidate/${id}`, { ssn: '000-00-0000' })).status).toBe(400);
    const missing = await api.send('PUT', 'entity/JobOrder', { title: 'Picker' });
    expect(missing.status).toBe(400);
    expect((missing.body as { errors: Array<{ propertyName: string }> }).errors.map((e) => e.propertyName).sort()).toEqual(['clientContact', 'clientCorporation', 'employmentType']);
    expect((await api.send('PUT', 'entity/JobOrder', { title: 'Picker', employmentType: 'Contract', clientCorporation: { id: 1 }, clientContact: { id: 1 } })).status).toBe(400);
    expect(emu.control.get('Candidate', id)).toEqual(before);
    expect((await poll()).events).toBeUndefined();
  });

  it('keeps Placement.candidate and jobOrder immutable after create, and copies employmentType from the JobOrder', async () => {
    const placement = emu.control.idFor('asg-000001');
    const other = emu.control.idFor('cand-000150');
    const res = await api.send('POST', `entity/Placement/${placement}`, { candidate: { id: other } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [expect.objectContaining({ propertyName: 'candidate', type: 'READ_ONLY_PROPERTY' })] });

    const job = emu.control.idFor('req-000002');
    const created = await api.send('PUT', 'entity/Placement', { candidate: { id: other }, jobOrder: { id: job }, dateBegin: Date.parse('2026-12-01T00:00:00Z'), payRate: 19.5 });
    expect(created.status).toBe(200);
    const id = (created.body as { changedEntityId: number }).changedEntityId;
    expect(emu.control.get('Placement', id)).toMatchObject({ employmentType: emu.control.get('JobOrder', job)?.['employmentType'], status: 'Placed' });
  });

  it('soft-deletes with DELETE (isDeleted=true, an UPDATED event) and still serves the record', async () => {
    const id = emu.control.idFor('ct-000003');
    now += 1000;
    const res = await api.send('DELETE', `entity/ClientContact/${id}`);
    expect(res.body).toEqual({ changedEntityType: 'ClientContact', changedEntityId: id, changeType: 'DELETE' });
    const read = await api.get(`entity/ClientContact/${id}`, { fields: 'isDeleted,dateLastModified' });
    expect((read.body as { data: unknown }).data).toEqual({ id, isDeleted: true, dateLastModified: now });
    const notDeleted = await api.get('search/ClientContact', { query: `id:${id} AND isDeleted:0`, fields: 'id' });
    expect((notDeleted.body as { total: number }).total).toBe(0);
    expect(emu.control.count('ClientContact')).toBe(emu.control.count('ClientContact', { includeDeleted: true }) - emu.control.stats().entities['ClientContact']!.deleted);
    expect((await poll()).events).toEqual([expect.objectContaining({ entityId: id, entityEventType: 'UPDATED', updatedProperties: ['isDeleted'] })]);
  });

  it('hard-deletes a Placement with DELETE (a DELETED event, then 404) and refuses to delete a ClientCorporation', async () => {
    const id = emu.control.idFor('asg-000010');
    expect((await api.send('DELETE', `entity/Placement/${id}`)).status).toBe(200);
    expect((await api.get(`entity/Placement/${id}`, { fields: 'id' })).status).toBe(404);
    expect((await poll()).events).toEqual([expect.objectContaining({ entityName: 'Placement', entityId: id, entityEventType: 'DELETED' })]);

    const client = await api.send('DELETE', `entity/ClientCorporation/${emu.control.idFor('cl-000001')}`);
    expect(client.status).toBe(400);
    expect((client.body as { errorMessage: string }).errorMessage).toMatch(/immutable/);
  });

  it('creates an archived ClientContact with every new ClientCorporation', async () => {
    const contactsBefore = emu.control.count('ClientContact');
    const res = await api.send('PUT', 'entity/ClientCorporation', { name: 'Quillfeather Cold Chain LLC' });
    const id = (res.body as { changedEntityId: number }).changedEntityId;
    expect(emu.control.count('ClientContact')).toBe(contactsBefore + 1);
    const archived = await api.get('query/ClientContact', { where: `clientCorporation.id = ${id}`, fields: 'id,status' });
    const rows = (archived.body as { data: Array<{ id: unknown; status: unknown }> }).data;
    expect(rows.map((r) => [typeof r.id, r.status])).toEqual([['number', 'Archive']]);
  });
});

describe('Bullhorn emulator event subscriptions', () => {
  it('removes events once fetched, answers an empty queue with only a requestId, and re-fetches a batch by requestId', async () => {
    for (const key of ['cand-000020', 'cand-000021', 'cand-000022']) emu.control.edit('Candidate', emu.control.idFor(key), { occupation: 'Welder' });
    const first = await poll(2);
    expect(first.events).toHaveLength(2);
    const second = await poll(2);
    expect(second.events).toHaveLength(1);
    expect(second.requestId).toBe(first.requestId + 1);
    const empty = await poll(2);
    expect(empty).toEqual({ requestId: second.requestId + 1 });

    const again = await api.get(`event/subscription/${subId}`, { requestId: first.requestId });
    expect(again.body).toEqual(first);
    expect((await api.get(`event/subscription/${subId}/lastRequestId`)).body).toEqual({ result: empty.requestId });
    expect(first.events?.map((e) => e.updatedProperties)).toEqual([['occupation'], ['occupation']]);
  });

  it('emits events for control edits and creates with the recruiter as PERSON_ID, none for hardDelete, and loses dropped events', async () => {
    const id = emu.control.idFor('cand-000030');
    emu.control.edit('Candidate', id, { status: 'Placed' });
    const newId = emu.control.create('Candidate', { firstName: 'Þóra', lastName: 'Ólafsdóttir', name: 'Þóra Ólafsdóttir' }, { key: 'cand-extra-1' });
    expect(emu.control.idFor('cand-extra-1')).toBe(newId);
    const events = (await poll()).events ?? [];
    expect(events.map((e) => [e.entityId, e.entityEventType])).toEqual([[id, 'UPDATED'], [newId, 'INSERTED']]);
    expect(new Set(events.map((e) => e.eventMetadata.PERSON_ID)).size).toBe(1);

    emu.control.hardDelete('Candidate', newId);
    expect(emu.control.get('Candidate', newId)).toBeUndefined();
    expect((await poll()).events).toBeUndefined();

    emu.control.edit('Candidate', id, { status: 'Active' });
    emu.control.edit('Candidate', id, { status: 'Inactive' });
    expect(emu.control.dropEvents(1)).toBeGreaterThanOrEqual(1);
    const kept = (await poll()).events ?? [];
    expect(kept).toHaveLength(1);
    expect(emu.control.get('Candidate', id)?.['status']).toBe('Inactive');
  });

  it('only queues the entity names and event types subscribed to, and stops after DELETE', async () => {
    const narrow = 'crosswalk-narrow';
    await api.send('PUT', `event/subscription/${narrow}`, undefined, { type: 'entity', names: 'Placement', eventTypes: 'DELETED' });
    emu.control.edit('Placement', emu.control.idFor('asg-000020'), { status: 'Completed' });
    await api.send('DELETE', `entity/Placement/${emu.control.idFor('asg-000021')}`);
    const res = await api.get(`event/subscription/${narrow}`, { maxEvents: 10 });
    expect((res.body as Poll).events).toEqual([expect.objectContaining({ entityId: emu.control.idFor('asg-000021'), entityEventType: 'DELETED' })]);
    expect((await api.send('DELETE', `event/subscription/${narrow}`)).body).toEqual({ result: true });
    expect((await api.get(`event/subscription/${narrow}`, { maxEvents: 10 })).status).toBe(404);
  });

  it('refuses a subscription without names or eventTypes, and a poll without maxEvents', async () => {
    expect((await api.send('PUT', 'event/subscription/bad', undefined, { type: 'entity', eventTypes: 'INSERTED' })).status).toBe(400);
    expect((await api.send('PUT', 'event/subscription/bad', undefined, { type: 'entity', names: 'Candidate' })).status).toBe(400);
    expect((await api.get(`event/subscription/${subId}`)).status).toBe(400);
  });
});
