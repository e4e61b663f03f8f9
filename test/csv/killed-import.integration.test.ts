import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../src/csv/import.ts';
import { currentOwner } from '../../src/csv/owner.ts';
import { newId } from '../../src/lib/ids.ts';
import { timeCsv, weekdays, writeFile, type TimeRow } from './support/files.ts';
import { T0, worldAt, worldFrom, worldTemplate, type World, type WorldTemplate } from './support/world.ts';

const CHILD = fileURLToPath(new URL('./support/import-child.ts', import.meta.url));

let template: WorldTemplate;
beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());

/** 600 rows over 30 active placements: 6 chunks of 100. */
function rows(): TimeRow[] {
  const active = template.dataset.assignments.filter((a) => a.status === 'active' && a.endDate === null && a.startDate <= '2026-10-01').slice(0, 30);
  return active.flatMap((a) => weekdays('2026-10-05', 20).map((date, i) => ({ placement: a.key, date, reg: i % 4 === 0 ? '7.5' : '8', note: `n${i}` })));
}

/** Kills the child with SIGKILL the first time it is inside a chunk's transaction once `afterRecords` records are committed. */
function importUntilKilled(db: string, file: string, afterRecords: number): Promise<{ committed: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ db, file, chunkRows: 100, stallMs: 400 })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    let buffer = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('committed ')) committed = Number(line.slice('committed '.length));
        if (line === 'applying' && committed >= afterRecords && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ committed, killed }));
  });
}

/** The state a clean import leaves, without ids and times: entries, links and ledger rows. */
function state(world: World) {
  const db = world.store.db;
  return {
    entries: db.prepare(`SELECT l.external_id, t.work_date, t.regular_hours, t.note, t.status, t.revision FROM time_entries t
      JOIN links l ON l.system = 'bullhorn' AND l.entity = 'assignment' AND l.canonical_id = t.assignment_id ORDER BY 1, 2`).raw().all(),
    links: db.prepare(`SELECT count(*) FROM links WHERE system = 'csv:billing' AND entity = 'time_entry' AND state = 'linked'`).pluck().get(),
    ledger: db.prepare(`SELECT entity, action, outcome, count(*) FROM ledger WHERE system = 'csv:billing' GROUP BY 1, 2, 3`).raw().all(),
    duplicates: db.prepare('SELECT count(*) FROM (SELECT assignment_id, work_date FROM time_entries GROUP BY 1, 2 HAVING count(*) > 1)').pluck().get(),
  };
}

describe('a killed import', () => {
  it('resumes after the last committed chunk: same final state as a clean import, no duplicates, one run', async () => {
    const clean = worldFrom(template);
    const killed = worldFrom(template);
    try {
      const text = timeCsv(rows());
      const cleanFile = writeFile(clean.temp.dir, 'hours.csv', text);
      const cleanReport = await importCsv({ store: clean.store, engine: clean.engine, mappings: clean.mappings, kind: 'time_entries', path: cleanFile, chunkRows: 100, now: () => T0 });
      expect(cleanReport.counts['time_entry']?.created).toBe(600);

      const file = writeFile(killed.temp.dir, 'hours.csv', text);
      killed.store.close();
      const outcome = await importUntilKilled(killed.temp.path, file, 200);
      expect(outcome).toEqual({ committed: 200, killed: true });

      const again = worldAt(template, killed.temp.path);
      try {
        const imp = again.store.db.prepare('SELECT status, next_record, run_id FROM csv_imports').get() as { status: string; next_record: number; run_id: string };
        expect(imp).toMatchObject({ status: 'running', next_record: 200 });
        // The chunk being applied when the process died left nothing behind.
        expect(again.store.db.prepare('SELECT count(*) FROM time_entries').pluck().get()).toBe(200);

        const resumed = await importCsv({ store: again.store, engine: again.engine, mappings: again.mappings, kind: 'time_entries', path: file, chunkRows: 100, now: () => T0 });
        expect(resumed.status).toBe('succeeded');
        expect(resumed.resumedFrom).toEqual({ record: 200, line: 202 });
        expect(resumed.runId).toBe(imp.run_id);
        expect(resumed.rows).toEqual({ total: 600, imported: 600, withErrors: 0 });
        expect(resumed.counts['time_entry']).toMatchObject({ created: 600 });
        expect(state(again)).toEqual(state(clean));
        expect(state(again).duplicates).toBe(0);
        expect(again.store.db.prepare("SELECT count(*) FROM runs WHERE kind = 'import'").pluck().get()).toBe(1);
        expect(again.store.db.prepare('SELECT DISTINCT run_id FROM ledger WHERE system = ?').pluck().all('csv:billing')).toEqual([imp.run_id]);

        const third = await importCsv({ store: again.store, engine: again.engine, mappings: again.mappings, kind: 'time_entries', path: file, now: () => T0 });
        expect(third.status).toBe('already_imported');
      } finally {
        again.dispose();
      }
    } finally {
      clean.dispose();
      killed.dispose();
    }
  });

  it('an import whose owner is alive is not taken over: the second attempt is told it is in progress', async () => {
    const world = worldFrom(template);
    try {
      const file = writeFile(world.temp.dir, 'hours.csv', timeCsv(rows().slice(0, 5)));
      const first = await importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind: 'time_entries', path: file, dryRun: true, now: () => T0 });
      const sha = first.file.sha256 as string;
      await world.store.unitOfWork(async (tx) => {
        await tx.imports.create({
          id: newId(), fileSha256: sha, source: 'billing', kind: 'time_entries', fileName: 'hours.csv', sizeBytes: first.file.bytes, encoding: 'utf-8',
          delimiter: ',', status: 'running', runId: null, owner: currentOwner(), error: null, startedAt: T0,
        });
      });
      const second = await importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind: 'time_entries', path: file, now: () => T0 });
      expect(second.status).toBe('in_progress');
      expect(second.refusal?.code).toBe('in_progress');
      expect(world.store.db.prepare('SELECT count(*) FROM time_entries').pluck().get()).toBe(0);
    } finally {
      world.dispose();
    }
  });
});
