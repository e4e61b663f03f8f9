import type { EntityName } from '../../model/index.ts';
import type { IdentityEvidence, IdentityReviewRow, IdentityReviewStatus } from '../types.ts';
import { whereOf, type Statements } from '../sqlite/statements.ts';

export interface IdentityQuery {
  status?: IdentityReviewStatus;
  system?: string;
  entity?: EntityName;
  /** Keyset paging: ids sort in creation order (UUIDv7). */
  after?: string;
  limit: number;
}

interface RawReview {
  id: string;
  system: string;
  entity: string;
  external_id: string;
  status: string;
  reason: string;
  evidence: string;
  opened_at: string;
  updated_at: string;
  decided_at: string | null;
  decided_by: string | null;
  canonical_id: string | null;
}

function toReview(raw: RawReview): IdentityReviewRow {
  return {
    id: raw.id,
    system: raw.system,
    entity: raw.entity as EntityName,
    externalId: raw.external_id,
    status: raw.status as IdentityReviewStatus,
    reason: raw.reason,
    evidence: JSON.parse(raw.evidence) as IdentityEvidence,
    openedAt: raw.opened_at,
    updatedAt: raw.updated_at,
    decidedAt: raw.decided_at,
    decidedBy: raw.decided_by,
    canonicalId: raw.canonical_id,
  };
}

/** The identity review queue: one question per parked external record, and ops' answer to it. */
export class IdentityRepo {
  constructor(private readonly s: Statements) {}

  /**
   * Opens (or re-opens, with fresh evidence) the question for each record. A record parked again
   * with the same question keeps its id and opening time.
   */
  async openMany(rows: ReadonlyArray<{ id: string; system: string; entity: EntityName; externalId: string; reason: string; evidence: IdentityEvidence }>, now: string): Promise<void> {
    if (rows.length === 0) return;
    this.s.assertInTransaction('identity review');
    const stmt = this.s.get(
      `INSERT INTO identity_reviews (id, system, entity, external_id, status, reason, evidence, opened_at, updated_at)
       VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)
       ON CONFLICT (system, entity, external_id) DO UPDATE SET
         status = 'open', reason = excluded.reason, evidence = excluded.evidence, updated_at = excluded.updated_at,
         opened_at = CASE WHEN identity_reviews.status = 'open' THEN identity_reviews.opened_at ELSE excluded.opened_at END,
         decided_at = NULL, decided_by = NULL, canonical_id = NULL`,
    );
    for (const r of rows) stmt.run(r.id, r.system, r.entity, r.externalId, r.reason, JSON.stringify(r.evidence), now, now);
  }

  /** Records ops' answer (over the engine's own closing of the question in the same unit of work). */
  async record(id: string, status: Exclude<IdentityReviewStatus, 'open'>, canonicalId: string, by: string, now: string): Promise<void> {
    this.s.assertInTransaction('identity decision');
    this.s
      .get(`UPDATE identity_reviews SET status = ?, canonical_id = ?, decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ?`)
      .run(status, canonicalId, by, now, now, id);
  }

  /** Questions answered by the engine itself (the record was linked some other way): closed as linked. */
  async closeMany(keys: ReadonlyArray<{ system: string; entity: EntityName; externalId: string; canonicalId: string }>, by: string, now: string): Promise<void> {
    if (keys.length === 0) return;
    this.s.assertInTransaction('identity close');
    const stmt = this.s.get(
      `UPDATE identity_reviews SET status = 'linked', canonical_id = ?, decided_by = ?, decided_at = ?, updated_at = ?
       WHERE system = ? AND entity = ? AND external_id = ? AND status = 'open'`,
    );
    for (const k of keys) stmt.run(k.canonicalId, by, now, now, k.system, k.entity, k.externalId);
  }

  async get(id: string): Promise<IdentityReviewRow | null> {
    const raw = this.s.get('SELECT * FROM identity_reviews WHERE id = ?').get(id) as RawReview | undefined;
    return raw ? toReview(raw) : null;
  }

  async byRecord(system: string, entity: EntityName, externalId: string): Promise<IdentityReviewRow | null> {
    const raw = this.s.get('SELECT * FROM identity_reviews WHERE system = ? AND entity = ? AND external_id = ?').get(system, entity, externalId) as RawReview | undefined;
    return raw ? toReview(raw) : null;
  }

  async list(q: IdentityQuery): Promise<IdentityReviewRow[]> {
    const where = whereOf([
      ['status = ?', q.status],
      ['system = ?', q.system],
      ['entity = ?', q.entity],
      ['id > ?', q.after],
    ]);
    const rows = this.s
      .get(`SELECT * FROM identity_reviews ${where.sql} ORDER BY id LIMIT ?`)
      .all(...where.params, q.limit) as RawReview[];
    return rows.map(toReview);
  }

  async countOpen(): Promise<number> {
    return this.s.get(`SELECT count(*) FROM identity_reviews WHERE status = 'open'`).pluck().get() as number;
  }
}
