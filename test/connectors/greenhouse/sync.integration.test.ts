import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { greenhouse } from '../../../connectors/greenhouse/index.ts';
import { memoryState, silentLogger, type ConnectorInstance, type VendorRecord } from '../../../connectors/kit/index.ts';
import { startGreenhouseEmulator, type RunningGreenhouseEmulator } from '../../../fixtures/greenhouse/index.ts';
import { Engine, IdentityReviews, type IncomingRecord } from '../../../src/engine/index.ts';
import { loadMappings, type MappingRegistry } from '../../../src/mapping/index.ts';
import { countRows } from '../../support/temp-store.ts';
import { MAPPINGS_DIR, worldFrom, worldTemplate, WorldPolicy, type World, type WorldTemplate } from '../../csv/support/world.ts';

/**
 * Greenhouse as the second business line's ATS, over real HTTP into the hub: the Bullhorn-seeded
 * world's people arrive again from Greenhouse and resolve to the candidates the hub has (email);
 * a person Greenhouse knows only by a phone waits for ops; its jobs are requisitions of their own.
 */
let template: WorldTemplate;
let world: World;
let emulator: RunningGreenhouseEmulator;
let registry: MappingRegistry;
let engine: Engine;
let connector: ConnectorInstance;

beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());
beforeEach(async () => {
  world = worldFrom(template);
  emulator = await startGreenhouseEmulator({ dataset: template.dataset, rateLimit: 1000, clientIdOf: (key) => template.ids.get(key) ?? key });
  const loaded = loadMappings(MAPPINGS_DIR, [{ id: 'bullhorn', connector: 'bullhorn' }, { id: 'greenhouse', connector: 'greenhouse' }]);
  expect(loaded.errors.map(String)).toEqual([]);
  registry = loaded.registry;
  engine = new Engine(world.store, { policy: new WorldPolicy(registry) });
  connector = greenhouse.create({ systemId: 'greenhouse', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger });
});
afterEach(async () => {
  await emulator.close();
  world.dispose();
});

/** Pulls every page of a Greenhouse entity and applies it through its mappings (counts for the first canonical entity, or the one named). */
async function sync(entity: 'jobs' | 'candidates' | 'applications', canonical?: string) {
  const mappings = registry.allByVendorEntity('greenhouse', entity);
  let cursor = null;
  const totals = { pulled: 0, created: 0, linked: 0, parked: 0, held: 0, rejected: 0, updated: 0 };
  const counted = canonical ?? mappings[0]?.entity;
  do {
    const page: Awaited<ReturnType<ConnectorInstance['pullPage']>> = await connector.pullPage({ entity, since: null, cursor, pageSize: 200 });
    totals.pulled += page.records.length;
    for (const m of mappings) {
      const records = page.records.map((r: VendorRecord) => {
        const mapped = m.toIncoming(r);
        if (!mapped.ok) throw new Error(mapped.error);
        return mapped.record;
      }) satisfies IncomingRecord[];
      const s = await engine.apply({ system: 'greenhouse', entity: m.entity, records });
      if (m.entity !== counted) continue;
      for (const k of ['created', 'linked', 'parked', 'held', 'rejected', 'updated'] as const) totals[k] += s[k];
    }
    cursor = page.next;
  } while (cursor !== null);
  return totals;
}

describe('Greenhouse into the hub', () => {
  it('people the hub has from Bullhorn resolve to them; jobs are requisitions of their own; applications follow', async () => {
    const people = template.dataset.candidates;
    const withEmail = people.filter((c) => c.email !== null).length;
    const phoneOnly = people.filter((c) => c.email === null && c.phone !== null).length;
    const neither = people.length - withEmail - phoneOnly;
    const candidatesBefore = countRows(world.store, 'candidates');
    const requisitionsBefore = countRows(world.store, 'requisitions');

    const jobs = await sync('jobs');
    expect(jobs).toMatchObject({ pulled: template.dataset.requisitions.length, created: template.dataset.requisitions.length, rejected: 0 });
    expect(countRows(world.store, 'requisitions')).toBe(requisitionsBefore + jobs.created);

    const candidates = await sync('candidates');
    expect(candidates).toMatchObject({ pulled: people.length, linked: withEmail, parked: phoneOnly, created: neither, rejected: 0 });
    expect(countRows(world.store, 'candidates')).toBe(candidatesBefore + neither);

    const applications = await sync('applications', 'submission');
    expect(applications.pulled).toBe(template.dataset.submissions.length);
    expect(applications.rejected).toBe(0);
    // Applications of people waiting in the review queue wait for them.
    expect(applications.created + applications.held).toBe(template.dataset.submissions.length);

    // Ops link each phone-only person to the candidate it is (among those the evidence names): their
    // applications follow. The seed numbers Greenhouse candidates in dataset order from 71820001.
    const reviews = new IdentityReviews(engine);
    const open = await world.store.repos.identity.list({ status: 'open', system: 'greenhouse', limit: 1000 });
    expect(open).toHaveLength(phoneOnly);
    for (const review of open) {
      expect(review.reason).toMatch(/^only a weak key matches: phone/);
      const key = people[Number(review.externalId) - 71_820_001]?.key ?? '';
      const canonicalId = world.ids.get(key) ?? '';
      expect(review.evidence.candidates.map((c) => c.canonicalId)).toContain(canonicalId);
      await reviews.link(review.id, canonicalId, 'ops:test');
    }
    expect(countRows(world.store, 'submissions', "id IN (SELECT canonical_id FROM links WHERE system = 'greenhouse' AND entity = 'submission')")).toBe(template.dataset.submissions.length);
    expect(countRows(world.store, 'links', "system = 'greenhouse' AND state <> 'linked'")).toBe(0);
    // Hires → assignments: one per hired application, from the accepted offer's start date.
    const hired = emulator.control.records('applications').filter((a) => a['status'] === 'hired');
    expect(countRows(world.store, 'links', "system = 'greenhouse' AND entity = 'assignment' AND state = 'linked'")).toBe(hired.length);
    const first = hired[0];
    if (first) {
      const link = await world.store.repos.links.get('greenhouse', 'assignment', String(first.id));
      const assignment = await world.store.repos.canonical.get('assignment', link?.canonicalId ?? '');
      const candidate = await world.store.repos.links.get('greenhouse', 'candidate', String(first['candidate_id']));
      expect(assignment?.fields).toMatchObject({ candidateId: candidate?.canonicalId, status: 'active' });
      expect(assignment?.fields['startDate']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('an incremental pull brings only what changed, and a re-pull of unchanged records writes nothing', async () => {
    await sync('jobs');
    await sync('candidates');
    const since = new Date().toISOString();
    const [first] = emulator.control.records('candidates');
    if (!first) throw new Error('no candidates');
    await new Promise((r) => setTimeout(r, 5));
    emulator.control.edit('candidates', first.id, { phone_numbers: [{ value: '614-555-0199', type: 'mobile' }] });
    const page = await connector.pullPage({ entity: 'candidates', since, cursor: null });
    expect(page.records.map((r) => r['id'])).toEqual([first.id]);
    const again = await sync('candidates');
    expect(again.created + again.linked + again.parked).toBe(0);
  });
});
