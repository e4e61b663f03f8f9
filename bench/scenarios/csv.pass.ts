import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { Rng } from '../../fixtures/dataset/index.ts';
import { csvLine, HEADER, seedPlacements, timeRows } from './csv-data.ts';
import { exportEntity } from '../../src/csv/export-entity.ts';
import { importCsv } from '../../src/csv/import.ts';
import { Engine } from '../../src/engine/index.ts';
import { loadMappings } from '../../src/mapping/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { openDatabase } from '../../src/store/sqlite/database.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * One measured pass of the CSV scenario, in its own process. Sides:
 * - generate: the time-entry files (as billing writes them, and the same rows shuffled) and two
 *   store templates (placements only; the same after the file was imported), once per size;
 * - parse: csv-parse alone, arrays, piped to a counting sink (the import's raw baseline);
 * - import: `importCsv` of the file into a fresh copy of the placements template;
 * - upsert: better-sqlite3 hash-guarded upsert of the same rows, second pass (the re-import's raw baseline);
 * - reimport: the shuffled file imported into a copy of the imported template;
 * - scan: `.raw().iterate()` over the imported time entries piped to csv-stringify (the export's raw baseline);
 * - export: `exportEntity(time_entry)` of the same store.
 */
interface Args {
  side: 'generate' | 'parse' | 'import' | 'upsert' | 'reimport' | 'scan' | 'export';
  rows: number;
  dir: string;
}

const args = passArgs<Args>();
const SYSTEM = 'bullhorn';
const files = (dir: string, rows: number) => ({
  file: join(dir, `time-${rows}.csv`),
  shuffled: join(dir, `time-${rows}-shuffled.csv`),
  placements: join(dir, `placements-${rows}.sqlite`),
  imported: join(dir, `imported-${rows}.sqlite`),
});
const paths = files(args.dir, args.rows);

async function generate(): Promise<void> {
  mkdirSync(args.dir, { recursive: true });
  if (!existsSync(paths.file)) {
    const out = createWriteStream(`${paths.file}.part`);
    out.write(HEADER);
    for (const r of timeRows(args.rows)) if (!out.write(csvLine(r))) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    renameSync(`${paths.file}.part`, paths.file);
  }
  if (!existsSync(paths.shuffled)) {
    const lines = [...timeRows(args.rows)].map(csvLine);
    const rng = Rng.for(20261125, 7);
    for (let i = lines.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    }
    writeFileSync(paths.shuffled, HEADER + lines.join(''));
  }
  if (!existsSync(paths.placements)) await template(paths.placements);
  if (!existsSync(paths.imported)) await importedTemplate();
  reportPass(0, 0);
}

/** The placements template after a real import of the file: links carry the hashes the guard reads. */
async function importedTemplate(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'crosswalk-bench-csv-run-'));
  try {
    const store = freshStore(paths.placements, work);
    const registry = mappings();
    const report = await importCsv({ store, engine: new Engine(store, { policy: registry }), mappings: registry, kind: 'time_entries', path: paths.file, tempDir: work, reportErrors: 10 });
    if (report.rows.imported !== args.rows) throw new Error(`template import: ${report.message}`);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    copyFileSync(join(work, 'hub.sqlite'), `${paths.imported}.part`);
    renameSync(`${paths.imported}.part`, paths.imported);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A store with the dataset's organisations and placements linked as Bullhorn records. */
async function template(path: string): Promise<void> {
  const part = `${path}.part`;
  rmSync(part, { force: true });
  const store = SqliteStore.open(part);
  await seedPlacements(store, args.rows);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  renameSync(part, path);
}

/**
 * A fresh copy of a template, so every pass starts from the same file and nothing is cached in it.
 * The template was migrated when it was made; migrating the copy again would fail if the
 * migrations were regenerated while the benchmark ran.
 */
function freshStore(template: string, dir: string): SqliteStore {
  const path = join(dir, 'hub.sqlite');
  copyFileSync(template, path);
  return SqliteStore.open(path, { migrate: false });
}

function mappings() {
  const { registry, errors } = loadMappings(join(import.meta.dirname, '../../mappings'), [{ id: SYSTEM, connector: 'bullhorn' }]);
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return registry;
}

class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    done();
  }
}

async function main(): Promise<void> {
  if (args.side === 'generate') return generate();
  const work = mkdtempSync(join(tmpdir(), 'crosswalk-bench-csv-run-'));
  try {
    switch (args.side) {
      case 'parse': {
        const t0 = performance.now();
        let rows = -1;
        const parser = createReadStream(paths.file).pipe(parse({ relax_column_count: true }));
        for await (const _ of parser as AsyncIterable<string[]>) rows++;
        reportPass(rows, performance.now() - t0);
        return;
      }
      case 'import':
      case 'reimport': {
        const store = freshStore(args.side === 'import' ? paths.placements : paths.imported, work);
        const registry = mappings();
        const engine = new Engine(store, { policy: registry });
        const run = (file: string) => importCsv({ store, engine, mappings: registry, kind: 'time_entries', path: file, tempDir: work, reportErrors: 10 });
        const before = writesSoFar(store, null);
        const t0 = performance.now();
        const report = await run(args.side === 'import' ? paths.file : paths.shuffled);
        const ms = performance.now() - t0;
        if (report.rows.imported !== args.rows) throw new Error(`${args.side}: ${report.message}`);
        const after = writesSoFar(store, before.linksAt);
        store.close();
        reportPass(args.rows, ms, { ledgerRowsAdded: after.ledger - before.ledger, revisionsAdded: after.revisions - before.revisions, linksTouched: after.links - before.links });
        return;
      }
      case 'upsert': {
        const db = openDatabase(join(work, 'raw.sqlite'));
        db.exec(`CREATE TABLE time_raw (id TEXT PRIMARY KEY, assignment_id TEXT, work_date TEXT, regular_hours REAL, overtime_hours REAL,
          double_time_hours REAL, status TEXT, note TEXT, row_hash TEXT) WITHOUT ROWID`);
        const sql = `INSERT INTO time_raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET assignment_id = excluded.assignment_id,
          work_date = excluded.work_date, regular_hours = excluded.regular_hours, overtime_hours = excluded.overtime_hours,
          double_time_hours = excluded.double_time_hours, status = excluded.status, note = excluded.note, row_hash = excluded.row_hash
          WHERE row_hash IS NOT excluded.row_hash`;
        const upsert = db.prepare(sql);
        type Tuple = [string, string, string, number, number, number, string, string | null];
        const rows: Tuple[] = [];
        for (const r of timeRows(args.rows)) rows.push([`${r.placement}|${r.iso}`, r.placement, r.iso, Number(r.reg), r.ot === '' ? 0 : Number(r.ot), 0, 'approved', r.note === '' ? null : r.note]);
        const pass = () => {
          for (let i = 0; i < rows.length; i += 10_000) {
            db.transaction(() => {
              for (const r of rows.slice(i, i + 10_000)) upsert.run(...r, createHash('sha1').update(r.join('\u0001')).digest('base64'));
            })();
          }
        };
        pass();
        const before = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
        const t0 = performance.now();
        pass();
        const ms = performance.now() - t0;
        const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before;
        db.close();
        reportPass(rows.length, ms, { changes });
        return;
      }
      case 'scan': {
        const store = freshStore(paths.imported, work);
        const t0 = performance.now();
        const sink = new CountingSink();
        const columns = ['id', 'assignment_id', 'work_date', 'regular_hours', 'overtime_hours', 'double_time_hours', 'status', 'approved_by_id', 'approved_at', 'note'];
        const iter = store.db.prepare(`SELECT ${columns.join(', ')} FROM time_entries WHERE deleted_at IS NULL`).raw().iterate();
        await pipeline(
          (function* () {
            yield columns;
            yield* iter as Iterable<unknown[]>;
          })(),
          stringify({ bom: true, record_delimiter: '\r\n' }),
          sink,
        );
        const ms = performance.now() - t0;
        store.close();
        reportPass(args.rows, ms, { bytes: sink.bytes });
        return;
      }
      case 'export': {
        const store = freshStore(paths.imported, work);
        const t0 = performance.now();
        const sink = new CountingSink();
        const result = await exportEntity(store, { entity: 'time_entry', internal: true }, sink);
        const ms = performance.now() - t0;
        store.close();
        if (result.rows !== args.rows) throw new Error(`exported ${result.rows} rows, expected ${args.rows}`);
        reportPass(result.rows, ms, { bytes: sink.bytes });
        return;
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What a pass may not change on a re-import: ledger rows, canonical revisions, link rows. */
function writesSoFar(store: SqliteStore, since: string | null): { ledger: number; revisions: number; links: number; linksAt: string } {
  const db = store.db;
  const linksAt = (db.prepare('SELECT coalesce(max(updated_at), \'\') FROM links').pluck().get() as string) ?? '';
  return {
    ledger: db.prepare('SELECT count(*) FROM ledger').pluck().get() as number,
    revisions: (db.prepare('SELECT coalesce(sum(revision), 0) FROM time_entries').pluck().get() as number) + (db.prepare('SELECT count(*) FROM time_entries').pluck().get() as number),
    links: since === null ? 0 : (db.prepare('SELECT count(*) FROM links WHERE updated_at > ?').pluck().get(since) as number),
    linksAt,
  };
}

await main();
