import { expect } from 'vitest';
import { Engine } from '../../../src/engine/index.ts';
import { loadMappingSources, type MappingRegistry } from '../../../src/mapping/index.ts';
import { ENTITIES, type EntityName } from '../../../src/model/index.ts';
import {
  DEFAULT_SETTINGS, inboundMappings, runStep, startOrJoinRun, type ReconcileDeps, type ReconcileSettings, type StepResult,
} from '../../../src/reconcile/index.ts';
import type { RunRow, SqliteStore } from '../../../src/store/index.ts';
import { openTempStore, type TempStore } from '../../support/temp-store.ts';
import { FakeVendor } from './fake-vendor.ts';
import { ensureStagingTable } from './schema.ts';

/**
 * Mappings of two invented vendors: an ATS (`ats`, connector `fakeats`) with companies, people and
 * placements — a placement feeds two canonical entities, assignment and assignment_rate — and a
 * payroll system (`payroll`, connector `fakepay`) whose employees match ATS people by id.
 */
export const MAPPINGS: Readonly<Record<string, string>> = {
  'fakeats/company.yaml': `vendor: fakeats
entity: Company
canonical: client
key: id
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
deleted: { from: isDeleted, equals: true }
fields:
  - { target: name, from: name, owner: ats }
  - { target: status, from: status, owner: ats }
  - { target: phone, from: phone, owner: shared }
`,
  'fakeats/person.yaml': `vendor: fakeats
entity: Person
canonical: candidate
key: id
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
fields:
  - { target: firstName, from: firstName, owner: ats }
  - { target: lastName, from: lastName, owner: ats }
  - { target: email, from: email, owner: shared }
  - { target: status, from: status, owner: ats }
`,
  'fakeats/placement.yaml': `vendor: fakeats
entity: Placement
canonical: assignment
key: id
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
fields:
  - { target: candidateId, from: personId, transform: { ref: { entity: candidate } }, owner: ats }
  - { target: title, from: title, owner: ats }
  - { target: startDate, from: startDate, transform: { date: { format: iso-date } }, owner: ats }
  - { target: status, from: status, owner: ats }
`,
  'fakeats/placement-rate.yaml': `vendor: fakeats
entity: Placement
canonical: assignment_rate
key: id
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
fields:
  - { target: assignmentId, from: id, transform: { ref: { entity: assignment } }, owner: ats }
  - { target: effectiveFrom, from: startDate, transform: { date: { format: iso-date } }, owner: ats }
  - { target: payRateCents, from: payRate, transform: { money: {} }, owner: ats }
  - { target: billRateCents, from: billRate, transform: { money: {} }, owner: ats }
`,
  'fakeats/timecard.yaml': `vendor: fakeats
entity: Timecard
canonical: time_entry
key: id
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
fields:
  - { target: assignmentId, from: placementId, transform: { ref: { entity: assignment } }, owner: ats }
  - { target: workDate, from: date, transform: { date: { format: iso-date } }, owner: ats }
  - { target: regularHours, from: hours, owner: ats }
  - { target: overtimeHours, from: ot, owner: ats }
  - { target: doubleTimeHours, from: dt, owner: ats }
  - { target: status, from: status, owner: ats }
`,
  'fakepay/employee.yaml': `vendor: fakepay
entity: employees
canonical: candidate
key: uuid
modifiedAt: { from: updatedAt, transform: { date: { format: iso-datetime } } }
match:
  links:
    - { system: ats, from: atsPersonId }
fields:
  - { target: email, from: email, owner: shared }
`,
  // Time sheets only go out to payroll: the payroll system can hold time entries, so their orphans are checked.
  'fakepay/time-sheet.yaml': `vendor: fakepay
entity: time_sheets
canonical: time_entry
key: uuid
push:
  create: { when: { status: [approved] } }
fields:
  - { target: workDate, from: date, transform: { date: { format: iso-date } }, direction: out }
  - { target: regularHours, from: hours, direction: out }
`,
};

export const SYSTEMS = [
  { id: 'ats', connector: 'fakeats', kind: 'ats' as const },
  { id: 'payroll', connector: 'fakepay', kind: 'payroll' as const },
];

export function loadTestRegistry(): MappingRegistry {
  const result = loadMappingSources('mappings', Object.entries(MAPPINGS).map(([path, text]) => ({ path, text })), SYSTEMS);
  expect(result.errors.map(String)).toEqual([]);
  return result.registry;
}

/** A clock the test moves: every read is one second on, `advanceDays` jumps. */
export class TestClock {
  private t = Date.parse('2026-11-01T00:00:00.000Z');
  readonly now = (): string => {
    this.t += 1000;
    return new Date(this.t).toISOString();
  };
  advanceDays(days: number): void {
    this.t += days * 86_400_000;
  }
}

export interface Harness {
  readonly store: SqliteStore;
  readonly registry: MappingRegistry;
  readonly engine: Engine;
  readonly clock: TestClock;
  readonly vendors: { readonly ats: FakeVendor; readonly payroll: FakeVendor };
  deps(system: 'ats' | 'payroll', vendorEntity: string, settings?: Partial<ReconcileSettings>): ReconcileDeps;
  close(): void;
}

/** A harness on a fresh temp store, or on `existing` (which the caller closes). */
export function openHarness(pageSize = 3, existing?: SqliteStore): Harness {
  const temp: TempStore | null = existing ? null : openTempStore();
  const store = existing ?? (temp as TempStore).store;
  ensureStagingTable(store);
  const registry = loadTestRegistry();
  const clock = new TestClock();
  const engine = new Engine(store, { policy: registry, now: clock.now });
  const vendors = { ats: new FakeVendor(pageSize), payroll: new FakeVendor(pageSize) };
  const connectors = { ats: vendors.ats.connector(), payroll: vendors.payroll.connector() };
  return {
    store, registry, engine, clock, vendors,
    deps(system, vendorEntity, settings = {}) {
      return {
        store,
        engine,
        connector: connectors[system],
        system,
        systemKind: system === 'payroll' ? 'payroll' : 'ats',
        vendorEntity,
        mappings: inboundMappings(registry.allByVendorEntity(system, vendorEntity)),
        settings: { ...DEFAULT_SETTINGS, ...settings },
        rateLimit: { max: 100, duration: 1000 },
        payrollEntities: new Set(registry.all().filter((m) => m.system === system).map((m) => m.entity)),
        now: clock.now,
      };
    },
    close: () => temp?.dispose(),
  };
}

/** What `crosswalk sync --full` would do: every record of the vendor entity through the engine (no requests logged). */
export async function syncAll(h: Harness, system: 'ats' | 'payroll', vendorEntity: string): Promise<void> {
  const mappings = inboundMappings(h.registry.allByVendorEntity(system, vendorEntity));
  const records = h.vendors[system].all(vendorEntity);
  for (const m of mappings) {
    const incoming = records.flatMap((r) => {
      const res = m.toIncoming(r);
      return res.ok ? [res.record] : [];
    });
    await h.engine.apply({ system, entity: m.entity, records: incoming });
  }
}

export interface Driven {
  readonly run: RunRow;
  readonly steps: StepResult[];
}

/**
 * Drives a reconcile run step by step, as the job chain would: starts (or joins) the run, then runs
 * steps until it is done or `maxSteps` have committed (a crash after that many).
 */
export async function drive(
  h: Harness,
  system: 'ats' | 'payroll',
  vendorEntity: string,
  options: { settings?: Partial<ReconcileSettings>; maxSteps?: number; runId?: string; then?: string[] } = {},
): Promise<Driven> {
  const deps = h.deps(system, vendorEntity, options.settings);
  let runId = options.runId;
  if (runId === undefined) {
    const started = await startOrJoinRun(h.store, {
      system, vendorEntity, entities: deps.mappings.map((m) => m.entity), then: options.then ?? [], now: h.clock.now(), purgeChunk: deps.settings.purgeChunk,
    });
    runId = started.run.id;
  }
  const steps: StepResult[] = [];
  let page: number | null = null;
  for (;;) {
    if (options.maxSteps !== undefined && steps.length >= options.maxSteps) break;
    const result = await runStep(deps, runId, page);
    if (!result?.committed) break;
    steps.push(result);
    if (result.cursor.phase === 'done') break;
    page = result.cursor.page;
  }
  const run = await h.store.repos.runs.get(runId);
  if (!run) throw new Error('run vanished');
  return { run, steps };
}

/** Links of a system and entity as plain rows, for assertions. */
export function linksOf(store: SqliteStore, system: string, entity: EntityName): Array<{ externalId: string; canonicalId: string | null; tombstonedAt: string | null; state: string }> {
  return store.db
    .prepare('SELECT external_id AS externalId, canonical_id AS canonicalId, tombstoned_at AS tombstonedAt, state FROM links WHERE system = ? AND entity = ? ORDER BY external_id')
    .all(system, entity) as Array<{ externalId: string; canonicalId: string | null; tombstonedAt: string | null; state: string }>;
}

/** Canonical rows of an entity keyed by the external id a system knows them by. */
export function canonicalBy(store: SqliteStore, system: string, entity: EntityName): Map<string, Record<string, unknown>> {
  const table = entity === 'client' ? 'clients' : entity === 'candidate' ? 'candidates' : entity === 'assignment' ? 'assignments' : 'assignment_rates';
  const rows = store.db
    .prepare(`SELECT l.external_id AS ext, c.* FROM links l JOIN ${table} c ON c.id = l.canonical_id WHERE l.system = ? AND l.entity = ?`)
    .all(system, entity) as Array<Record<string, unknown> & { ext: string }>;
  return new Map(rows.map((r) => [r.ext, r]));
}

export function isMoneyBearing(entity: EntityName): boolean {
  return ENTITIES[entity].moneyBearing;
}

/** Companies 1..n at the ATS, each active with a phone. */
export function seedCompanies(h: Harness, n: number): void {
  for (let i = 1; i <= n; i++) h.vendors.ats.create('Company', { id: String(i), name: `Northwind Supply ${i}`, status: 'active', phone: `555-01${String(i).padStart(2, '0')}` });
}

/** People 1..n at the ATS; placements for the first `placed` of them (placement id = 100 + person id). */
export function seedPeople(h: Harness, n: number, placed: number): void {
  for (let i = 1; i <= n; i++) {
    h.vendors.ats.create('Person', { id: String(i), firstName: `Avery${i}`, lastName: 'Quill', email: `avery${i}@example.test`, status: 'placed' });
  }
  for (let i = 1; i <= placed; i++) {
    h.vendors.ats.create('Placement', {
      id: String(100 + i), personId: String(i), title: 'Forklift operator', startDate: '2026-09-01', status: 'active', payRate: 21.5, billRate: 32.25,
    });
  }
}
