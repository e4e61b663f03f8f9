import { newId } from '../../lib/ids.ts';
import type { RunKind, RunRow, RunStatus } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson, toJson, whereOf } from '../sqlite/statements.ts';

interface RawRun {
  id: string;
  kind: string;
  system: string;
  entity: string | null;
  status: string;
  cursor: string | null;
  counts: string | null;
  report: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

function toRun(raw: RawRun): RunRow {
  return {
    id: raw.id,
    kind: raw.kind as RunKind,
    system: raw.system,
    entity: raw.entity,
    status: raw.status as RunStatus,
    cursor: parseJson(raw.cursor),
    counts: parseJson<Record<string, number>>(raw.counts) ?? {},
    report: parseJson(raw.report),
    error: raw.error,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
  };
}

export interface RunPageQuery {
  kind?: RunKind;
  system?: string;
  status?: RunStatus;
  entity?: string;
  /** A run id: only runs started before it (the previous page's last id). */
  before?: string;
  limit: number;
}

export interface RunQuery {
  kind?: RunKind;
  system?: string;
  status?: RunStatus;
  limit: number;
}

/** Every pull, reconcile, import and export: its cursor (to resume), counts and report. */
export class RunsRepo {
  private readonly latestSql: string;

  constructor(private readonly sql: SqlRunner) {
    this.latestSql = `SELECT * FROM runs WHERE kind = ? AND system = ? AND status IN ${sql.dialect.textList('?')}
      ORDER BY started_at DESC, id DESC LIMIT 1`;
  }

  async start(kind: RunKind, system: string, entity: string | null, now: string, cursor: unknown = null): Promise<RunRow> {
    this.sql.assertInTransaction('run start');
    const id = newId();
    await this.sql.run(
      `INSERT INTO runs (id, kind, system, entity, status, cursor, counts, started_at) VALUES (?, ?, ?, ?, 'running', ?, '{}', ?)`,
      [id, kind, system, entity, toJson(cursor), now],
    );
    return { id, kind, system, entity, status: 'running', cursor, counts: {}, report: null, error: null, startedAt: now, finishedAt: null };
  }

  /** Saves progress: the cursor to resume from and the counts so far, added to what was there. */
  async progress(id: string, cursor: unknown, addCounts: Readonly<Record<string, number>>): Promise<void> {
    this.sql.assertInTransaction('run progress');
    // Read, add in JS, write back: JSON arithmetic differs between the dialects, and the unit of
    // work (serialised in SQLite, SERIALIZABLE in PostgreSQL) keeps the two statements atomic.
    const raw = await this.sql.value<string | null>('SELECT counts FROM runs WHERE id = ?', [id]);
    const counts = parseJson<Record<string, number>>(raw ?? null) ?? {};
    for (const [k, v] of Object.entries(addCounts)) counts[k] = (counts[k] ?? 0) + v;
    await this.sql.run('UPDATE runs SET cursor = ?, counts = ? WHERE id = ?', [toJson(cursor), JSON.stringify(counts), id]);
  }

  async finish(id: string, status: Exclude<RunStatus, 'running'>, report: unknown, error: string | null, now: string): Promise<void> {
    this.sql.assertInTransaction('run finish');
    await this.sql.run('UPDATE runs SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ?', [status, toJson(report), error, now, id]);
  }

  async get(id: string): Promise<RunRow | null> {
    const raw = await this.sql.get<RawRun>('SELECT * FROM runs WHERE id = ?', [id]);
    return raw ? toRun(raw) : null;
  }

  /** The most recent unfinished run of this kind: what a restarted command resumes. */
  async latestRunning(kind: RunKind, system: string, entity: string | null): Promise<RunRow | null> {
    // IS NOT DISTINCT FROM: a null entity matches a null entity (SQLite's `IS`, in both dialects).
    const raw = await this.sql.get<RawRun>(
      `SELECT * FROM runs WHERE kind = ? AND system = ? AND entity IS NOT DISTINCT FROM ? AND status = 'running'
       ORDER BY started_at DESC, id DESC LIMIT 1`,
      [kind, system, entity],
    );
    return raw ? toRun(raw) : null;
  }

  async lastFinished(kind: RunKind, system: string, status: RunStatus = 'succeeded'): Promise<RunRow | null> {
    // NULLS LAST: PostgreSQL sorts nulls first when descending, SQLite last; a running run has none.
    const raw = await this.sql.get<RawRun>(
      `SELECT * FROM runs WHERE kind = ? AND system = ? AND status = ? ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1`,
      [kind, system, status],
    );
    return raw ? toRun(raw) : null;
  }

  async list(q: RunQuery): Promise<RunRow[]> {
    const where = whereOf([['kind = ?', q.kind], ['system = ?', q.system], ['status = ?', q.status]]);
    return (await this.sql.all<RawRun>(`SELECT * FROM runs ${where.sql} ORDER BY started_at DESC, id DESC LIMIT ?`, [...where.params, q.limit])).map(toRun);
  }

  /**
   * Newest first with keyset paging: ids are UUIDv7 made when the run starts, so `id < before`
   * continues where the previous page ended (HTTP `GET /api/v1/runs`).
   */
  async page(q: RunPageQuery): Promise<RunRow[]> {
    const where = whereOf([
      ['kind = ?', q.kind], ['system = ?', q.system], ['status = ?', q.status], ['entity = ?', q.entity], ['id < ?', q.before],
    ]);
    return (await this.sql.all<RawRun>(`SELECT * FROM runs ${where.sql} ORDER BY id DESC LIMIT ?`, [...where.params, q.limit])).map(toRun);
  }

  /** The newest run of a kind for a system among the given statuses, by start time (walks `runs_kind`). */
  async latest(kind: RunKind, system: string, statuses: readonly RunStatus[]): Promise<RunRow | null> {
    const raw = await this.sql.get<RawRun>(this.latestSql, [kind, system, JSON.stringify(statuses)]);
    return raw ? toRun(raw) : null;
  }

  async countByKindStatus(): Promise<Array<{ kind: string; status: string; n: number }>> {
    return this.sql.all<{ kind: string; status: string; n: number }>('SELECT kind, status, count(*) AS n FROM runs GROUP BY kind, status ORDER BY kind, status');
  }

  /** A trivial read that touches the database: the health check's database probe. */
  async ping(): Promise<void> {
    await this.sql.get('SELECT 1 FROM runs LIMIT 1');
  }
}
