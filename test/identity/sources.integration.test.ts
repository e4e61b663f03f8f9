import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importCsv } from '../../src/csv/import.ts';
import type { ImportReport } from '../../src/csv/report.ts';
import { Engine, IdentityReviews, type IncomingRecord } from '../../src/engine/index.ts';
import { loadMappings } from '../../src/mapping/index.ts';
import { countRows } from '../support/temp-store.ts';
import { timeCsv, weekdays, writeFile } from '../csv/support/files.ts';
import { MAPPINGS_DIR, T0, worldFrom, worldTemplate, WorldPolicy, type World, type WorldTemplate } from '../csv/support/world.ts';

/**
 * Records from many systems resolve to one, end to end: billing's timesheet and a second CSV
 * source (a time clock export in the same layout), Bullhorn's seeded records, and Gusto employees
 * through the repository's own Gusto mapping.
 */
let template: WorldTemplate;
let mappingsDir: string;
let world: World;
beforeAll(async () => {
  template = await worldTemplate();
  // The repository's mappings plus a second CSV source: billing's time-entry file under another name.
  mappingsDir = mkdtempSync(join(tmpdir(), 'crosswalk-mappings-'));
  cpSync(MAPPINGS_DIR, mappingsDir, { recursive: true });
  const billing = readFileSync(join(MAPPINGS_DIR, 'csv/billing/time-entries.yaml'), 'utf8');
  cpSync(join(MAPPINGS_DIR, 'csv/billing'), join(mappingsDir, 'csv/timeclock'), { recursive: true, filter: (src) => !src.endsWith('.yaml') || src.endsWith('time-entries.yaml') });
  writeFileSync(join(mappingsDir, 'csv/timeclock/time-entries.yaml'), billing.replace('source: billing', 'source: timeclock'));
});
afterAll(() => {
  template.dispose();
  rmSync(mappingsDir, { recursive: true, force: true });
});
beforeEach(() => {
  world = worldFrom(template, { mappingsDir });
});
afterEach(() => world.dispose());

const importTime = (path: string, source: string): Promise<ImportReport> =>
  importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind: 'time_entries', path, source, now: () => T0 });

const week = (placement: string, reg = '8') => weekdays('2026-11-02', 5).map((date) => ({ placement, date, reg }));

/** Worker-days with more than one time entry: what would be paid twice. */
function duplicateDays(): number {
  return world.store.db
    .prepare('SELECT count(*) FROM (SELECT assignment_id, work_date FROM time_entries WHERE deleted_at IS NULL GROUP BY 1, 2 HAVING count(*) > 1)')
    .pluck()
    .get() as number;
}

describe('the same week of time through a second CSV source', () => {
  it('creates no duplicate: every row matches the entry billing brought, by assignment and work date', async () => {
    const rows = [...week('asg-000001'), ...week('asg-000002')];
    const first = await importTime(writeFile(world.temp.dir, 'billing.csv', timeCsv(rows)), 'billing');
    expect(first.counts['time_entry']).toMatchObject({ created: 10 });
    const entries = countRows(world.store, 'time_entries');

    // The time clock writes dates its own way and its rows in another order: still the same worker-days.
    const clock = [...rows].reverse().map((r) => ({ ...r, date: r.date.replace(/^0/, '') }));
    const second = await importTime(writeFile(world.temp.dir, 'clock.csv', timeCsv(clock)), 'timeclock');
    expect(second.status).toBe('succeeded');
    expect(second.counts['time_entry']).toMatchObject({ created: 0, linked: 10, parked: 0, rejected: 0 });
    expect(second.message).toContain('10 matched to existing records');
    expect(countRows(world.store, 'time_entries')).toBe(entries);
    expect(duplicateDays()).toBe(0);
    // Each time clock row is linked to billing's entry: one canonical record, two sources.
    const pairs = world.store.db
      .prepare(`SELECT count(DISTINCT canonical_id) FROM links WHERE entity = 'time_entry' AND system IN ('csv:billing', 'csv:timeclock')`)
      .pluck()
      .get();
    expect(pairs).toBe(10);
    // And the same file again through the time clock is unchanged, not matched again.
    const again = await importTime(writeFile(world.temp.dir, 'clock2.csv', timeCsv([...clock].reverse())), 'timeclock');
    expect(again.counts['time_entry']).toMatchObject({ created: 0, linked: 0, unchanged: 10 });
  });

  it('only the days billing has not brought are new', async () => {
    await importTime(writeFile(world.temp.dir, 'billing.csv', timeCsv(week('asg-000001').slice(0, 3))), 'billing');
    const second = await importTime(writeFile(world.temp.dir, 'clock.csv', timeCsv(week('asg-000001'))), 'timeclock');
    expect(second.counts['time_entry']).toMatchObject({ created: 2, linked: 3 });
    expect(duplicateDays()).toBe(0);
  });

  it('a worker-day that already has two entries is parked with its evidence, never merged into either, and ops decide', async () => {
    await importTime(writeFile(world.temp.dir, 'billing.csv', timeCsv(week('asg-000001').slice(0, 1))), 'billing');
    const [existing] = world.store.db.prepare(`SELECT * FROM time_entries`).all() as Array<Record<string, unknown>>;
    // A duplicate left from before natural keys (the bug this guards against).
    world.store.db.prepare(`INSERT INTO time_entries SELECT 'te-old-duplicate', ${Object.keys(existing ?? {}).filter((k) => k !== 'id').join(', ')} FROM time_entries`).run();
    expect(duplicateDays()).toBe(1);

    const second = await importTime(writeFile(world.temp.dir, 'clock.csv', timeCsv(week('asg-000001').slice(0, 1))), 'timeclock');
    expect(second.counts['time_entry']).toMatchObject({ created: 0, linked: 0, parked: 1 });
    expect(second.message).toContain('1 parked for review');
    const [review] = await world.store.repos.identity.list({ status: 'open', limit: 10 });
    expect(review?.evidence.keys[0]).toMatchObject({ key: 'assignment + work date', strength: 'strong' });
    expect(review?.evidence.keys[0]?.matches).toHaveLength(2);
    expect(review?.evidence.candidates.map((c) => c.matched)).toEqual([['assignment + work date'], ['assignment + work date']]);
    expect(countRows(world.store, 'time_entries')).toBe(2);

    // Ops link it to the entry billing brought; the old duplicate is for billing to void.
    const keep = existing?.['id'] as string;
    const decision = await new IdentityReviews(world.engine).link(review?.id ?? '', keep, 'ops:test');
    expect(decision.canonicalId).toBe(keep);
    expect((await world.store.repos.links.get('csv:timeclock', 'time_entry', decision.review.externalId))?.canonicalId).toBe(keep);
    expect(countRows(world.store, 'time_entries')).toBe(2);
  });
});

describe('Bullhorn candidates and Gusto employees', () => {
  function gustoWorld(): { engine: Engine; toIncoming: (employee: Record<string, unknown>) => IncomingRecord } {
    const { registry, errors } = loadMappings(mappingsDir, [{ id: 'bullhorn', connector: 'bullhorn' }, { id: 'gusto', connector: 'gusto' }]);
    expect(errors).toEqual([]);
    const mapping = registry.byVendorEntity('gusto', 'employees');
    if (!mapping) throw new Error('no gusto employees mapping');
    const engine = new Engine(world.store, { policy: new WorldPolicy(registry), now: () => T0 });
    return {
      engine,
      toIncoming: (employee) => {
        const mapped = mapping.toIncoming(employee);
        if (!mapped.ok) throw new Error(mapped.error);
        return mapped.record;
      },
    };
  }
  // Gusto's documented employee sample, as the connector's golden tests keep it (birth date blanked).
  const employee = JSON.parse(readFileSync(join(import.meta.dirname, '../connectors/gusto/golden/gusto-employee.json'), 'utf8')) as Record<string, unknown>;
  const candidate = (key: string) => {
    const row = world.store.db.prepare(`SELECT c.* FROM candidates c JOIN links l ON l.canonical_id = c.id AND l.entity = 'candidate' AND l.system = 'bullhorn' WHERE l.external_id = ?`).get(key) as
      | { id: string; email: string | null; phone: string | null; first_name: string; last_name: string }
      | undefined;
    if (!row) throw new Error(`no candidate ${key}`);
    return row;
  };
  const keys = () => template.dataset.candidates.filter((c) => c.email !== null).map((c) => c.key);

  it('exact: an employee with one candidate’s email links to it; no second candidate', async () => {
    const { engine, toIncoming } = gustoWorld();
    const c = candidate(keys()[0] ?? '');
    const before = countRows(world.store, 'candidates');
    const s = await engine.apply({ system: 'gusto', entity: 'candidate', records: [toIncoming({ ...employee, uuid: 'emp-1', email: c.email?.toUpperCase(), phone: null })] });
    expect(s.linked + s.updated).toBe(1);
    expect((await world.store.repos.links.get('gusto', 'candidate', 'emp-1'))?.canonicalId).toBe(c.id);
    expect(countRows(world.store, 'candidates')).toBe(before);
  });

  it('conflicting: the email names a candidate Gusto already has as another employee: parked, never merged', async () => {
    const { engine, toIncoming } = gustoWorld();
    const a = candidate(keys()[0] ?? '');
    await engine.apply({ system: 'gusto', entity: 'candidate', records: [toIncoming({ ...employee, uuid: 'emp-1', email: a.email, phone: null })] });
    const s = await engine.apply({ system: 'gusto', entity: 'candidate', records: [toIncoming({ ...employee, uuid: 'emp-2', email: a.email, phone: null })] });
    expect(s).toMatchObject({ parked: 1, linked: 0, created: 0 });
    const [review] = await world.store.repos.identity.list({ status: 'open', system: 'gusto', limit: 10 });
    expect(review?.reason).toBe(`email matches ${a.id}, which gusto has as emp-1; the mapping asks for review`);
    expect(review?.evidence.candidates).toEqual([{ canonicalId: a.id, matched: ['email'], differs: [] }]);
  });

  it('ambiguous: an email two candidates share is parked, not merged; ops link it to the right one', async () => {
    const { engine, toIncoming } = gustoWorld();
    const [a, b] = [candidate(keys()[0] ?? ''), candidate(keys()[1] ?? '')];
    world.store.db.prepare('UPDATE candidates SET email = ? WHERE id = ?').run(a.email, b.id);
    const before = countRows(world.store, 'candidates');
    const s = await engine.apply({ system: 'gusto', entity: 'candidate', records: [toIncoming({ ...employee, uuid: 'emp-3', email: a.email, phone: null })] });
    expect(s).toMatchObject({ parked: 1, linked: 0 });
    const [review] = await world.store.repos.identity.list({ status: 'open', system: 'gusto', limit: 10 });
    expect(review?.reason).toBe(`email ${a.email ?? ''} matches 2 candidate records`);
    const reviews = new IdentityReviews(engine);
    // Kept apart, a Gusto employee would have to be a candidate of its own, and Gusto does not carry
    // what a candidate needs (candidates start in the ATS): refused, and the question stays open.
    await expect(reviews.split(review?.id ?? '', 'ops:test')).rejects.toThrow(/could not be split: status/);
    expect((await world.store.repos.identity.get(review?.id ?? ''))?.status).toBe('open');
    const decision = await reviews.link(review?.id ?? '', b.id, 'ops:test');
    expect(decision.canonicalId).toBe(b.id);
    expect(countRows(world.store, 'candidates')).toBe(before);
  });
});
