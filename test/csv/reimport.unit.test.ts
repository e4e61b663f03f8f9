import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyLocalChange } from '../../src/engine/index.ts';
import { IMPORT_CACHE_MIB, importCsv, type ImportOptions } from '../../src/csv/import.ts';
import type { ImportReport } from '../../src/csv/report.ts';
import { timeCsv, weekdays, writeFile, type TimeRow } from './support/files.ts';
import { T0, worldFrom, worldTemplate, type World, type WorldTemplate } from './support/world.ts';

let template: WorldTemplate;
let world: World;
beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());
beforeEach(() => {
  world = worldFrom(template);
});
afterEach(() => world.dispose());

const run = (path: string, over: Partial<ImportOptions> = {}): Promise<ImportReport> =>
  importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind: 'time_entries', path, now: () => T0, ...over });

/** Everything an import could write: counts that must not move when nothing should be written. */
function footprint() {
  const one = (sql: string) => world.store.db.prepare(sql).pluck().get() as number | string | null;
  return {
    ledger: one('SELECT count(*) FROM ledger'),
    entries: one('SELECT count(*) FROM time_entries'),
    revisions: one('SELECT coalesce(sum(revision), 0) FROM time_entries'),
    links: one("SELECT count(*) FROM links WHERE system = 'csv:billing'"),
    linksUpdated: one("SELECT coalesce(max(updated_at), '') FROM links WHERE system = 'csv:billing'"),
    imports: one('SELECT count(*) FROM csv_imports'),
    runs: one('SELECT count(*) FROM runs'),
    events: one('SELECT count(*) FROM time_entry_events'),
  };
}

const rows = (placement: string, fromIso: string, n: number, over: Partial<TimeRow> = {}): TimeRow[] =>
  weekdays(fromIso, n).map((date) => ({ placement, date, ...over }));

describe('exactly once', () => {
  it('the same file again is reported as already imported and writes nothing at all', async () => {
    const path = writeFile(world.temp.dir, 'hours.csv', timeCsv(rows('asg-000001', '2026-11-02', 10)));
    const first = await run(path);
    expect(first.status).toBe('succeeded');
    expect(first.counts['time_entry']?.created).toBe(10);
    const before = footprint();
    const again = await run(path, { fileName: 'renamed.csv' });
    expect(again.status).toBe('already_imported');
    expect(again.alreadyImported).toEqual({ importId: first.importId, runId: first.runId, at: first.finishedAt });
    expect(again.message).toBe(`already imported on ${T0} (run ${first.runId ?? ''}): nothing written`);
    expect(again.counts['time_entry']?.created).toBe(10);
    expect(footprint()).toEqual(before);
  });

  it('the same rows in another file (reordered) are all unchanged: no ledger row, no revision, no link touched', async () => {
    const all = [...rows('asg-000001', '2026-11-02', 8), ...rows('asg-000002', '2026-11-02', 8)];
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(all)));
    const before = footprint();
    const reordered = await run(writeFile(world.temp.dir, 'b.csv', timeCsv([...all].reverse())));
    expect(reordered.status).toBe('succeeded');
    expect(reordered.counts['time_entry']).toMatchObject({ created: 0, updated: 0, unchanged: 16 });
    const after = footprint();
    expect(after).toEqual({ ...before, imports: (before.imports as number) + 1, runs: (before.runs as number) + 1 });
  });

  it('the same rows with dates written another way and columns moved are the same rows', async () => {
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(rows('asg-000001', '2026-11-02', 3))));
    const before = footprint();
    const text = ['Note,Status,DT Hrs,OT Hrs,Reg Hrs,Work Date,Employee,Placement ID', ',Approved,,,8,11/2/2026,W,asg-000001', ',Approved,,,8.00,11/3/2026,W,asg-000001', ',Approved,0,0,8,11/04/2026,W,asg-000001'].join('\n');
    const report = await run(writeFile(world.temp.dir, 'b.csv', `${text}\n`));
    expect(report.counts['time_entry']).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(footprint().ledger).toBe(before.ledger);
  });

  it('overlapping files never duplicate a row: the overlap is unchanged or updated, the rest created', async () => {
    const days = weekdays('2026-11-02', 10);
    const first = days.slice(0, 6).map((date) => ({ placement: 'asg-000001', date }));
    const second = days.slice(3).map((date, i) => ({ placement: 'asg-000001', date, reg: i === 0 ? '6' : '8' }));
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(first)));
    const ledgerBefore = footprint().ledger as number;
    const report = await run(writeFile(world.temp.dir, 'b.csv', timeCsv(second)));
    expect(report.counts['time_entry']).toMatchObject({ created: 4, updated: 1, unchanged: 2 });
    expect(footprint().entries).toBe(10);
    const dup = world.store.db.prepare('SELECT count(*) FROM (SELECT assignment_id, work_date FROM time_entries GROUP BY 1, 2 HAVING count(*) > 1)').pluck().get();
    expect(dup).toBe(0);
    const ledger = world.store.db.prepare('SELECT action, count(*) AS n FROM ledger WHERE seq > ? GROUP BY action ORDER BY action').all(ledgerBefore);
    expect(ledger).toEqual([{ action: 'create', n: 4 }, { action: 'update', n: 1 }]);
  });

  it('a changed row updates the entry once, with a ledger row naming the field', async () => {
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(rows('asg-000001', '2026-11-02', 2))));
    const report = await run(writeFile(world.temp.dir, 'b.csv', timeCsv([{ placement: 'asg-000001', date: '11/02/2026', reg: '7.25' }])));
    expect(report.counts['time_entry']).toMatchObject({ updated: 1 });
    const last = world.store.db.prepare("SELECT action, outcome, diff, run_id FROM ledger WHERE entity = 'time_entry' ORDER BY seq DESC LIMIT 1").get() as Record<string, string>;
    expect(last).toMatchObject({ action: 'update', outcome: 'applied', run_id: report.runId });
    expect(JSON.parse(last['diff'] as string)).toEqual([{ field: 'regularHours', from: 8, to: 7.25, result: 'applied' }]);
  });

  it('an import report is kept in runs, with counts', async () => {
    const report = await run(writeFile(world.temp.dir, 'a.csv', timeCsv([...rows('asg-000001', '2026-11-02', 2), { placement: 'nope', date: '11/02/2026' }])));
    const runRow = await world.store.repos.runs.get(report.runId as string);
    expect(runRow).toMatchObject({ kind: 'import', system: 'csv:billing', entity: 'time_entries', status: 'partial', finishedAt: T0 });
    expect(runRow?.counts).toMatchObject({ rows: 3, rowsWithErrors: 1, errors: 1, created: 2 });
    expect(runRow?.report).toMatchObject({ status: 'succeeded', errorCount: 1, rows: { total: 3, imported: 2, withErrors: 1 } });
    const imp = await world.store.repos.imports.get(report.importId as string);
    expect(imp).toMatchObject({ status: 'succeeded', nextRecord: 3, errorCount: 1, runId: report.runId });
  });

  it('runs with a smaller page cache and leaves the store\'s own as it found it', async () => {
    const cache = () => world.store.db.pragma('cache_size', { simple: true }) as number;
    const before = cache();
    let during: number | null = null;
    const report = await run(writeFile(world.temp.dir, 'cache.csv', timeCsv(rows('asg-000001', '2026-11-02', 5))), {
      chunkRows: 2,
      onChunk: () => {
        during ??= cache();
      },
    });
    expect(report.status).toBe('succeeded');
    expect(-before).toBeGreaterThan(IMPORT_CACHE_MIB * 1024);
    expect(during).toBe(-IMPORT_CACHE_MIB * 1024);
    expect(cache()).toBe(before);
  });
});

describe('dry run', () => {
  it('says what would be created, updated or put in conflict, and writes nothing', async () => {
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(rows('asg-000001', '2026-11-02', 3))));
    // The portal changes a note the CSV also changes: all three differ on a shared field, a conflict.
    const entry = world.store.db.prepare("SELECT t.id FROM time_entries t ORDER BY work_date LIMIT 1").pluck().get() as string;
    await world.store.unitOfWork((tx) => applyLocalChange(tx, world.policy, { entity: 'time_entry', canonicalId: entry, changes: { note: 'portal note' }, actor: 'test' }, T0));
    const before = footprint();
    const days = weekdays('2026-11-02', 4);
    const report = await run(
      writeFile(world.temp.dir, 'b.csv', timeCsv([
        { placement: 'asg-000001', date: days[0] as string, note: 'billing note' },
        { placement: 'asg-000001', date: days[1] as string, reg: '6' },
        { placement: 'asg-000001', date: days[2] as string },
        { placement: 'asg-000001', date: days[3] as string },
        { placement: 'asg-000001', date: days[3] as string, reg: 'x' },
      ])),
      { dryRun: true },
    );
    expect(report.dryRun).toBe(true);
    expect(report.counts['time_entry']).toMatchObject({ created: 1, updated: 1, unchanged: 1, conflicts: 1 });
    expect(report.errors).toEqual([{ line: 6, column: 'Reg Hrs', value: 'x', reason: '"x" is not a number' }]);
    expect(report.message).toContain('would import 4 of 5 rows');
    expect(footprint()).toEqual(before);
    expect(world.store.db.prepare("SELECT count(*) FROM conflicts").pluck().get()).toBe(0);
  });
});

describe('engine refusals are row errors with the line', () => {
  it('hours of an exported entry cannot change: the row is reported, the rest applies', async () => {
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(rows('asg-000001', '2026-11-02', 2))));
    const first = world.store.db.prepare("SELECT id FROM time_entries ORDER BY work_date LIMIT 1").pluck().get() as string;
    await world.store.unitOfWork((tx) => applyLocalChange(tx, world.policy, { entity: 'time_entry', canonicalId: first, changes: { status: 'exported' }, actor: 'test' }, T0));
    const days = weekdays('2026-11-02', 2);
    const report = await run(writeFile(world.temp.dir, 'b.csv', timeCsv([
      { placement: 'asg-000001', date: days[0] as string, reg: '4' },
      { placement: 'asg-000001', date: days[1] as string, reg: '5' },
    ])));
    expect(report.counts['time_entry']).toMatchObject({ updated: 1, rejected: 1 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ line: 2 });
    expect(report.errors[0]?.reason).toMatch(/exported/);
  });

  it('the same refused row in another file is reported again, not called unchanged', async () => {
    await run(writeFile(world.temp.dir, 'a.csv', timeCsv(rows('asg-000001', '2026-11-02', 1))));
    const first = world.store.db.prepare('SELECT id FROM time_entries LIMIT 1').pluck().get() as string;
    await world.store.unitOfWork((tx) => applyLocalChange(tx, world.policy, { entity: 'time_entry', canonicalId: first, changes: { status: 'exported' }, actor: 'test' }, T0));
    const refused = timeCsv([{ placement: 'asg-000001', date: '11/02/2026', reg: '4' }]);
    const once = await run(writeFile(world.temp.dir, 'b.csv', refused));
    const twice = await run(writeFile(world.temp.dir, 'c.csv', `${refused}\r\n`));
    expect(once.errors[0]?.reason).toMatch(/^time entry is exported/);
    expect(twice.counts['time_entry']).toMatchObject({ rejected: 1, unchanged: 0 });
    expect(twice.errors).toEqual([{ line: 2, column: 'Reg Hrs', value: '4', reason: `refused before, and unchanged since: ${once.errors[0]?.reason ?? ''}` }]);
  });
});
