/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   responses are JSON read by path, as in the other HTTP tests. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { entityFields } from '../../src/model/index.ts';
import { allFields, policy } from '../support/policy.ts';
import { candidateValues, rec } from '../support/records.ts';
import { startHarness, type Harness } from './support.ts';

/** The identity review queue over real HTTP: list with evidence, link, split, and the refusals. */
let h: Harness;
const ids: Record<string, string> = {};
beforeAll(async () => {
  const p = policy()
    .in('bullhorn', 'candidate', { fields: allFields(entityFields('candidate'), 'bullhorn') })
    .in('gusto', 'candidate', { fields: allFields(['firstName', 'lastName', 'email', 'phone', 'status'], 'bullhorn'), byEmail: true })
    .build();
  h = await startHarness({ policy: p });
  const engine = new Engine(h.store, { policy: p, now: h.now });
  await engine.apply({ system: 'bullhorn', entity: 'candidate', records: [
    rec('k1', candidateValues({ email: 'twin@example.test' })),
    rec('k2', candidateValues({ firstName: 'Bo', email: 'twin@example.test' })),
  ] });
  const employee = (id: string) => rec(id, { firstName: 'Bo', lastName: 'Quill', email: 'twin@example.test', phone: null, status: 'active' });
  await engine.apply({ system: 'gusto', entity: 'candidate', records: [employee('e1'), employee('e2')] });
  for (const k of ['k1', 'k2']) ids[k] = (await h.store.repos.links.get('bullhorn', 'candidate', k))?.canonicalId ?? '';
});
afterAll(async () => h.close());

describe('/api/v1/identity', () => {
  it('lists open questions with the keys that matched and the candidates', async () => {
    const r = await h.call('GET', '/api/v1/identity?entity=candidate');
    expect(r.status).toBe(200);
    expect(r.json.data).toHaveLength(2);
    expect(r.json.data[0]).toMatchObject({ system: 'gusto', entity: 'candidate', externalId: 'e1', status: 'open', reason: 'email twin@example.test matches 2 candidate records' });
    expect(r.json.data[0].evidence.keys[0]).toMatchObject({ key: 'email', strength: 'strong', matches: expect.arrayContaining([ids['k1'], ids['k2']]) as unknown });
    // Ops can alert on the queue.
    expect((await h.call('GET', '/metrics', { token: null })).text).toMatch(/^crosswalk_identity_reviews_open 2$/m);
    const one = await h.call('GET', `/api/v1/identity/${r.json.data[0].id as string}`);
    expect(one.json.data.id).toBe(r.json.data[0].id);
  });

  it('links one, refuses to answer it twice, and refuses a link that would merge two Gusto employees', async () => {
    const [e1, e2] = (await h.call('GET', '/api/v1/identity')).json.data as Array<{ id: string }>;
    const linked = await h.call('POST', `/api/v1/identity/${e1?.id ?? ''}/link`, { body: { canonicalId: ids['k2'], reason: 'same person' } });
    expect(linked.status).toBe(200);
    expect(linked.json).toMatchObject({ canonicalId: ids['k2'], data: { status: 'linked', decidedBy: `user:${h.opsUserId}` } });
    const twice = await h.call('POST', `/api/v1/identity/${e1?.id ?? ''}/split`, { body: {} });
    expect(twice.status).toBe(409);
    expect(twice.json.error.code).toBe('refused');
    const merge = await h.call('POST', `/api/v1/identity/${e2?.id ?? ''}/link`, { body: { canonicalId: ids['k2'] } });
    expect(merge.status).toBe(409);
    expect(merge.json.error.message).toMatch(/already linked to gusto e1/);
    expect((await h.call('GET', `/api/v1/identity/${e2?.id ?? ''}`)).json.data.status).toBe('open');
  });

  it('splits one off as a record of its own', async () => {
    const [e2] = (await h.call('GET', '/api/v1/identity')).json.data as Array<{ id: string }>;
    const split = await h.call('POST', `/api/v1/identity/${e2?.id ?? ''}/split`, { body: {} });
    expect(split.status).toBe(200);
    expect([ids['k1'], ids['k2']]).not.toContain(split.json.canonicalId);
    expect((await h.call('GET', '/api/v1/identity')).json.data).toEqual([]);
    expect((await h.call('GET', '/api/v1/identity?status=all')).json.data).toHaveLength(2);
  });

  it('answers 404 for an unknown question and 400 for a link without a record', async () => {
    expect((await h.call('GET', '/api/v1/identity/01900000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await h.call('POST', '/api/v1/identity/01900000-0000-7000-8000-000000000000/link', { body: {} })).status).toBe(400);
    // Who decides is the signed-in principal: a name in the body is refused.
    expect((await h.call('POST', '/api/v1/identity/01900000-0000-7000-8000-000000000000/split', { body: { by: 'ops:ana' } })).status).toBe(400);
  });
});
