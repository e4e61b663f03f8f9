import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, IdentityReviews, RefusedError, emptySummary, type ApplySummary } from '../../src/engine/index.ts';
import { entityFields, keyValue, normaliseKeyPart, ENTITIES, type EntityName } from '../../src/model/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { allFields, policy } from '../support/policy.ts';
import { candidateValues, rec, ref, steppingClock } from '../support/records.ts';
import { countRows, openTempStore, type TempStore } from '../support/temp-store.ts';

/**
 * Natural match keys and the identity review queue, at the engine: an ATS, a payroll system that
 * matches by email, and two CSV sources, each seeing candidates and time entries.
 */
const candidateFields = entityFields('candidate');
const timeFields = entityFields('time_entry');
const identityPolicy = () =>
  policy()
    .in('ats', 'candidate', { fields: allFields(candidateFields, 'ats') })
    .in('payroll', 'candidate', { fields: allFields(['firstName', 'lastName', 'email', 'phone', 'status'], 'ats'), byEmail: true })
    .in('csv:legacy', 'candidate', { fields: allFields(candidateFields, 'ats'), unmatched: 'review' })
    .in('ats', 'assignment', { fields: allFields(entityFields('assignment'), 'ats') })
    .in('ats', 'client', { fields: allFields(entityFields('client'), 'ats') })
    .in('ats', 'worksite', { fields: allFields(entityFields('worksite'), 'ats') })
    .in('csv:billing', 'worksite', { fields: allFields(entityFields('worksite'), 'ats') })
    .in('ats', 'requisition', { fields: allFields(entityFields('requisition'), 'ats') })
    .in('csv:billing', 'time_entry', { fields: allFields(timeFields, 'shared') })
    .in('csv:timeclock', 'time_entry', { fields: allFields(timeFields, 'shared') })
    .build();

let t: TempStore;
let store: SqliteStore;
let engine: Engine;
let reviews: IdentityReviews;
beforeEach(() => {
  t = openTempStore();
  store = t.store;
  engine = new Engine(store, { policy: identityPolicy(), now: steppingClock().now });
  reviews = new IdentityReviews(engine, () => '2026-03-02T00:00:00.000Z');
});
afterEach(() => t.dispose());

const summary = (over: Partial<ApplySummary>): ApplySummary => ({ ...emptySummary(), ...over });

async function idOf(system: string, entity: EntityName, externalId: string): Promise<string | null> {
  return (await store.repos.links.get(system, entity, externalId))?.canonicalId ?? null;
}

async function openReviews() {
  return store.repos.identity.list({ status: 'open', limit: 100 });
}

describe('natural keys in the model', () => {
  it('normalise emails, phones and addresses the way people write them', () => {
    expect(normaliseKeyPart('email', ' Ada.Quill@Example.TEST ')).toBe('ada.quill@example.test');
    expect(normaliseKeyPart('phone', '+1 (555) 010-0100')).toBe('5550100100');
    expect(normaliseKeyPart('phone', '555.010.0100')).toBe('5550100100');
    expect(normaliseKeyPart('phone', '555-0100 x12')).toBeNull();
    expect(normaliseKeyPart('phone', '0100')).toBeNull();
    expect(normaliseKeyPart('text', ' 12 Main St., Suite  4 ')).toBe('12 main st suite 4');
    expect(normaliseKeyPart('exact', '')).toBeNull();
  });

  it('declare time entry, contact, candidate and worksite keys; a key with a part missing is not used', () => {
    expect(ENTITIES.time_entry.matchKeys?.map((k) => k.name)).toEqual(['assignment + work date']);
    expect(ENTITIES.candidate.matchKeys?.map((k) => `${k.name}:${k.strength}`)).toEqual(['email:strong', 'phone:weak']);
    expect(ENTITIES.contact.matchKeys?.map((k) => `${k.name}:${k.strength}`)).toEqual(['email:strong', 'phone:weak']);
    expect(ENTITIES.worksite.matchKeys?.map((k) => k.name)).toEqual(['client + address']);
    const [email] = ENTITIES.candidate.matchKeys ?? [];
    expect(email && keyValue(email, { email: null })).toBeNull();
  });
});

describe('candidates from a second system', () => {
  it('exact: one candidate with the email links and merges; no duplicate', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues({ phone: '555-010-0100' }))] });
    const s = await engine.apply({ system: 'payroll', entity: 'candidate', records: [
      rec('e1', { firstName: 'Ada', lastName: 'Quill', email: 'ADA.QUILL@example.test', phone: '(555) 010-0100', status: 'active' }),
    ] });
    expect(s).toEqual(summary({ linked: 1 }));
    expect(await idOf('payroll', 'candidate', 'e1')).toBe(await idOf('ats', 'candidate', 'k1'));
    expect(countRows(store, 'candidates')).toBe(1);
    expect(await openReviews()).toEqual([]);
  });

  it('ambiguous: an email two candidates share is parked with the evidence, never merged', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [
      rec('k1', candidateValues({ email: 'twin@example.test', phone: '555-010-0001' })),
      rec('k2', candidateValues({ firstName: 'Bo', email: 'twin@example.test', phone: '555-010-0002' })),
    ] });
    const s = await engine.apply({ system: 'csv:legacy', entity: 'candidate', records: [rec('L1', candidateValues({ email: 'twin@example.test', phone: '555-010-0002' }))] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect(countRows(store, 'candidates')).toBe(2);
    const [review, ...rest] = await openReviews();
    expect(rest).toEqual([]);
    const [k1, k2] = [await idOf('ats', 'candidate', 'k1'), await idOf('ats', 'candidate', 'k2')];
    expect(review).toMatchObject({ system: 'csv:legacy', entity: 'candidate', externalId: 'L1', status: 'open', reason: 'email twin@example.test matches 2 candidate records' });
    expect(review?.evidence.keys).toEqual([
      { key: 'email', strength: 'strong', value: '["twin@example.test"]', matches: expect.arrayContaining([k1, k2]) as unknown },
      { key: 'phone', strength: 'weak', value: '["5550100002"]', matches: [k2] },
    ]);
    // Per candidate: which keys matched, which differ.
    expect(review?.evidence.candidates).toEqual(expect.arrayContaining([
      { canonicalId: k1, matched: ['email'], differs: [{ key: 'phone', incoming: '5550100002', current: '5550100001' }] },
      { canonicalId: k2, matched: ['email', 'phone'], differs: [] },
    ]));
  });

  it('conflicting: the email points at one candidate and the phone at another: parked', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [
      rec('k1', candidateValues({ email: 'ada@example.test', phone: '555-010-0001' })),
      rec('k2', candidateValues({ firstName: 'Bo', email: 'bo@example.test', phone: '555-010-0002' })),
    ] });
    const s = await engine.apply({ system: 'payroll', entity: 'candidate', records: [
      rec('e1', { firstName: 'Ada', lastName: 'Quill', email: 'ada@example.test', phone: '555 010 0002', status: 'active' }),
    ] });
    expect(s).toEqual(summary({ parked: 1 }));
    const [review] = await openReviews();
    expect(review?.reason).toBe(`the keys disagree: email matches ${await idOf('ats', 'candidate', 'k1') ?? ''}; phone matches ${await idOf('ats', 'candidate', 'k2') ?? ''}`);
    expect(countRows(store, 'candidates')).toBe(2);
  });

  it('weak only: a phone alone is evidence, not proof: parked', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues({ email: 'ada@example.test', phone: '555-010-0001' }))] });
    const s = await engine.apply({ system: 'payroll', entity: 'candidate', records: [
      rec('e1', { firstName: 'Ada', lastName: 'Quill', email: 'ada.q@other.test', phone: '5550100001', status: 'active' }),
    ] });
    expect(s).toEqual(summary({ parked: 1 }));
    const [review] = await openReviews();
    expect(review?.reason).toBe('only a weak key matches: phone (1 candidate record)');
    expect(review?.evidence.candidates).toEqual([
      { canonicalId: await idOf('ats', 'candidate', 'k1'), matched: ['phone'], differs: [{ key: 'email', incoming: 'ada.q@other.test', current: 'ada@example.test' }] },
    ]);
  });

  it('records the same source already has under other ids are its own: two ATS candidates with one email are two', async () => {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues({ phone: '555-010-0001' }))] });
    const s = await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k2', candidateValues({ phone: '555-010-0001' }))] });
    expect(s).toEqual(summary({ created: 1 }));
  });

  it('a mapping asking for review parks an unmatched record in the queue too', async () => {
    const s = await engine.apply({ system: 'csv:legacy', entity: 'candidate', records: [rec('L1', candidateValues())] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect((await openReviews())[0]).toMatchObject({ reason: 'no candidate matches; the mapping asks for review', evidence: { candidates: [] } });
  });
});

describe('the review queue: link and split', () => {
  async function parkedTwin(): Promise<{ reviewId: string; k1: string; k2: string }> {
    await engine.apply({ system: 'ats', entity: 'candidate', records: [
      rec('k1', candidateValues({ email: 'twin@example.test' })),
      rec('k2', candidateValues({ firstName: 'Bo', email: 'twin@example.test' })),
    ] });
    await engine.apply({ system: 'payroll', entity: 'candidate', records: [rec('e1', { firstName: 'Bo', lastName: 'Quill', email: 'twin@example.test', phone: null, status: 'active' })] });
    const [review] = await openReviews();
    if (!review) throw new Error('not parked');
    return { reviewId: review.id, k1: (await idOf('ats', 'candidate', 'k1')) ?? '', k2: (await idOf('ats', 'candidate', 'k2')) ?? '' };
  }

  it('link: the parked record becomes the chosen candidate, audited with who decided', async () => {
    const { reviewId, k2 } = await parkedTwin();
    const decision = await reviews.link(reviewId, k2, 'ops:ana', 'same person, per payroll SSN check');
    expect(decision.canonicalId).toBe(k2);
    expect(decision.review).toMatchObject({ status: 'linked', canonicalId: k2, decidedBy: 'ops:ana' });
    expect(await idOf('payroll', 'candidate', 'e1')).toBe(k2);
    expect(countRows(store, 'candidates')).toBe(2);
    expect(await openReviews()).toEqual([]);
    const ledger = await store.repos.ledger.query({ limit: 100 });
    expect(ledger.at(-1)).toMatchObject({ direction: 'local', action: 'link', actor: 'ops:ana', canonicalId: k2, reason: `identity review ${reviewId}: same person, per payroll SSN check` });
    // Answered once: a second answer is refused.
    await expect(reviews.split(reviewId, 'ops:bo')).rejects.toBeInstanceOf(RefusedError);
  });

  it('split: kept apart, it becomes a candidate of its own and is never asked about again', async () => {
    const { reviewId, k1, k2 } = await parkedTwin();
    const decision = await reviews.split(reviewId, 'ops:ana');
    expect([k1, k2]).not.toContain(decision.canonicalId);
    expect(decision.review.status).toBe('split');
    expect(countRows(store, 'candidates')).toBe(3);
    // The same record again is linked already: no new question.
    const again = await engine.apply({ system: 'payroll', entity: 'candidate', records: [rec('e1', { firstName: 'Bo', lastName: 'Quill', email: 'twin@example.test', phone: null, status: 'inactive' }, { at: '2026-02-01T00:00:00.000Z' })] });
    expect(again.parked).toBe(0);
    expect(await openReviews()).toEqual([]);
  });

  it('a link the engine cannot carry out is refused and leaves the question open', async () => {
    const { reviewId, k1 } = await parkedTwin();
    // Payroll already has k1 as another employee: linking e1 to it too would merge two payroll records.
    await engine.apply({ system: 'payroll', entity: 'candidate', records: [rec('e0', { firstName: 'Ada', lastName: 'Quill', email: 'other@example.test', phone: null, status: 'active' }, { match: { canonicalId: k1 } })] });
    await expect(reviews.link(reviewId, k1, 'ops:ana')).rejects.toThrow(/already linked to payroll e0/);
    expect((await store.repos.identity.get(reviewId))?.status).toBe('open');
    expect((await store.repos.links.get('payroll', 'candidate', 'e1'))?.state).toBe('parked');
  });
});

describe('time entries from two CSV sources', () => {
  async function seedAssignment(): Promise<string> {
    await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', { name: 'Harbor', status: 'active', phone: null, website: null, billingFrequency: null, addressLine1: null, city: null, state: null, postalCode: null })] });
    await engine.apply({ system: 'ats', entity: 'worksite', records: [rec('w1', { clientId: ref('ats', 'c1'), name: 'Dock 4', status: 'active', addressLine1: '12 Main St.', city: 'Dayton', state: 'OH', postalCode: '45402', timeZone: null })] });
    await engine.apply({ system: 'ats', entity: 'candidate', records: [rec('k1', candidateValues())] });
    await engine.apply({ system: 'ats', entity: 'requisition', records: [rec('r1', {
      clientId: ref('ats', 'c1'), worksiteId: ref('ats', 'w1'), requestedById: null, title: 'Picker', status: 'open', employmentType: 'contract',
      openings: 1, startDate: '2026-01-05', endDate: null, billRateCents: 3000, payRateCents: 2000,
    })] });
    await engine.apply({ system: 'ats', entity: 'assignment', records: [rec('a1', {
      candidateId: ref('ats', 'k1'), requisitionId: ref('ats', 'r1'), worksiteId: ref('ats', 'w1'), approverContactId: null,
      title: null, startDate: '2026-01-05', endDate: null, status: 'active',
    })] });
    const id = await idOf('ats', 'assignment', 'a1');
    if (!id) throw new Error(`assignment not seeded: ${JSON.stringify(await store.repos.links.listByState('rejected', 10))}`);
    return id;
  }
  const entry = (assignmentId: string, workDate: string, regularHours = 8) => ({
    assignmentId, workDate, regularHours, overtimeHours: 0, doubleTimeHours: 0, status: 'submitted', approvedById: null, approvedAt: null, note: null,
  });

  it('the same worker-day from a second source is the same entry: linked, never created twice', async () => {
    const a = await seedAssignment();
    await engine.apply({ system: 'csv:billing', entity: 'time_entry', records: [rec(`${a}|2026-01-05`, entry(a, '2026-01-05')), rec(`${a}|2026-01-06`, entry(a, '2026-01-06'))] });
    const s = await engine.apply({ system: 'csv:timeclock', entity: 'time_entry', records: [
      rec(`tc-1`, entry(a, '2026-01-05')), rec('tc-3', entry(a, '2026-01-07')),
    ] });
    expect(s).toEqual(summary({ linked: 1, created: 1 }));
    expect(countRows(store, 'time_entries')).toBe(3);
    expect(await idOf('csv:timeclock', 'time_entry', 'tc-1')).toBe(await idOf('csv:billing', 'time_entry', `${a}|2026-01-05`));
    const ledger = await store.repos.ledger.query({ limit: 100 });
    expect(ledger.find((e) => e.externalId === 'tc-1')).toMatchObject({ action: 'link', reason: 'matched existing time_entry' });
  });

  it('the same worker-day with other hours is a question for ops, with the hours as evidence; linked, the first source\'s hours stand', async () => {
    const a = await seedAssignment();
    await engine.apply({ system: 'csv:billing', entity: 'time_entry', records: [rec(`${a}|2026-01-06`, entry(a, '2026-01-06'))] });
    const billed = await idOf('csv:billing', 'time_entry', `${a}|2026-01-06`);
    const s = await engine.apply({ system: 'csv:timeclock', entity: 'time_entry', records: [rec('tc-2', entry(a, '2026-01-06', 7.5))] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect(countRows(store, 'time_entries')).toBe(1);
    const [review] = await openReviews();
    expect(review?.reason).toBe(`assignment + work date matches time_entry ${billed ?? ''}, but regularHours is 7.5 here and 8 there`);
    expect(review?.evidence.candidates).toEqual([{ canonicalId: billed, matched: ['assignment + work date'], differs: [{ key: 'regularHours', incoming: '7.5', current: '8' }] }]);
    await reviews.link(review?.id ?? '', billed ?? '', 'ops:ana');
    expect(await idOf('csv:timeclock', 'time_entry', 'tc-2')).toBe(billed);
    // First contact under field ownership (DESIGN, merge rule): billing's 8 hours stand.
    expect((await store.repos.canonical.get('time_entry', billed ?? ''))?.fields['regularHours']).toBe(8);
    expect(countRows(store, 'time_entries')).toBe(1);
  });

  it('a worker-day that already has two entries (a past duplicate) is parked, not merged into either', async () => {
    const a = await seedAssignment();
    // Two entries for one day, as the bug left them: from the portal's two sources before keys existed.
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('time_entry', [
        { id: 'te-dup-1', fields: entry(a, '2026-01-05'), changedAt: null },
        { id: 'te-dup-2', fields: entry(a, '2026-01-05'), changedAt: null },
      ], '2026-03-01T00:00:00.000Z');
    });
    const s = await engine.apply({ system: 'csv:timeclock', entity: 'time_entry', records: [rec('tc-1', entry(a, '2026-01-05'))] });
    expect(s).toEqual(summary({ parked: 1 }));
    expect((await openReviews())[0]?.reason).toBe(`assignment + work date ${a} + 2026-01-05 matches 2 time_entry records`);
    expect(countRows(store, 'time_entries')).toBe(2);
  });

  it('worksites match by client and address, however the address is written', async () => {
    await seedAssignment();
    const c1 = await idOf('ats', 'client', 'c1');
    const s = await engine.apply({ system: 'csv:billing', entity: 'worksite', records: [
      rec('W-9', { clientId: c1, name: 'Dock Four', status: 'active', addressLine1: '12  main st', city: 'Dayton', state: 'OH', postalCode: '45402', timeZone: null }),
    ] });
    expect(s.linked + s.updated).toBe(1);
    expect(await idOf('csv:billing', 'worksite', 'W-9')).toBe(await idOf('ats', 'worksite', 'w1'));
  });
});
