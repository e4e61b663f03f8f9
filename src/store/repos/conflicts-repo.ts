import type { EntityName } from '../../model/index.ts';
import type { ConflictRow, ConflictStatus, Scalar } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson, toJson, whereOf } from '../sqlite/statements.ts';

export interface ConflictQuery {
  status?: ConflictStatus;
  entity?: EntityName;
  system?: string;
  canonicalId?: string;
  field?: string;
  after?: string;
  limit: number;
}

interface RawConflict {
  id: string;
  entity: string;
  canonical_id: string;
  field: string;
  system: string;
  external_id: string;
  base: string | null;
  current: string | null;
  incoming: string | null;
  status: string;
  opened_at: string;
  source_modified_at: string | null;
  run_id: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  resolved_value: string | null;
  resolution_reason: string | null;
}

function toConflict(raw: RawConflict): ConflictRow {
  return {
    id: raw.id,
    entity: raw.entity as EntityName,
    canonicalId: raw.canonical_id,
    field: raw.field,
    system: raw.system,
    externalId: raw.external_id,
    base: parseJson<Scalar>(raw.base),
    current: parseJson<Scalar>(raw.current),
    incoming: parseJson<Scalar>(raw.incoming),
    status: raw.status as ConflictStatus,
    openedAt: raw.opened_at,
    sourceModifiedAt: raw.source_modified_at,
    runId: raw.run_id,
    resolvedAt: raw.resolved_at,
    resolvedBy: raw.resolved_by,
    resolution: raw.resolution as ConflictRow['resolution'],
    resolvedValue: parseJson<Scalar>(raw.resolved_value),
    resolutionReason: raw.resolution_reason,
  };
}

/**
 * One row per open question (entity, record, field, system), in first-seen order: a question asked
 * twice in one batch keeps the first ask's id, base and opening and takes the last ask's values, as
 * an insert followed by the upsert's update would (PostgreSQL refuses to update one row twice in one
 * statement).
 */
function oncePerQuestion(rows: readonly ConflictRow[]): ConflictRow[] {
  const byKey = new Map<string, ConflictRow>();
  for (const c of rows) {
    const key = JSON.stringify([c.entity, c.canonicalId, c.field, c.system]);
    const first = byKey.get(key);
    byKey.set(key, first ? { ...first, incoming: c.incoming, current: c.current, sourceModifiedAt: c.sourceModifiedAt, runId: c.runId } : c);
  }
  return [...byKey.values()];
}

/** Questions per upsert statement. */
const BATCH = 1_000;

export class ConflictsRepo {
  private readonly q: { readonly upsert: string; readonly openFrom: string };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    const at = (i: number) => d.jsonAt('r', i);
    this.q = {
      upsert: `INSERT INTO conflicts (id, entity, canonical_id, field, system, external_id, base, current, incoming, status,
           opened_at, source_modified_at, run_id)
         SELECT ${at(0)}, ${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)}, ${at(6)}, ${at(7)}, ${at(8)}, 'open', ${at(9)}, ${at(10)}, ${at(11)}
         FROM ${d.jsonRows('?', 'r')} WHERE true
         ON CONFLICT (entity, canonical_id, field, system) WHERE status = 'open' DO UPDATE SET
           incoming = excluded.incoming, current = excluded.current, source_modified_at = excluded.source_modified_at,
           run_id = excluded.run_id`,
      openFrom: `SELECT * FROM conflicts WHERE status = 'open' AND entity = ? AND system = ? AND canonical_id IN ${d.textList('?')} ORDER BY id`,
    };
  }

  /**
   * Opens a conflict, or refreshes the open one for the same record, field and system with the
   * newer incoming value: one open conflict per question, however often the source repeats it.
   */
  async upsertOpen(rows: readonly ConflictRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('conflict upsert');
    const once = oncePerQuestion(rows);
    for (let i = 0; i < once.length; i += BATCH) {
      const batch = once.slice(i, i + BATCH).map((c) => [
        c.id, c.entity, c.canonicalId, c.field, c.system, c.externalId, JSON.stringify(c.base), JSON.stringify(c.current),
        JSON.stringify(c.incoming), c.openedAt, c.sourceModifiedAt, c.runId,
      ]);
      await this.sql.run(this.q.upsert, [JSON.stringify(batch)]);
    }
  }

  async get(id: string): Promise<ConflictRow | null> {
    const raw = await this.sql.get<RawConflict>('SELECT * FROM conflicts WHERE id = ?', [id]);
    return raw ? toConflict(raw) : null;
  }

  /** Open conflicts one system raised on some records of an entity (walks `conflicts_open`). */
  async openFrom(system: string, entity: EntityName, canonicalIds: readonly string[]): Promise<ConflictRow[]> {
    if (canonicalIds.length === 0) return [];
    return (await this.sql.all<RawConflict>(this.q.openFrom, [entity, system, JSON.stringify(canonicalIds)])).map(toConflict);
  }

  async openFor(entity: EntityName, canonicalId: string): Promise<ConflictRow[]> {
    const rows = await this.sql.all<RawConflict>(`SELECT * FROM conflicts WHERE entity = ? AND canonical_id = ? AND status = 'open' ORDER BY id`, [entity, canonicalId]);
    return rows.map(toConflict);
  }

  async list(q: ConflictQuery): Promise<ConflictRow[]> {
    const where = whereOf([
      ['status = ?', q.status], ['entity = ?', q.entity], ['system = ?', q.system], ['canonical_id = ?', q.canonicalId],
      ['field = ?', q.field], ['id > ?', q.after],
    ]);
    const rows = await this.sql.all<RawConflict>(`SELECT * FROM conflicts ${where.sql} ORDER BY id LIMIT ?`, [...where.params, q.limit]);
    return rows.map(toConflict);
  }

  async markResolved(
    id: string,
    resolution: NonNullable<ConflictRow['resolution']>,
    value: Scalar,
    by: string,
    reason: string | null,
    at: string,
  ): Promise<boolean> {
    this.sql.assertInTransaction('conflict resolve');
    const result = await this.sql.run(
      `UPDATE conflicts SET status = 'resolved', resolution = ?, resolved_value = ?, resolved_by = ?,
         resolution_reason = ?, resolved_at = ? WHERE id = ? AND status = 'open'`,
      [resolution, toJson(value) ?? 'null', by, reason, at, id],
    );
    return result.changes === 1;
  }

  async countOpen(): Promise<number> {
    return (await this.sql.value<number>(`SELECT count(*) FROM conflicts WHERE status = 'open'`)) ?? 0;
  }
}
