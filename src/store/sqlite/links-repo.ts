import type { EntityName } from '../../model/index.ts';
import type { LinkRow } from '../types.ts';
import { parseJson, toJson, whereOf, type Statements } from './statements.ts';

interface RawLink {
  system: string;
  entity: string;
  external_id: string;
  canonical_id: string | null;
  state: string;
  base: string | null;
  source_hash: string | null;
  source_modified_at: string | null;
  pending: string | null;
  waiting_on: string | null;
  reason: string | null;
  meta: string | null;
  tombstoned_at: string | null;
  seen_run_id: string | null;
  created_at: string;
  updated_at: string;
}

function toLink(raw: RawLink): LinkRow {
  return {
    system: raw.system,
    entity: raw.entity as EntityName,
    externalId: raw.external_id,
    canonicalId: raw.canonical_id,
    state: raw.state as LinkRow['state'],
    base: parseJson(raw.base),
    sourceHash: raw.source_hash,
    sourceModifiedAt: raw.source_modified_at,
    pending: raw.pending,
    waitingOn: raw.waiting_on,
    reason: raw.reason,
    meta: parseJson(raw.meta),
    tombstonedAt: raw.tombstoned_at,
    seenRunId: raw.seen_run_id,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/** The key a held record waits on: the reference it could not resolve. */
/** The part of a link the engine's hash guard reads. */
export interface LinkGuard {
  readonly state: LinkRow['state'];
  readonly sourceHash: string | null;
  readonly sourceModifiedAt: string | null;
}

export function refKey(system: string, entity: string, externalId: string): string {
  return `${system}|${entity}|${externalId}`;
}

/** (system, entity, external id) ↔ canonical id, with the merge base of each link. */
export class LinksRepo {
  constructor(private readonly s: Statements) {}

  async getMany(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, LinkRow>> {
    const out = new Map<string, LinkRow>();
    if (externalIds.length === 0) return out;
    const rows = this.s
      .get(
        `SELECT * FROM links WHERE system = ? AND entity = ? AND external_id IN (SELECT value FROM json_each(?))`,
      )
      .all(system, entity, JSON.stringify(externalIds)) as RawLink[];
    for (const raw of rows) out.set(raw.external_id, toLink(raw));
    return out;
  }

  /**
   * What the engine's hash guard compares, without reading (and parsing) bases and metadata: a
   * re-read of unchanged records then costs one narrow lookup per batch.
   */
  async guards(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, LinkGuard>> {
    const out = new Map<string, LinkGuard>();
    if (externalIds.length === 0) return out;
    const rows = this.s
      .get(
        `SELECT external_id, state, source_hash, source_modified_at FROM links
           WHERE system = ? AND entity = ? AND external_id IN (SELECT value FROM json_each(?))`,
      )
      .raw()
      .all(system, entity, JSON.stringify(externalIds)) as Array<[string, LinkRow['state'], string | null, string | null]>;
    for (const [externalId, state, sourceHash, sourceModifiedAt] of rows) out.set(externalId, { state, sourceHash, sourceModifiedAt });
    return out;
  }

  /**
   * external id → canonical id of linked records: reference resolution reads nothing else. The `+`
   * keeps SQLite on the primary key: without it the planner range-scans the canonical-id index over
   * every link of the entity (68 % of a 150k-record pull's CPU before the fix).
   */
  async resolve(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (externalIds.length === 0) return out;
    const rows = this.s
      .get(
        `SELECT external_id, canonical_id FROM links WHERE system = ? AND entity = ?
           AND external_id IN (SELECT value FROM json_each(?)) AND +canonical_id IS NOT NULL AND state <> 'parked'`,
      )
      .raw()
      .all(system, entity, JSON.stringify(externalIds)) as Array<[string, string]>;
    for (const [externalId, canonicalId] of rows) out.set(externalId, canonicalId);
    return out;
  }

  async get(system: string, entity: EntityName, externalId: string): Promise<LinkRow | null> {
    const raw = this.s
      .get('SELECT * FROM links WHERE system = ? AND entity = ? AND external_id = ?')
      .get(system, entity, externalId) as RawLink | undefined;
    return raw ? toLink(raw) : null;
  }

  /**
   * canonical id → this system's external id, for those of these canonical records the system has a
   * link to. Identity matching asks it of every record a natural key found — with a shared phone,
   * thousands a page — so it reads two columns, not whole links with their JSON.
   */
  async externalIdsOf(system: string, entity: EntityName, canonicalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (canonicalIds.length === 0) return out;
    const rows = this.s
      .get(`SELECT canonical_id, external_id FROM links WHERE entity = ? AND canonical_id IN (SELECT value FROM json_each(?)) AND system = ?`)
      .raw()
      .all(entity, JSON.stringify(canonicalIds), system) as Array<[string, string]>;
    for (const [canonicalId, externalId] of rows) out.set(canonicalId, externalId);
    return out;
  }

  /** Every system's link to these canonical records: who must hear of a change. */
  async byCanonical(entity: EntityName, canonicalIds: readonly string[]): Promise<LinkRow[]> {
    if (canonicalIds.length === 0) return [];
    const rows = this.s
      .get(`SELECT * FROM links WHERE entity = ? AND canonical_id IN (SELECT value FROM json_each(?))`)
      .all(entity, JSON.stringify(canonicalIds)) as RawLink[];
    return rows.map(toLink);
  }

  async forCanonical(system: string, entity: EntityName, canonicalId: string): Promise<LinkRow | null> {
    const raw = this.s
      .get('SELECT * FROM links WHERE system = ? AND entity = ? AND canonical_id = ?')
      .get(system, entity, canonicalId) as RawLink | undefined;
    return raw ? toLink(raw) : null;
  }

  /** Held records waiting for any of these references. */
  async waitingOn(keys: readonly string[]): Promise<LinkRow[]> {
    if (keys.length === 0) return [];
    const rows = this.s
      .get(`SELECT * FROM links WHERE waiting_on IN (SELECT value FROM json_each(?)) ORDER BY updated_at`)
      .all(JSON.stringify(keys)) as RawLink[];
    return rows.map(toLink);
  }

  /** Links in one state, oldest change first; `after` is the `updated_at|system|entity|externalId` of the last row seen (keyset paging). */
  async listByState(state: LinkRow['state'], limit: number, system?: string, after?: string): Promise<LinkRow[]> {
    const [at, sys, entity, ext] = after === undefined ? [] : after.split('|');
    const where = whereOf([
      ['state = ?', state], ['system = ?', system],
      ['(updated_at, system, entity, external_id) > (?, ?, ?, ?)', at],
    ]);
    const params = at === undefined ? where.params : [...where.params, sys ?? '', entity ?? '', ext ?? ''];
    const rows = this.s.get(`SELECT * FROM links ${where.sql} ORDER BY updated_at, system, entity, external_id LIMIT ?`).all(...params, limit) as RawLink[];
    return rows.map(toLink);
  }

  /** Forgets the last-seen hash, so the next identical delivery is evaluated again (after a fix). */
  async forgetHashes(keys: ReadonlyArray<{ system: string; entity: EntityName; externalId: string }>): Promise<number> {
    this.s.assertInTransaction('forget hashes');
    const stmt = this.s.get('UPDATE links SET source_hash = NULL WHERE system = ? AND entity = ? AND external_id = ?');
    let n = 0;
    for (const k of keys) n += stmt.run(k.system, k.entity, k.externalId).changes;
    return n;
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = this.s.get('SELECT state, count(*) AS n FROM links GROUP BY state').all() as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async upsertMany(rows: readonly LinkRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.s.assertInTransaction('link upsert');
    const stmt = this.s.get(
      `INSERT INTO links (system, entity, external_id, canonical_id, state, base, source_hash, source_modified_at,
         pending, waiting_on, reason, meta, tombstoned_at, seen_run_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (system, entity, external_id) DO UPDATE SET
         canonical_id = excluded.canonical_id, state = excluded.state, base = excluded.base,
         source_hash = excluded.source_hash, source_modified_at = excluded.source_modified_at,
         pending = excluded.pending, waiting_on = excluded.waiting_on, reason = excluded.reason,
         meta = excluded.meta, tombstoned_at = excluded.tombstoned_at, seen_run_id = excluded.seen_run_id,
         updated_at = excluded.updated_at`,
    );
    for (const r of rows) {
      stmt.run(
        r.system, r.entity, r.externalId, r.canonicalId, r.state, toJson(r.base), r.sourceHash, r.sourceModifiedAt,
        r.pending, r.waitingOn, r.reason, toJson(r.meta), r.tombstonedAt, r.seenRunId, r.createdAt, r.updatedAt,
      );
    }
  }

  /** Vendor bookkeeping (Gusto's `version`, a job uuid) merged into the link's meta. */
  async mergeMeta(system: string, entity: EntityName, externalId: string, meta: Record<string, unknown>, now: string): Promise<void> {
    this.s.assertInTransaction('link meta');
    this.s
      .get(
        `UPDATE links SET meta = json_patch(coalesce(meta, '{}'), ?), updated_at = ?
         WHERE system = ? AND entity = ? AND external_id = ?`,
      )
      .run(JSON.stringify(meta), now, system, entity, externalId);
  }

  async setTombstone(system: string, entity: EntityName, externalIds: readonly string[], at: string | null, now: string): Promise<number> {
    if (externalIds.length === 0) return 0;
    this.s.assertInTransaction('tombstone');
    return this.s
      .get(
        `UPDATE links SET tombstoned_at = ?, updated_at = ?
         WHERE system = ? AND entity = ? AND external_id IN (SELECT value FROM json_each(?))`,
      )
      .run(at, now, system, entity, JSON.stringify(externalIds)).changes;
  }

  async count(system?: string, entity?: EntityName): Promise<number> {
    if (system === undefined) return this.s.get('SELECT count(*) FROM links').pluck().get() as number;
    if (entity === undefined) return this.s.get('SELECT count(*) FROM links WHERE system = ?').pluck().get(system) as number;
    return this.s.get('SELECT count(*) FROM links WHERE system = ? AND entity = ?').pluck().get(system, entity) as number;
  }
}
