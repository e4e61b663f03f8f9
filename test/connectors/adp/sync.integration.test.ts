import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adp } from '../../../connectors/adp/index.ts';
import { GuardRegistry, memoryState, silentLogger, type ConnectorInstance, type PageCursor } from '../../../connectors/kit/index.ts';
import { startAdpEmulator, type RunningAdpEmulator } from '../../../fixtures/adp/index.ts';
import { Engine } from '../../../src/engine/index.ts';
import { loadMappings } from '../../../src/mapping/index.ts';
import { countRows } from '../../support/temp-store.ts';
import { MAPPINGS_DIR, worldFrom, worldTemplate, WorldPolicy, type World, type WorldTemplate } from '../../csv/support/world.ts';

/**
 * ADP workers over real HTTPS (mutual TLS) into the Bullhorn-seeded hub: each worker's
 * associateOID is linked to the candidate it is (by email), no candidate is created, and a worker
 * with no email waits in the identity review queue (ADP never creates candidates).
 */
let template: WorldTemplate;
let world: World;
let emulator: RunningAdpEmulator;
let connector: ConnectorInstance;
beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());
beforeEach(async () => {
  world = worldFrom(template);
  emulator = await startAdpEmulator({ dataset: template.dataset });
  connector = adp.create({
    systemId: 'adp', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger,
    http: { guards: new GuardRegistry(), rateLimit: { requests: 1000, windowMs: 1000 } },
  });
});
afterEach(async () => {
  await emulator.close();
  world.dispose();
});

describe('ADP workers into the hub', () => {
  it('link to the candidates they are; none is created; one without an email is parked for review', async () => {
    const { registry, errors } = loadMappings(MAPPINGS_DIR, [{ id: 'bullhorn', connector: 'bullhorn' }, { id: 'adp', connector: 'adp' }]);
    expect(errors.map(String)).toEqual([]);
    const engine = new Engine(world.store, { policy: new WorldPolicy(registry) });
    const mapping = registry.get('adp', 'candidate');
    if (!mapping) throw new Error('no adp mapping');
    const before = countRows(world.store, 'candidates');
    const totals = { linked: 0, parked: 0, created: 0, rejected: 0 };
    let cursor: PageCursor | null = null;
    do {
      const page: Awaited<ReturnType<ConnectorInstance['pullPage']>> = await connector.pullPage({ entity: 'workers', since: null, cursor, pageSize: 50 });
      const records = page.records.map((r) => {
        const mapped = mapping.toIncoming(r);
        if (!mapped.ok) throw new Error(mapped.error);
        return mapped.record;
      });
      const s = await engine.apply({ system: 'adp', entity: 'candidate', records });
      for (const k of ['linked', 'parked', 'created', 'rejected'] as const) totals[k] += s[k];
      cursor = page.next;
    } while (cursor !== null);
    const workers = emulator.control.workers();
    const withEmail = workers.filter((w) => JSON.stringify(w['person']).includes('emailUri')).length;
    expect(totals).toEqual({ linked: withEmail, parked: workers.length - withEmail, created: 0, rejected: 0 });
    expect(countRows(world.store, 'candidates')).toBe(before);
    const [worker] = workers;
    const link = await world.store.repos.links.get('adp', 'candidate', worker?.associateOID ?? '');
    expect(link?.state === 'linked' || link?.state === 'parked').toBe(true);
  });
});
