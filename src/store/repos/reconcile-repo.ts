import type { EntityName } from '../../model/index.ts';
import { TABLE_INFO } from '../tables.ts';
import type { SqlRunner } from '../sql/runner.ts';

/** One listed record as staged: the mapped record's hash, never the record itself. */
export interface StagedRow {
  readonly entity: EntityName;
  readonly externalId: string;
  readonly hash: string;
  readonly sourceModifiedAt: string | null;
  /** The source lists it as deleted (a soft delete). */
  readonly deleted: boolean;
}

/**
 * A staged record that does not simply match its link: `added` (no link), `changed` (the hash
 * differs), or `restored` (same hash, but the link is tombstoned and the source lists it alive).
 */
export interface DiffRow {
  readonly externalId: string;
  readonly entity: EntityName;
  readonly kind: 'added' | 'changed' | 'restored';
  readonly canonicalId: string | null;
  /** The link is tombstoned and the source lists the record alive: it came back. */
  readonly reappeared: boolean;
}

/** A live link whose record the listing did not have. */
export interface MissingRow {
  readonly externalId: string;
  readonly canonicalId: string;
}

/** A tombstoned link whose canonical record is not deleted yet. */
export interface TombstoneRow {
  readonly externalId: string;
  readonly canonicalId: string;
  readonly tombstonedAt: string;
}

export interface OrphanRow {
  readonly canonicalId: string;
  /** The id the system in question knows it by, where there is one. */
  readonly externalId: string | null;
}

export interface OrphanList {
  readonly count: number;
  /** The first `limit` of them, in id order. */
  readonly items: readonly OrphanRow[];
}

interface RawDiff {
  external_id: string;
  entity: string;
  deleted: number;
  linked: number;
  hash_differs: number;
  tombstoned: number;
  canonical_id: string | null;
}

const LIVE_LINK = `l.state = 'linked' AND l.canonical_id IS NOT NULL AND l.tombstoned_at IS NULL`;

/**
 * The reconciliation's staging table and the compare queries over staging ⋈ links. Every query
 * walks a primary key (staging: run, external id, entity; links: system, entity, external id) with
 * keyset paging on the external id, so the diff is read a page at a time and nothing builds the
 * full set in JavaScript.
 */
export class ReconcileRepo {
  private readonly q: { readonly stage: string; readonly diffAfter: string; readonly diffAt: string };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    this.q = {
      // One statement per page: a JSON array of rows, one round trip on PostgreSQL.
      stage: `INSERT INTO reconcile_staging (run_id, external_id, entity, hash, source_modified_at, deleted, page)
        SELECT ?, ${d.jsonAt('r', 0)}, ${d.jsonAt('r', 1)}, ${d.jsonAt('r', 2)}, ${d.jsonAt('r', 3)}, ${d.jsonAt('r', 4, 'int')}, CAST(? AS BIGINT)
        FROM ${d.jsonRows('?', 'r')} WHERE true
        ON CONFLICT (run_id, external_id, entity) DO UPDATE SET
          hash = excluded.hash, source_modified_at = excluded.source_modified_at, deleted = excluded.deleted, page = excluded.page`,
      diffAfter: diffSql('s.external_id > ?', 'LIMIT ?'),
      diffAt: diffSql('s.external_id = ?', ''),
    };
  }

  /** Stages one listing page. A record listed twice in one run (offset paging shifting under inserts) keeps its latest row. */
  async stage(runId: string, page: number, rows: readonly StagedRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('staging insert');
    // Latest row per key first: one statement may not update the same row twice (PostgreSQL refuses
    // "ON CONFLICT DO UPDATE command cannot affect row a second time").
    const latest = new Map<string, StagedRow>();
    for (const r of rows) latest.set(`${r.externalId}\u0000${r.entity}`, r);
    const batch = [...latest.values()].map((r) => [r.externalId, r.entity, r.hash, r.sourceModifiedAt, r.deleted ? 1 : 0]);
    for (let i = 0; i < batch.length; i += 1_000) {
      await this.sql.run(this.q.stage, [runId, page, JSON.stringify(batch.slice(i, i + 1_000))]);
    }
  }

  /** Rows staged for one entity, and how many of them the source lists as alive. */
  async countStaged(runId: string, entity: EntityName): Promise<{ rows: number; live: number }> {
    const row = await this.sql.get<{ n: number; live: number }>(
      `SELECT count(*) AS n, coalesce(sum(CASE WHEN deleted = 0 THEN 1 ELSE 0 END), 0) AS live FROM reconcile_staging WHERE run_id = ? AND entity = ?`,
      [runId, entity],
    );
    return { rows: row?.n ?? 0, live: row?.live ?? 0 };
  }

  /** Links of a system and entity that stand for a live canonical record (the shrink threshold's denominator). */
  async countLiveLinks(system: string, entity: EntityName): Promise<number> {
    return (await this.sql.value<number>(`SELECT count(*) FROM links l WHERE l.system = ? AND l.entity = ? AND ${LIVE_LINK}`, [system, entity])) ?? 0;
  }

  /**
   * The next page of the diff in the staging → links direction, after `after` in external-id
   * order (all entities of an external id together). Matched rows are skipped by the index walk
   * and never reach JavaScript. Returns whole external ids only: when the page is full, the last
   * id's rows are left for the next page so that no entity of it is skipped.
   */
  async diffPage(runId: string, system: string, after: string | null, limit: number): Promise<DiffRow[]> {
    let raws = await this.sql.all<RawDiff>(this.q.diffAfter, [system, runId, after ?? '', limit]);
    const last = raws[raws.length - 1]?.external_id;
    if (raws.length === limit && last !== undefined) {
      const whole = raws.filter((r) => r.external_id !== last);
      // A page smaller than one id's entities: that id alone, all of its rows.
      raws = whole.length > 0 ? whole : await this.sql.all<RawDiff>(this.q.diffAt, [system, runId, last]);
    }
    return raws.map((r) => ({
      externalId: r.external_id,
      entity: r.entity as EntityName,
      kind: r.linked === 0 ? 'added' : r.hash_differs === 1 ? 'changed' : 'restored',
      canonicalId: r.canonical_id,
      reappeared: r.linked === 1 && r.tombstoned === 1 && r.deleted === 0,
    }));
  }

  /** The next page of live links the run's listing did not have (the links → staging anti-join). */
  async missingPage(runId: string, system: string, entity: EntityName, after: string | null, limit: number): Promise<MissingRow[]> {
    return this.sql.all<MissingRow>(
      `SELECT l.external_id AS "externalId", l.canonical_id AS "canonicalId" FROM links l
       WHERE l.system = ? AND l.entity = ? AND l.external_id > ? AND ${LIVE_LINK}
         AND NOT EXISTS (SELECT 1 FROM reconcile_staging s WHERE s.run_id = ? AND s.external_id = l.external_id AND s.entity = l.entity)
       ORDER BY l.external_id
       LIMIT ?`,
      [system, entity, after ?? '', runId, limit],
    );
  }

  /** Tombstoned links (tombstoned at or before `before`) whose canonical record is not deleted yet, in external-id order. */
  async tombstonesDue(system: string, entity: EntityName, before: string, after: string | null, limit: number): Promise<TombstoneRow[]> {
    const table = TABLE_INFO[entity].name;
    return this.sql.all<TombstoneRow>(
      `SELECT l.external_id AS "externalId", l.canonical_id AS "canonicalId", l.tombstoned_at AS "tombstonedAt"
       FROM links l JOIN ${table} c ON c.id = l.canonical_id
       WHERE l.system = ? AND l.entity = ? AND l.external_id > ? AND l.tombstoned_at IS NOT NULL AND l.tombstoned_at <= ?
         AND l.canonical_id IS NOT NULL AND c.deleted_at IS NULL
       ORDER BY l.external_id
       LIMIT ?`,
      [system, entity, after ?? '', before, limit],
    );
  }

  /** Deletes up to `limit` staging rows of a run; returns how many went. Called until it returns 0. */
  async purge(runId: string, limit: number): Promise<number> {
    this.sql.assertInTransaction('staging purge');
    return (
      await this.sql.run(
        `DELETE FROM reconcile_staging WHERE run_id = ? AND external_id IN
           (SELECT external_id FROM reconcile_staging WHERE run_id = ? ORDER BY external_id LIMIT ?)`,
        [runId, runId, limit],
      )
    ).changes;
  }

  /** Runs that still have staging rows but are no longer running (a crash between finishing and purging). */
  async leftoverRuns(limit: number): Promise<string[]> {
    return this.sql.column<string>(
      `SELECT r.id FROM runs r WHERE r.kind = 'reconcile' AND r.status <> 'running'
         AND EXISTS (SELECT 1 FROM reconcile_staging s WHERE s.run_id = r.id) ORDER BY r.id LIMIT ?`,
      [limit],
    );
  }

  /** A payroll system's live employee (candidate) links whose candidate has no assignment at all. */
  async employeesWithoutAssignment(payroll: string, limit: number): Promise<OrphanList> {
    const a = TABLE_INFO.assignment;
    const where = `l.system = ? AND l.entity = 'candidate' AND ${LIVE_LINK}
      AND NOT EXISTS (SELECT 1 FROM ${a.name} a WHERE a.${col('assignment', 'candidateId')} = l.canonical_id AND a.deleted_at IS NULL)`;
    return this.orphans(
      `SELECT count(*) FROM links l WHERE ${where}`,
      `SELECT l.canonical_id AS "canonicalId", l.external_id AS "externalId" FROM links l WHERE ${where} ORDER BY l.canonical_id LIMIT ?`,
      [payroll],
      limit,
    );
  }

  /** Active assignments whose candidate has no live link in the payroll system. */
  async assignmentsWithoutPayrollWorker(payroll: string, limit: number): Promise<OrphanList> {
    const a = TABLE_INFO.assignment;
    const where = `a.${col('assignment', 'status')} = 'active' AND a.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM links l WHERE l.entity = 'candidate' AND l.canonical_id = a.${col('assignment', 'candidateId')}
                        AND l.system = ? AND l.state = 'linked' AND l.tombstoned_at IS NULL)`;
    return this.orphans(
      `SELECT count(*) FROM ${a.name} a WHERE ${where}`,
      `SELECT a.id AS "canonicalId", NULL AS "externalId" FROM ${a.name} a WHERE ${where} ORDER BY a.id LIMIT ?`,
      [payroll],
      limit,
    );
  }

  /** Approved time entries approved (or worked, when no approval time is kept) before `cutoff` that never reached the payroll system. */
  async approvedTimeNotExported(payroll: string, cutoff: string, limit: number): Promise<OrphanList> {
    const t = TABLE_INFO.time_entry;
    const where = `t.${col('time_entry', 'status')} = 'approved' AND t.deleted_at IS NULL
      AND coalesce(t.${col('time_entry', 'approvedAt')}, t.${col('time_entry', 'workDate')}) < ?
      AND NOT EXISTS (SELECT 1 FROM links l WHERE l.entity = 'time_entry' AND l.canonical_id = t.id AND l.system = ?)`;
    return this.orphans(
      `SELECT count(*) FROM ${t.name} t WHERE ${where}`,
      `SELECT t.id AS "canonicalId", NULL AS "externalId" FROM ${t.name} t WHERE ${where} ORDER BY t.id LIMIT ?`,
      [cutoff, payroll],
      limit,
    );
  }

  /** Time entries marked exported (or invoiced) that the payroll system has no live record of. */
  async exportedTimeMissingInPayroll(payroll: string, limit: number): Promise<OrphanList> {
    const t = TABLE_INFO.time_entry;
    const where = `t.${col('time_entry', 'status')} IN ('exported', 'invoiced') AND t.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM links l WHERE l.entity = 'time_entry' AND l.canonical_id = t.id AND l.system = ?
                        AND l.state = 'linked' AND l.tombstoned_at IS NULL)`;
    return this.orphans(
      `SELECT count(*) FROM ${t.name} t WHERE ${where}`,
      `SELECT t.id AS "canonicalId", NULL AS "externalId" FROM ${t.name} t WHERE ${where} ORDER BY t.id LIMIT ?`,
      [payroll],
      limit,
    );
  }

  private async orphans(countSql: string, listSql: string, params: ReadonlyArray<string>, limit: number): Promise<OrphanList> {
    const count = (await this.sql.value<number>(countSql, params)) ?? 0;
    const items = count === 0 ? [] : await this.sql.all<OrphanRow>(listSql, [...params, limit]);
    return { count, items };
  }
}

/**
 * Staging rows that do not simply match their link, in external-id order: no link (unless the
 * source lists it as deleted: a record deleted before we ever knew it is nothing to repair, and
 * Bullhorn keeps listing soft-deleted records for years), another hash, or a tombstoned link while
 * the source lists the record alive.
 */
function diffSql(position: string, limit: string): string {
  // Flags as CASE … 1 ELSE 0: a selected comparison is 0/1 in SQLite but true/false in PostgreSQL.
  // IS DISTINCT FROM is SQLite's `IS NOT` (null-safe), spelled the way both dialects read.
  return `SELECT s.external_id, s.entity, s.deleted,
            CASE WHEN l.external_id IS NOT NULL THEN 1 ELSE 0 END AS linked,
            CASE WHEN l.source_hash IS DISTINCT FROM s.hash THEN 1 ELSE 0 END AS hash_differs,
            CASE WHEN l.tombstoned_at IS NOT NULL THEN 1 ELSE 0 END AS tombstoned,
            l.canonical_id
     FROM reconcile_staging s
     LEFT JOIN links l ON l.system = ? AND l.entity = s.entity AND l.external_id = s.external_id
     WHERE s.run_id = ? AND ${position}
       AND ((l.external_id IS NULL AND s.deleted = 0)
            OR (l.external_id IS NOT NULL AND (l.source_hash IS DISTINCT FROM s.hash OR (l.tombstoned_at IS NOT NULL AND s.deleted = 0))))
     ORDER BY s.external_id, s.entity
     ${limit}`;
}

function col(entity: EntityName, field: string): string {
  const column = TABLE_INFO[entity].columns.get(field);
  if (!column) throw new Error(`${entity} has no field ${field}`);
  return column;
}
