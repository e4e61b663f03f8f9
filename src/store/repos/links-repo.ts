import type { EntityName } from '../../model/index.ts';
import type { LinkRow } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson, toJson, whereOf } from '../sqlite/statements.ts';

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
  private readonly q: {
    readonly getMany: string;
    readonly guards: string;
    readonly resolve: string;
    readonly byCanonical: string;
    readonly externalIdsOf: string;
    readonly waitingOn: string;
    readonly upsert: string;
    readonly tombstone: string;
  };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    const ids = d.textList('?');
    this.q = {
      getMany: `SELECT * FROM links WHERE system = ? AND entity = ? AND external_id IN ${ids}`,
      guards: `SELECT external_id, state, source_hash, source_modified_at FROM links WHERE system = ? AND entity = ? AND external_id IN ${ids}`,
      // The no-index hint keeps SQLite on the primary key: without it the planner range-scans the
      // canonical-id index over every link of the entity (68 % of a 150k-record pull's CPU before the fix).
      resolve: `SELECT external_id, canonical_id FROM links WHERE system = ? AND entity = ?
        AND external_id IN ${ids} AND ${d.noIndex('canonical_id')} IS NOT NULL AND state <> 'parked'`,
      byCanonical: `SELECT * FROM links WHERE entity = ? AND canonical_id IN ${ids}`,
      externalIdsOf: `SELECT canonical_id, external_id FROM links WHERE entity = ? AND canonical_id IN ${ids} AND system = ?`,
      waitingOn: `SELECT * FROM links WHERE waiting_on IN ${ids} ORDER BY updated_at, system, entity, external_id`,
      // One statement per batch: a JSON array of rows, one round trip on PostgreSQL.
      upsert: `INSERT INTO links (system, entity, external_id, canonical_id, state, base, source_hash, source_modified_at,
          pending, waiting_on, reason, meta, tombstoned_at, seen_run_id, created_at, updated_at)
        SELECT ${Array.from({ length: 16 }, (_, i) => d.jsonAt('r', i)).join(', ')} FROM ${d.jsonRows('?', 'r')} WHERE true
        ON CONFLICT (system, entity, external_id) DO UPDATE SET
          canonical_id = excluded.canonical_id, state = excluded.state, base = excluded.base,
          source_hash = excluded.source_hash, source_modified_at = excluded.source_modified_at,
          pending = excluded.pending, waiting_on = excluded.waiting_on, reason = excluded.reason,
          meta = excluded.meta, tombstoned_at = excluded.tombstoned_at, seen_run_id = excluded.seen_run_id,
          updated_at = excluded.updated_at`,
      tombstone: `UPDATE links SET tombstoned_at = ?, updated_at = ? WHERE system = ? AND entity = ? AND external_id IN ${ids}`,
    };
  }

  async getMany(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, LinkRow>> {
    const out = new Map<string, LinkRow>();
    if (externalIds.length === 0) return out;
    const rows = await this.sql.all<RawLink>(this.q.getMany, [system, entity, JSON.stringify(externalIds)]);
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
    const rows = await this.sql.all<{ external_id: string; state: LinkRow['state']; source_hash: string | null; source_modified_at: string | null }>(
      this.q.guards,
      [system, entity, JSON.stringify(externalIds)],
    );
    for (const r of rows) out.set(r.external_id, { state: r.state, sourceHash: r.source_hash, sourceModifiedAt: r.source_modified_at });
    return out;
  }

  /** external id → canonical id of linked records: reference resolution reads nothing else. */
  async resolve(system: string, entity: EntityName, externalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (externalIds.length === 0) return out;
    const rows = await this.sql.all<{ external_id: string; canonical_id: string }>(this.q.resolve, [system, entity, JSON.stringify(externalIds)]);
    for (const r of rows) out.set(r.external_id, r.canonical_id);
    return out;
  }

  async get(system: string, entity: EntityName, externalId: string): Promise<LinkRow | null> {
    const raw = await this.sql.get<RawLink>('SELECT * FROM links WHERE system = ? AND entity = ? AND external_id = ?', [system, entity, externalId]);
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
    const rows = await this.sql.all<{ canonical_id: string; external_id: string }>(this.q.externalIdsOf, [entity, JSON.stringify(canonicalIds), system]);
    for (const r of rows) out.set(r.canonical_id, r.external_id);
    return out;
  }

  /** Every system's link to these canonical records: who must hear of a change. */
  async byCanonical(entity: EntityName, canonicalIds: readonly string[]): Promise<LinkRow[]> {
    if (canonicalIds.length === 0) return [];
    return (await this.sql.all<RawLink>(this.q.byCanonical, [entity, JSON.stringify(canonicalIds)])).map(toLink);
  }

  async forCanonical(system: string, entity: EntityName, canonicalId: string): Promise<LinkRow | null> {
    const raw = await this.sql.get<RawLink>('SELECT * FROM links WHERE system = ? AND entity = ? AND canonical_id = ?', [system, entity, canonicalId]);
    return raw ? toLink(raw) : null;
  }

  /** Held records waiting for any of these references. */
  async waitingOn(keys: readonly string[]): Promise<LinkRow[]> {
    if (keys.length === 0) return [];
    return (await this.sql.all<RawLink>(this.q.waitingOn, [JSON.stringify(keys)])).map(toLink);
  }

  /** Links in one state, oldest change first; `after` is the `updated_at|system|entity|externalId` of the last row seen (keyset paging). */
  async listByState(state: LinkRow['state'], limit: number, system?: string, after?: string): Promise<LinkRow[]> {
    const [at, sys, entity, ext] = after === undefined ? [] : after.split('|');
    const where = whereOf([
      ['state = ?', state], ['system = ?', system],
      ['(updated_at, system, entity, external_id) > (?, ?, ?, ?)', at],
    ]);
    const params = at === undefined ? where.params : [...where.params, sys ?? '', entity ?? '', ext ?? ''];
    const rows = await this.sql.all<RawLink>(`SELECT * FROM links ${where.sql} ORDER BY updated_at, system, entity, external_id LIMIT ?`, [...params, limit]);
    return rows.map(toLink);
  }

  /** Forgets the last-seen hash, so the next identical delivery is evaluated again (after a fix). */
  async forgetHashes(keys: ReadonlyArray<{ system: string; entity: EntityName; externalId: string }>): Promise<number> {
    this.sql.assertInTransaction('forget hashes');
    let n = 0;
    for (const k of keys) {
      n += (await this.sql.run('UPDATE links SET source_hash = NULL WHERE system = ? AND entity = ? AND external_id = ?', [k.system, k.entity, k.externalId])).changes;
    }
    return n;
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ state: string; n: number }>('SELECT state, count(*) AS n FROM links GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async upsertMany(rows: readonly LinkRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.sql.assertInTransaction('link upsert');
    // Batches bounded so one statement's JSON stays small; the order within a batch is the caller's.
    for (let i = 0; i < rows.length; i += 1_000) {
      const batch = rows.slice(i, i + 1_000).map((r) => [
        r.system, r.entity, r.externalId, r.canonicalId, r.state, toJson(r.base), r.sourceHash, r.sourceModifiedAt,
        r.pending, r.waitingOn, r.reason, toJson(r.meta), r.tombstonedAt, r.seenRunId, r.createdAt, r.updatedAt,
      ]);
      await this.sql.run(this.q.upsert, [JSON.stringify(batch)]);
    }
  }

  async setTombstone(system: string, entity: EntityName, externalIds: readonly string[], at: string | null, now: string): Promise<number> {
    if (externalIds.length === 0) return 0;
    this.sql.assertInTransaction('tombstone');
    return (await this.sql.run(this.q.tombstone, [at, now, system, entity, JSON.stringify(externalIds)])).changes;
  }

  async count(system?: string, entity?: EntityName): Promise<number> {
    if (system === undefined) return (await this.sql.value<number>('SELECT count(*) FROM links')) ?? 0;
    if (entity === undefined) return (await this.sql.value<number>('SELECT count(*) FROM links WHERE system = ?', [system])) ?? 0;
    return (await this.sql.value<number>('SELECT count(*) FROM links WHERE system = ? AND entity = ?', [system, entity])) ?? 0;
  }
}
