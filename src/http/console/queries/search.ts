import { legacySql } from './legacy-sql.ts';
import { ENTITY_NAMES, type EntityName } from '../../../model/index.ts';
import { TABLE_INFO, type Store } from '../../../store/index.ts';
import { recordHref, recordLabel, runHref } from '../format.ts';

/** One thing the find box found, with where it lands. */
export interface SearchHit {
  readonly kind: string;
  readonly label: string;
  readonly href: string;
  readonly detail: string;
}

/** A place the find box looks; `find` is cheap (index lookups, or a bounded scan). */
export interface SearchSource {
  readonly name: string;
  find(store: Store, q: string, limit: number): SearchHit[];
}

type Row = Record<string, string | number | null>;
const str = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

function tableOf(entity: EntityName): string {
  return TABLE_INFO[entity].name;
}

/**
 * The systems that hold links, read by skipping along the primary key's first column (one index
 * probe per system), so it costs nothing however many links there are.
 */
export function linkSystems(store: Store): string[] {
  return legacySql(store).get(`WITH RECURSIVE s(x) AS (SELECT min(system) FROM links UNION ALL SELECT (SELECT min(system) FROM links WHERE system > x) FROM s WHERE x IS NOT NULL)
    SELECT x FROM s WHERE x IS NOT NULL`).pluck().all() as string[];
}

function labelFor(store: Store, entity: EntityName, id: string): string {
  const row = legacySql(store).get(`SELECT * FROM ${tableOf(entity)} WHERE id = ?`).get(id) as Row | undefined;
  if (!row) return `${entity} ${id}`;
  const fields: Record<string, string | number | null> = {};
  for (const [field, column] of TABLE_INFO[entity].columns) fields[field] = row[column] ?? null;
  return recordLabel(entity, fields) ?? `${entity} ${id}`;
}

const canonicalIds: SearchSource = {
  name: 'canonical id',
  find(store, q) {
    const hits: SearchHit[] = [];
    for (const entity of ENTITY_NAMES) {
      const found = legacySql(store).get(`SELECT id FROM ${tableOf(entity)} WHERE id = ?`).pluck().get(q) as string | undefined;
      if (found !== undefined) hits.push({ kind: entity, label: labelFor(store, entity, found), href: recordHref(entity, found), detail: `canonical id ${found}` });
    }
    return hits;
  },
};

/** A vendor's id: one primary-key probe per system and entity (a Bullhorn placement is an assignment link). */
const externalIds: SearchSource = {
  name: 'external id',
  find(store, q) {
    const hits: SearchHit[] = [];
    const stmt = legacySql(store).get('SELECT * FROM links WHERE system = ? AND entity = ? AND external_id = ?');
    for (const system of linkSystems(store)) {
      for (const entity of ENTITY_NAMES) {
        const link = stmt.get(system, entity, q) as Row | undefined;
        if (!link) continue;
        const canonicalId = link['canonical_id'];
        hits.push(typeof canonicalId === 'string'
          ? { kind: entity, label: labelFor(store, entity, canonicalId), href: recordHref(entity, canonicalId), detail: `${system} ${entity} ${q} (${str(link['state'])})` }
          : { kind: `${entity} (${str(link['state'])})`, label: `${system} ${entity} ${q}`, href: `/console/exceptions?system=${encodeURIComponent(system)}`, detail: str(link['reason']) });
      }
    }
    return hits;
  },
};

const inboxEvents: SearchSource = {
  name: 'inbox event',
  find(store, q) {
    const rows = [
      ...(legacySql(store).get('SELECT id, system, event_id, entity, external_id, status FROM inbox WHERE id = ?').all(q) as Row[]),
      ...linkSystems(store).flatMap((system) => legacySql(store).get('SELECT id, system, event_id, entity, external_id, status FROM inbox WHERE system = ? AND event_id = ?').all(system, q) as Row[]),
    ];
    return rows.map((r) => ({
      kind: 'inbox delivery', label: `${str(r['system'])} event ${str(r['event_id'])}`,
      href: `/console/inbox?id=${encodeURIComponent(str(r['id']))}`, detail: `${str(r['entity'])} ${str(r['external_id'])} · ${str(r['status'])}`,
    }));
  },
};

const runs: SearchSource = {
  name: 'run id',
  find(store, q) {
    const r = legacySql(store).get('SELECT id, kind, system, status FROM runs WHERE id = ?').get(q) as Row | undefined;
    return r ? [{ kind: 'run', label: `${str(r['kind'])} ${str(r['system'])}`, href: runHref(str(r['id'])), detail: str(r['status']) }] : [];
  },
};

/** E-mail addresses: contacts and candidates (indexed on lower(email)), and ops users. */
const emails: SearchSource = {
  name: 'e-mail',
  find(store, q, limit) {
    if (!q.includes('@')) return [];
    const hits: SearchHit[] = [];
    for (const entity of ['contact', 'candidate'] as const) {
      const ids = legacySql(store).get(`SELECT id FROM ${tableOf(entity)} WHERE lower(email) = lower(?) LIMIT ?`).pluck().all(q, limit) as string[];
      for (const id of ids) hits.push({ kind: entity, label: labelFor(store, entity, id), href: recordHref(entity, id), detail: q });
    }
    const users = legacySql(store).get('SELECT id, email, role FROM users WHERE email = lower(?)').all(q) as Row[];
    for (const u of users) hits.push({ kind: 'ops user', label: str(u['email']), href: `/console/access?user=${encodeURIComponent(str(u['id']))}`, detail: str(u['role']) });
    return hits;
  },
};

/** Names: a prefix of a client, worksite, contact or candidate name (a bounded scan of each table). */
const names: SearchSource = {
  name: 'name',
  find(store, q, limit) {
    if (q.length < 2 || q.includes('@')) return [];
    const like = `${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const hits: SearchHit[] = [];
    const byName: ReadonlyArray<readonly [EntityName, string]> = [
      ['client', "name LIKE @like ESCAPE '\\'"],
      ['worksite', "name LIKE @like ESCAPE '\\'"],
      ['contact', "(first_name || ' ' || last_name LIKE @like ESCAPE '\\' OR last_name LIKE @like ESCAPE '\\')"],
      ['candidate', "(first_name || ' ' || last_name LIKE @like ESCAPE '\\' OR last_name LIKE @like ESCAPE '\\')"],
    ];
    for (const [entity, where] of byName) {
      if (hits.length >= limit) break;
      const ids = legacySql(store).get(`SELECT id FROM ${tableOf(entity)} WHERE ${where} AND deleted_at IS NULL LIMIT @limit`).pluck().all({ like, limit }) as string[];
      for (const id of ids) hits.push({ kind: entity, label: labelFor(store, entity, id), href: recordHref(entity, id), detail: 'name' });
    }
    return hits;
  },
};

/**
 * Where the find box looks, in order. Extension point: append a source (documents, comments,
 * disputes) and the box finds it; nothing else changes.
 */
export const searchSources: SearchSource[] = [canonicalIds, externalIds, inboxEvents, runs, emails, names];

/** Every hit of every source, deduplicated on where it lands, at most `limit`. */
export function findAnything(store: Store, query: string, limit = 50, sources: readonly SearchSource[] = searchSources): SearchHit[] {
  const q = query.trim();
  if (q === '') return [];
  const seen = new Set<string>();
  const out: SearchHit[] = [];
  for (const source of sources) {
    for (const hit of source.find(store, q, limit)) {
      if (seen.has(hit.href)) continue;
      seen.add(hit.href);
      out.push(hit);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

