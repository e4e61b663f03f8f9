import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleDataset, type Dataset } from '../../../fixtures/dataset/index.ts';
import { Engine, ownedFields, SHARED, StaticPolicy, type IncomingRecord, type IncomingValue, type InboundRules, type OutboundRule, type SyncPolicy } from '../../../src/engine/index.ts';
import { loadMappings, type MappingRegistry } from '../../../src/mapping/index.ts';
import { ENTITIES, entityFields, type EntityName } from '../../../src/model/index.ts';
import { SqliteStore } from '../../../src/store/index.ts';
import { openTempStore, type TempStore } from '../../support/temp-store.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const MAPPINGS_DIR = join(REPO, 'mappings');
export const CORPUS_DIR = join(REPO, 'test/fixtures/csv');
export const BULLHORN = 'bullhorn';
/** A fixed clock: reports and ledger rows compare equal across runs. */
export const T0 = '2026-11-20T09:00:00.000Z';

/** The CSV mappings of the repository, bound to a Bullhorn system (their references name it). */
export function csvMappings(dir = MAPPINGS_DIR): MappingRegistry {
  const { registry, errors } = loadMappings(dir, [{ id: BULLHORN, connector: 'bullhorn' }]);
  if (errors.length > 0) throw new Error(`mappings do not load:\n${errors.map((e) => e.toString()).join('\n')}`);
  return registry;
}

/**
 * The seed system's rules next to the CSV mappings: Bullhorn owns what it sends about clients,
 * worksites, contacts, candidates, requisitions and placements; time entries are shared, so the
 * hub may move them to `exported`.
 */
export class WorldPolicy implements SyncPolicy {
  private readonly seed: StaticPolicy;
  constructor(private readonly csv: MappingRegistry) {
    const owned = (entity: EntityName, owner: string): InboundRules => ({ fields: ownedFields(owner, entityFields(entity)), match: { byEmail: false, unmatched: 'create' } });
    this.seed = new StaticPolicy({
      inbound: {
        [BULLHORN]: {
          client: owned('client', BULLHORN), worksite: owned('worksite', BULLHORN), contact: owned('contact', BULLHORN),
          contact_worksite_role: owned('contact_worksite_role', BULLHORN), requisition: owned('requisition', BULLHORN),
          candidate: owned('candidate', BULLHORN), assignment: owned('assignment', BULLHORN), assignment_rate: owned('assignment_rate', BULLHORN),
          time_entry: owned('time_entry', SHARED), invoice: owned('invoice', SHARED), invoice_line: owned('invoice_line', SHARED),
        },
      },
    });
  }

  inbound(system: string, entity: EntityName): InboundRules | undefined {
    return system === BULLHORN ? this.seed.inbound(system, entity) : this.csv.inbound(system, entity);
  }

  outbound(entity: EntityName): readonly OutboundRule[] {
    return this.csv.outbound(entity);
  }

  ownerOf(entity: EntityName, field: string): string | undefined {
    return this.seed.ownerOf(entity, field) ?? this.csv.ownerOf(entity, field);
  }
}

export interface World {
  readonly temp: TempStore;
  readonly store: SqliteStore;
  readonly mappings: MappingRegistry;
  readonly policy: SyncPolicy;
  readonly engine: Engine;
  readonly dataset: Dataset;
  /** dataset key → canonical id */
  readonly ids: Map<string, string>;
  dispose(): void;
}

function ref(key: string): IncomingValue {
  return { ref: { system: BULLHORN, externalId: key } };
}

/** Dataset records as Bullhorn would send them: references by Bullhorn id (= the dataset key). */
function asIncoming(entity: EntityName, item: Record<string, unknown>): IncomingRecord {
  const values: Record<string, IncomingValue> = {};
  const refs = ENTITIES[entity].refs;
  for (const field of entityFields(entity)) {
    const v = item[field] as string | number | null | undefined;
    values[field] = refs[field] !== undefined && typeof v === 'string' ? ref(v) : (v ?? null);
  }
  return { externalId: item['key'] as string, sourceModifiedAt: '2026-11-01T00:00:00.000Z', values };
}

export interface WorldOptions {
  /** Seed the dataset's time entries too (export tests). @defaultValue false */
  readonly timeEntries?: boolean;
  readonly mappingsDir?: string;
}

/**
 * A temp store seeded with the sample dataset through the engine as Bullhorn, the CSV tables,
 * the repository's CSV mappings and an engine on a fixed clock.
 */
export async function openWorld(options: WorldOptions = {}): Promise<World> {
  const temp = openTempStore();
  const mappings = csvMappings(options.mappingsDir);
  const policy = new WorldPolicy(mappings);
  const engine = new Engine(temp.store, { policy, now: () => T0 });
  const dataset = sampleDataset();
  const seed = async (entity: EntityName, items: ReadonlyArray<Record<string, unknown>>) => {
    for (let i = 0; i < items.length; i += 2000) {
      const s = await engine.apply({ system: BULLHORN, entity, records: items.slice(i, i + 2000).map((item) => asIncoming(entity, item)) });
      if (s.created + s.unchanged !== Math.min(2000, items.length - i)) throw new Error(`seeding ${entity}: ${JSON.stringify(s)}`);
    }
  };
  await seed('client', dataset.clients);
  await seed('worksite', dataset.worksites);
  await seed('contact', dataset.contacts);
  await seed('contact_worksite_role', dataset.contactRoles);
  await seed('requisition', dataset.requisitions);
  await seed('candidate', dataset.candidates);
  await seed('assignment', dataset.assignments);
  await seed('assignment_rate', dataset.assignmentRates);
  if (options.timeEntries) await seed('time_entry', [...dataset.timeEntries()]);
  const ids = new Map<string, string>();
  for (const row of temp.store.db.prepare('SELECT external_id, canonical_id FROM links WHERE system = ?').raw().all(BULLHORN) as Array<[string, string]>) {
    ids.set(row[0], row[1]);
  }
  return { temp, store: temp.store, mappings, policy, engine, dataset, ids, dispose: () => temp.dispose() };
}

/** A seeded world saved as a file, so each test (or corpus case) starts from a copy in milliseconds. */
export interface WorldTemplate {
  readonly path: string;
  readonly dataset: Dataset;
  readonly ids: ReadonlyMap<string, string>;
  dispose(): void;
}

export async function worldTemplate(options: WorldOptions = {}): Promise<WorldTemplate> {
  const world = await openWorld(options);
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-world-'));
  const path = join(dir, 'world.sqlite');
  world.store.db.pragma('wal_checkpoint(TRUNCATE)');
  copyFileSync(world.temp.path, path);
  const { dataset, ids } = world;
  world.dispose();
  return { path, dataset, ids, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh world from a template: its own store file, engine and mappings. */
export function worldFrom(template: WorldTemplate, options: { mappingsDir?: string } = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-test-'));
  const path = join(dir, 'crosswalk.db');
  copyFileSync(template.path, path);
  return worldAt(template, path, () => rmSync(dir, { recursive: true, force: true }), options);
}

/**
 * A world on a store file that already exists (one a killed child process left, WAL and all),
 * opened in place. `cleanup` runs after the store closes.
 */
export function worldAt(template: Pick<WorldTemplate, 'dataset' | 'ids'>, path: string, cleanup: () => void = () => undefined, options: { mappingsDir?: string } = {}): World {
  const store = SqliteStore.open(path);
  const temp: TempStore = {
    store, path, dir: dirname(path),
    dispose() {
      store.close();
      cleanup();
    },
  };
  const mappings = csvMappings(options.mappingsDir);
  const policy = new WorldPolicy(mappings);
  const engine = new Engine(store, { policy, now: () => T0 });
  return { temp, store, mappings, policy, engine, dataset: template.dataset, ids: new Map(template.ids), dispose: () => temp.dispose() };
}
