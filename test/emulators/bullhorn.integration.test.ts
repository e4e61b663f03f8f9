/**
 * Bullhorn emulator reads over real HTTP: entity GETs with field selection, search (Lucene) and
 * query (JPQL) with modified-since filters, and paging that covers every record exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import type { Dataset } from '../../fixtures/dataset/types.ts';
import { startBullhornEmulator, type RunningBullhornEmulator } from '../../fixtures/bullhorn/index.ts';
import { obtainSession, restClient, type RestClient } from '../../fixtures/bullhorn/testing/client.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let now = T0;
let dataset: Dataset;
let emu: RunningBullhornEmulator;
let api: RestClient;

// expect's asymmetric matchers are typed `any`; typed as unknown they can sit in object literals lint-clean.
const anyOf = (ctor: unknown): unknown => expect.any(ctor) as unknown;
const containing = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape) as unknown;

interface Page {
  total: number;
  start: number;
  count: number;
  data: Array<Record<string, unknown>>;
}

beforeAll(async () => {
  dataset = sampleDataset();
  // A day-long session: these tests move the clock and are not about session expiry.
  emu = await startBullhornEmulator({ dataset, now: () => now, maxPageSize: 50, sessionTtlMs: 86_400_000 });
  api = restClient(await obtainSession(emu.baseUrl, emu.control.credentials));
});
afterAll(async () => {
  await emu.close();
});

async function page(path: string, params: Record<string, string | number>): Promise<Page> {
  const res = await api.get(path, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Page;
}

/** Pages a listing to the end the way a connector would: start += count until start >= total. */
async function pageAll(path: string, params: Record<string, string | number>, count: number): Promise<number[]> {
  const ids: number[] = [];
  let start = 0;
  for (let guard = 0; guard < 1000; guard += 1) {
    const p = await page(path, { ...params, start, count });
    expect(p.start).toBe(start);
    expect(p.count).toBe(p.data.length);
    ids.push(...p.data.map((r) => Number(r['id'])));
    start += p.count;
    if (start >= p.total || p.count === 0) break;
  }
  return ids;
}

describe('Bullhorn emulator reads', () => {
  it('seeds every record with a dateLastModified before the emulator started', async () => {
    for (const type of ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate', 'JobSubmission', 'Placement', 'PlacementRateCard']) {
      expect((await page(`query/${type}`, { where: 'id > 0', fields: 'id' })).total, type).toBeGreaterThan(0);
      expect((await page(`query/${type}`, { where: `dateLastModified > ${T0 - 60_000}`, fields: 'id' })).total, type).toBe(0);
    }
  });

  it('pages search/Candidate with start+count over every record exactly once', async () => {
    const ids = await pageAll('search/Candidate', { query: 'isDeleted:0', fields: 'id,dateLastModified' }, 7);
    expect(ids).toHaveLength(dataset.candidates.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(dataset.candidates.map((c) => emu.control.idFor(c.key))));
  });

  it('pages query/JobSubmission (not searchable) over every record exactly once, in (dateLastModified, id) order', async () => {
    const rows: Array<{ id: number; dateLastModified: number }> = [];
    let start = 0;
    for (;;) {
      const p = await page('query/JobSubmission', { where: 'isDeleted = false', fields: 'id,dateLastModified', start, count: 50 });
      rows.push(...p.data.map((r) => ({ id: Number(r['id']), dateLastModified: Number(r['dateLastModified']) })));
      start += p.count;
      if (start >= p.total) break;
    }
    expect(rows).toHaveLength(dataset.submissions.length);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const sorted = [...rows].sort((a, b) => a.dateLastModified - b.dateLastModified || a.id - b.id);
    expect(rows).toEqual(sorted);
  });

  it('never skips or repeats across pages when many records share one dateLastModified', async () => {
    const stamp = T0 - 3_600_000;
    const created: number[] = [];
    for (let i = 0; i < 23; i += 1) {
      const id = emu.control.create('ClientContact', {
        firstName: `Tie${i}`, lastName: 'Åkesson', email: `tie${i}@client.example`, clientCorporation: { id: emu.control.idFor('cl-000001') },
      });
      emu.control.edit('ClientContact', id, { dateLastModified: stamp });
      created.push(id);
    }
    const ids = await pageAll('query/ClientContact', { where: `dateLastModified = ${stamp}`, fields: 'id' }, 4);
    expect(ids).toEqual([...created].sort((a, b) => a - b));
  });

  it('caps count at the max page size', async () => {
    const p = await page('search/Candidate', { query: 'isDeleted:0', fields: 'id', count: 80 });
    expect(p.count).toBe(50);
    expect(p.total).toBe(dataset.candidates.length);
  });

  it('filters modified-since by search (epoch ms and yyyyMMddHHmmss) and by query (> and >=)', async () => {
    now = T0 + 10 * 60_000;
    const keys = ['cand-000003', 'cand-000010', 'cand-000100'];
    for (const key of keys) emu.control.edit('Candidate', emu.control.idFor(key), { occupation: 'Forklift Operator' });
    const expected = keys.map((k) => emu.control.idFor(k)).sort((a, b) => a - b);
    const since = T0 + 5 * 60_000;

    const byEpoch = await page('search/Candidate', { query: `dateLastModified:[${since} TO *] AND isDeleted:false`, fields: 'id' });
    expect(byEpoch.data.map((r) => r['id']).sort()).toEqual(expected);
    const byDate = await page('search/Candidate', { query: 'dateLastModified:[20261120120500 TO *]', fields: 'id' });
    expect(byDate.total).toBe(3);
    const exclusive = await page('search/Candidate', { query: `dateLastModified:{${now} TO *}`, fields: 'id' });
    expect(exclusive.total).toBe(0);

    const byQuery = await page('query/Candidate', { where: `dateLastModified > ${since}`, fields: 'id,occupation' });
    expect(byQuery.data.map((r) => r['id']).sort()).toEqual(expected);
    expect(byQuery.data.every((r) => r['occupation'] === 'Forklift Operator')).toBe(true);
    expect((await page('query/Candidate', { where: `dateLastModified >= ${now}`, fields: 'id' })).total).toBe(3);
    expect((await page('query/Candidate', { where: `dateLastModified > ${now}`, fields: 'id' })).total).toBe(0);
  });

  it('accepts POST search and POST query with the clause in the body', async () => {
    const search = await api.send('POST', 'search/Candidate', { query: `id:${emu.control.idFor('cand-000001')}` }, { fields: 'id,firstName' });
    expect(search.status).toBe(200);
    expect((search.body as Page).data).toEqual([{ _score: 1, id: emu.control.idFor('cand-000001'), firstName: dataset.candidates[0]?.firstName }]);
    const query = await api.send('POST', 'query/Placement', { where: 'id IN (30001, 30002)', fields: 'id' });
    expect((query.body as Page).total).toBe(2);
  });

  it('returns ids only from a search without fields, and totalOnly from a query', async () => {
    const ids = await page('search/ClientCorporation', { query: 'id:[* TO *]', count: 10 });
    expect(ids.data.every((v) => typeof v === 'number')).toBe(true);
    expect([...(ids.data as unknown as number[])].sort((a, b) => a - b)).toEqual(dataset.clients.map((c) => emu.control.idFor(c.key)).sort((a, b) => a - b));
    const res = await api.get('query/Location', { where: 'isDeleted = false', totalOnly: 'true' });
    expect(res.body).toEqual({ total: dataset.worksites.length });
  });

  it('orders by orderBy/sort with descending keys', async () => {
    const p = await page('query/JobOrder', { where: 'isDeleted = false', fields: 'id', orderBy: '-id', count: 5 });
    const ids = p.data.map((r) => Number(r['id']));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids[0]).toBe(Math.max(...dataset.requisitions.map((r) => emu.control.idFor(r.key))));
  });

  it('selects fields: nested to-one selections, to-one defaults, composites, *, and id always', async () => {
    const asg = dataset.assignments[0];
    if (!asg) throw new Error('dataset has no assignments');
    const id = emu.control.idFor(asg.key);
    const res = await api.get(`entity/Placement/${id}`, {
      fields: 'status,candidate(id,name,address(city,state)),jobOrder,location(title,clientCorporation(name)),approvingClientContact',
    });
    expect(res.status).toBe(200);
    const data = (res.body as { data: Record<string, unknown> }).data;
    const cand = dataset.candidates.find((c) => c.key === asg.candidateId);
    expect(data).toEqual({
      id,
      status: 'Approved',
      candidate: { id: emu.control.idFor(asg.candidateId), name: `${cand?.firstName} ${cand?.lastName}`, address: { city: cand?.city, state: cand?.state } },
      jobOrder: { id: emu.control.idFor(asg.requisitionId ?? ''), title: dataset.requisitions.find((r) => r.key === asg.requisitionId)?.title },
      location: containing({ id: emu.control.idFor(asg.worksiteId ?? ''), clientCorporation: containing({ name: anyOf(String) }) }),
      approvingClientContact: containing({ id: emu.control.idFor(asg.approverContactId ?? ''), firstName: anyOf(String), lastName: anyOf(String) }),
    });
    expect(Object.keys(data)[0]).toBe('id');

    const all = (await api.get(`entity/Placement/${id}`, { fields: '*' })).body as { data: Record<string, unknown> };
    expect(all.data).toMatchObject({ id, payRate: anyOf(Number), dateBegin: Date.parse(`${asg.startDate}T00:00:00Z`), candidate: { id: anyOf(Number), firstName: anyOf(String) } });
    expect(all.data).toHaveProperty('dateLastModified');
  });

  it('answers 400 for unknown fields, top-level or nested, and for a missing fields parameter', async () => {
    const id = emu.control.idFor('cand-000001');
    const unknown = await api.get(`entity/Candidate/${id}`, { fields: 'id,favouriteColour' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { errorMessage: string }).errorMessage).toContain('favouriteColour');
    expect((await api.get(`entity/Placement/30001`, { fields: 'candidate(shoeSize)' })).status).toBe(400);
    expect((await api.get(`entity/Candidate/${id}`, { fields: 'firstName(id)' })).status).toBe(400);
    expect((await api.get('search/Candidate', { query: 'isDeleted:0', fields: 'nope' })).status).toBe(400);
    expect((await api.get(`entity/Candidate/${id}`)).status).toBe(400);
  });

  it('reads several ids at once and answers 404 for unknown ids', async () => {
    const a = emu.control.idFor('cand-000001');
    const b = emu.control.idFor('cand-000002');
    const many = await api.get(`entity/Candidate/${a},${b},999999`, { fields: 'id' });
    expect(many.body).toEqual({ data: [{ id: a }, { id: b }] });
    const missing = await api.get('entity/Candidate/999999', { fields: 'id' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ errorCode: 404 });
    expect((missing.body as { errorMessage: string }).errorMessage).toContain('999999');
  });

  it('refuses search on non-searchable entities and bad query syntax with a 400 and a message', async () => {
    for (const [path, params] of [
      ['search/JobSubmission', { query: 'isDeleted:0', fields: 'id' }],
      ['search/Candidate', { query: 'isDeleted:0 dateLastModified:[1 TO *]', fields: 'id' }],
      ['search/Candidate', { query: 'dateLastModified:[1 TO', fields: 'id' }],
      ['search/Candidate', { query: 'shoeSize:9', fields: 'id' }],
      ['search/Placement', { query: 'isDeleted:0', fields: 'id' }],
      ['query/Candidate', { where: 'dateLastModified >', fields: 'id' }],
      ['query/Candidate', { where: 'id IN (1, 2', fields: 'id' }],
      ['query/Candidate', { where: "firstName = 'unterminated", fields: 'id' }],
      ['query/Candidate', { where: 'isDeleted = maybe', fields: 'id' }],
      ['query/Candidate', { fields: 'id' }],
    ] as const) {
      const res = await api.get(path, params);
      expect(res.status, `${path} ${JSON.stringify(params)}`).toBe(400);
      expect((res.body as { errorMessage?: unknown }).errorMessage, path).toEqual(expect.any(String));
    }
  });

  it('keeps non-ASCII names intact and never serves SSN or date of birth', async () => {
    const accented = dataset.candidates.filter((c) => /[^\x00-\x7f]/.test(c.firstName + c.lastName)).slice(0, 5);
    expect(accented.length).toBeGreaterThan(0);
    for (const c of accented) {
      const res = await api.get(`entity/Candidate/${emu.control.idFor(c.key)}`, { fields: 'firstName,lastName,name,ssn,dateOfBirth' });
      expect((res.body as { data: unknown }).data).toEqual({ id: emu.control.idFor(c.key), firstName: c.firstName, lastName: c.lastName, name: `${c.firstName} ${c.lastName}`, ssn: null, dateOfBirth: null });
    }
  });

  it('serves PlacementRateCard lines REG/OT/DT in dollars, readable by earn code', async () => {
    const rate = dataset.assignmentRates[0];
    if (!rate) throw new Error('dataset has no rates');
    const res = await api.get(`entity/PlacementRateCard/${emu.control.idFor(rate.key)}`, { fields: 'placement,effectiveDate,placementRateCardLines(earnCode,payRate,billRate)' });
    expect((res.body as { data: unknown }).data).toEqual({
      id: emu.control.idFor(rate.key),
      placement: { id: emu.control.idFor(rate.assignmentId) },
      effectiveDate: rate.effectiveFrom,
      placementRateCardLines: [
        { earnCode: 'REG', payRate: rate.payRateCents / 100, billRate: rate.billRateCents / 100 },
        { earnCode: 'OT', payRate: (rate.otPayRateCents ?? 0) / 100, billRate: (rate.otBillRateCents ?? 0) / 100 },
        { earnCode: 'DT', payRate: (rate.dtPayRateCents ?? 0) / 100, billRate: (rate.dtBillRateCents ?? 0) / 100 },
      ],
    });
    const byPlacement = await page('query/PlacementRateCard', { where: `placement.id = ${emu.control.idFor(rate.assignmentId)}`, fields: 'id' });
    expect(byPlacement.total).toBe(dataset.assignmentRates.filter((r) => r.assignmentId === rate.assignmentId).length);
  });

  it('describes entities on meta/{Type}', async () => {
    const res = await api.get('meta/Placement', { fields: '*' });
    expect(res.status).toBe(200);
    const meta = res.body as { entity: string; fields: Array<{ name: string; type: string; readOnly: boolean; associatedEntity?: { entity: string } }> };
    expect(meta.entity).toBe('Placement');
    expect(meta.fields.find((f) => f.name === 'approvingClientContact')).toMatchObject({ type: 'TO_ONE', associatedEntity: { entity: 'ClientContact' } });
    expect(meta.fields.find((f) => f.name === 'dateLastModified')).toMatchObject({ type: 'SCALAR', readOnly: true });
  });

  it('maps every dataset record to a Bullhorn id, the same for the same dataset', async () => {
    const twin = await startBullhornEmulator({ dataset, now: () => now });
    try {
      const samples = [
        ['cl-000002', 'ClientCorporation'], ['ws-000003', 'Location'], ['ct-000004', 'ClientContact'], ['req-000005', 'JobOrder'],
        ['cand-000006', 'Candidate'], ['sub-000007', 'JobSubmission'], ['asg-000008', 'Placement'], ['rate-000009', 'PlacementRateCard'],
      ] as const;
      for (const [key, type] of samples) {
        expect(twin.control.idFor(key)).toBe(emu.control.idFor(key));
        expect(emu.control.idFor(key, type)).toBe(emu.control.idFor(key));
        expect(emu.control.keyFor(type, emu.control.idFor(key))).toBe(key);
      }
      expect(twin.control.count('Placement')).toBe(dataset.assignments.length);
      expect(twin.control.count('PlacementRateCard')).toBe(dataset.assignmentRates.length);
      expect(twin.control.count('Location')).toBe(dataset.worksites.length);
      expect(twin.control.count('JobOrder')).toBe(dataset.requisitions.length);
    } finally {
      await twin.close();
    }
  });
});
