import type { EntityName } from '../../model/index.ts';
import type { ConflictRow, ConflictStatus, Scalar } from '../types.ts';
import { parseJson, toJson, whereOf, type Statements } from '../sqlite/statements.ts';

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

export class ConflictsRepo {
  constructor(private readonly s: Statements) {}

  /**
   * Opens a conflict, or refreshes the open one for the same record, field and system with the
   * newer incoming value: one open conflict per question, however often the source repeats it.
   */
  async upsertOpen(rows: readonly ConflictRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.s.assertInTransaction('conflict upsert');
    const stmt = this.s.get(
      `INSERT INTO conflicts (id, entity, canonical_id, field, system, external_id, base, current, incoming, status,
         opened_at, source_modified_at, run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
       ON CONFLICT (entity, canonical_id, field, system) WHERE status = 'open' DO UPDATE SET
         incoming = excluded.incoming, current = excluded.current, source_modified_at = excluded.source_modified_at,
         run_id = excluded.run_id`,
    );
    for (const c of rows) {
      stmt.run(
        c.id, c.entity, c.canonicalId, c.field, c.system, c.externalId, JSON.stringify(c.base), JSON.stringify(c.current),
        JSON.stringify(c.incoming), c.openedAt, c.sourceModifiedAt, c.runId,
      );
    }
  }

  async get(id: string): Promise<ConflictRow | null> {
    const raw = this.s.get('SELECT * FROM conflicts WHERE id = ?').get(id) as RawConflict | undefined;
    return raw ? toConflict(raw) : null;
  }

  /** Open conflicts one system raised on some records of an entity (walks `conflicts_open`). */
  async openFrom(system: string, entity: EntityName, canonicalIds: readonly string[]): Promise<ConflictRow[]> {
    if (canonicalIds.length === 0) return [];
    const rows = this.s
      .get(`SELECT * FROM conflicts WHERE status = 'open' AND entity = ? AND system = ? AND canonical_id IN (SELECT value FROM json_each(?))`)
      .all(entity, system, JSON.stringify(canonicalIds)) as RawConflict[];
    return rows.map(toConflict);
  }

  async openFor(entity: EntityName, canonicalId: string): Promise<ConflictRow[]> {
    const rows = this.s
      .get(`SELECT * FROM conflicts WHERE entity = ? AND canonical_id = ? AND status = 'open'`)
      .all(entity, canonicalId) as RawConflict[];
    return rows.map(toConflict);
  }

  async list(q: ConflictQuery): Promise<ConflictRow[]> {
    const where = whereOf([
      ['status = ?', q.status], ['entity = ?', q.entity], ['system = ?', q.system], ['canonical_id = ?', q.canonicalId],
      ['field = ?', q.field], ['id > ?', q.after],
    ]);
    const rows = this.s.get(`SELECT * FROM conflicts ${where.sql} ORDER BY id LIMIT ?`).all(...where.params, q.limit) as RawConflict[];
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
    this.s.assertInTransaction('conflict resolve');
    const result = this.s
      .get(
        `UPDATE conflicts SET status = 'resolved', resolution = ?, resolved_value = ?, resolved_by = ?,
           resolution_reason = ?, resolved_at = ? WHERE id = ? AND status = 'open'`,
      )
      .run(resolution, toJson(value) ?? 'null', by, reason, at, id);
    return result.changes === 1;
  }

  async countOpen(): Promise<number> {
    return this.s.get(`SELECT count(*) FROM conflicts WHERE status = 'open'`).pluck().get() as number;
  }
}
