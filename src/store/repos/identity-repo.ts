import type { EntityName } from '../../model/index.ts';
import type { IdentityEvidence, IdentityReviewRow, IdentityReviewStatus } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { whereOf } from '../sqlite/statements.ts';

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

type ReviewOpen = { id: string; system: string; entity: EntityName; externalId: string; reason: string; evidence: IdentityEvidence };
type ReviewClose = { system: string; entity: EntityName; externalId: string; canonicalId: string };

const recordKey = (r: { system: string; entity: string; externalId: string }): string => `${r.system}|${r.entity}|${r.externalId}`;

/** The identity review queue: one question per parked external record, and ops' answer to it. */
export class IdentityRepo {
  private readonly q: { readonly open: string; readonly close: string };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    const at = (i: number): string => d.jsonAt('r', i);
    this.q = {
      // One statement per batch (one round trip on PostgreSQL); the batch's rows are distinct records.
      open: `INSERT INTO identity_reviews (id, system, entity, external_id, status, reason, evidence, opened_at, updated_at)
        SELECT ${at(0)}, ${at(1)}, ${at(2)}, ${at(3)}, 'open', ${at(4)}, ${at(5)}, ?, ? FROM ${d.jsonRows('?', 'r')} WHERE true
        ON CONFLICT (system, entity, external_id) DO UPDATE SET
          status = 'open', reason = excluded.reason, evidence = excluded.evidence, updated_at = excluded.updated_at,
          opened_at = CASE WHEN identity_reviews.status = 'open' THEN identity_reviews.opened_at ELSE excluded.opened_at END,
          decided_at = NULL, decided_by = NULL, canonical_id = NULL`,
      close: `UPDATE identity_reviews SET status = 'linked', canonical_id = ${at(3)}, decided_by = ?, decided_at = ?, updated_at = ?
        FROM ${d.jsonRows('?', 'r')}
        WHERE identity_reviews.system = ${at(0)} AND identity_reviews.entity = ${at(1)} AND identity_reviews.external_id = ${at(2)}
          AND identity_reviews.status = 'open'`,
    };
  }

  /**
   * Opens (or re-opens, with fresh evidence) the question for each record. A record parked again
   * with the same question keeps its id and opening time.
   */
  async openMany(rows: readonly ReviewOpen[], now: string): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('identity review');
    // One upsert may touch a row once (PostgreSQL refuses more): a record named twice is merged as
    // the one-by-one upserts would leave it — the first id, the last reason and evidence.
    const byRecord = new Map<string, ReviewOpen>();
    for (const r of rows) {
      const seen = byRecord.get(recordKey(r));
      byRecord.set(recordKey(r), seen ? { ...r, id: seen.id } : r);
    }
    const batch = [...byRecord.values()].map((r) => [r.id, r.system, r.entity, r.externalId, r.reason, JSON.stringify(r.evidence)]);
    await this.sql.run(this.q.open, [now, now, JSON.stringify(batch)]);
  }

  /** Records ops' answer (over the engine's own closing of the question in the same unit of work). */
  async record(id: string, status: Exclude<IdentityReviewStatus, 'open'>, canonicalId: string, by: string, now: string): Promise<void> {
    this.sql.assertInTransaction('identity decision');
    await this.sql.run('UPDATE identity_reviews SET status = ?, canonical_id = ?, decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ?', [status, canonicalId, by, now, now, id]);
  }

  /** Questions answered by the engine itself (the record was linked some other way): closed as linked. */
  async closeMany(keys: readonly ReviewClose[], by: string, now: string): Promise<void> {
    if (keys.length === 0) return;
    this.sql.assertInTransaction('identity close');
    // An open question closes once: a record named twice keeps the first canonical id, as the
    // one-by-one updates did (an UPDATE … FROM would pick either).
    const byRecord = new Map<string, ReviewClose>();
    for (const k of keys) if (!byRecord.has(recordKey(k))) byRecord.set(recordKey(k), k);
    const batch = [...byRecord.values()].map((k) => [k.system, k.entity, k.externalId, k.canonicalId]);
    await this.sql.run(this.q.close, [by, now, now, JSON.stringify(batch)]);
  }

  async get(id: string): Promise<IdentityReviewRow | null> {
    const raw = await this.sql.get<RawReview>('SELECT * FROM identity_reviews WHERE id = ?', [id]);
    return raw ? toReview(raw) : null;
  }

  async byRecord(system: string, entity: EntityName, externalId: string): Promise<IdentityReviewRow | null> {
    const raw = await this.sql.get<RawReview>('SELECT * FROM identity_reviews WHERE system = ? AND entity = ? AND external_id = ?', [system, entity, externalId]);
    return raw ? toReview(raw) : null;
  }

  async list(q: IdentityQuery): Promise<IdentityReviewRow[]> {
    const where = whereOf([
      ['status = ?', q.status],
      ['system = ?', q.system],
      ['entity = ?', q.entity],
      ['id > ?', q.after],
    ]);
    const rows = await this.sql.all<RawReview>(`SELECT * FROM identity_reviews ${where.sql} ORDER BY id LIMIT ?`, [...where.params, q.limit]);
    return rows.map(toReview);
  }

  async countOpen(): Promise<number> {
    return (await this.sql.value<number>(`SELECT count(*) FROM identity_reviews WHERE status = 'open'`)) ?? 0;
  }
}
