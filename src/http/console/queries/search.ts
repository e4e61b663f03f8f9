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
  find(store: Store, q: string, limit: number): Promise<SearchHit[]>;
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
export async function linkSystems(store: Store): Promise<string[]> {
  return store.query.column<string>(`WITH RECURSIVE s(x) AS (SELECT min(system) FROM links UNION ALL SELECT (SELECT min(system) FROM links WHERE system > x) FROM s WHERE x IS NOT NULL)
    SELECT x FROM s WHERE x IS NOT NULL`);
}

async function labelFor(store: Store, entity: EntityName, id: string): Promise<string> {
  const row = await store.query.get<Row>(`SELECT * FROM ${tableOf(entity)} WHERE id = ?`, [id]);
  if (!row) return `${entity} ${id}`;
  const fields: Record<string, string | number | null> = {};
  for (const [field, column] of TABLE_INFO[entity].columns) fields[field] = row[column] ?? null;
  return recordLabel(entity, fields) ?? `${entity} ${id}`;
}

const canonicalIds: SearchSource = {
  name: 'canonical id',
  async find(store, q) {
    const hits: SearchHit[] = [];
    for (const entity of ENTITY_NAMES) {
      const found = await store.query.value<string>(`SELECT id FROM ${tableOf(entity)} WHERE id = ?`, [q]);
      if (found !== undefined) hits.push({ kind: entity, label: await labelFor(store, entity, found), href: recordHref(entity, found), detail: `canonical id ${found}` });
    }
    return hits;
  },
};

/** A vendor's id: one primary-key probe per system and entity (a Bullhorn placement is an assignment link). */
const externalIds: SearchSource = {
  name: 'external id',
  async find(store, q) {
    const hits: SearchHit[] = [];
    for (const system of await linkSystems(store)) {
      for (const entity of ENTITY_NAMES) {
        const link = await store.query.get<Row>('SELECT * FROM links WHERE system = ? AND entity = ? AND external_id = ?', [system, entity, q]);
        if (!link) continue;
        const canonicalId = link['canonical_id'];
        hits.push(typeof canonicalId === 'string'
          ? { kind: entity, label: await labelFor(store, entity, canonicalId), href: recordHref(entity, canonicalId), detail: `${system} ${entity} ${q} (${str(link['state'])})` }
          : { kind: `${entity} (${str(link['state'])})`, label: `${system} ${entity} ${q}`, href: `/console/exceptions?system=${encodeURIComponent(system)}`, detail: str(link['reason']) });
      }
    }
    return hits;
  },
};

const inboxEvents: SearchSource = {
  name: 'inbox event',
  async find(store, q) {
    const rows = await store.query.all<Row>('SELECT id, system, event_id, entity, external_id, status FROM inbox WHERE id = ?', [q]);
    for (const system of await linkSystems(store)) {
      rows.push(...await store.query.all<Row>('SELECT id, system, event_id, entity, external_id, status FROM inbox WHERE system = ? AND event_id = ?', [system, q]));
    }
    return rows.map((r) => ({
      kind: 'inbox delivery', label: `${str(r['system'])} event ${str(r['event_id'])}`,
      href: `/console/inbox?id=${encodeURIComponent(str(r['id']))}`, detail: `${str(r['entity'])} ${str(r['external_id'])} · ${str(r['status'])}`,
    }));
  },
};

const runs: SearchSource = {
  name: 'run id',
  async find(store, q) {
    const r = await store.query.get<Row>('SELECT id, kind, system, status FROM runs WHERE id = ?', [q]);
    return r ? [{ kind: 'run', label: `${str(r['kind'])} ${str(r['system'])}`, href: runHref(str(r['id'])), detail: str(r['status']) }] : [];
  },
};

/** E-mail addresses: contacts and candidates (indexed on lower(email)), and ops users. */
const emails: SearchSource = {
  name: 'e-mail',
  async find(store, q, limit) {
    if (!q.includes('@')) return [];
    const hits: SearchHit[] = [];
    for (const entity of ['contact', 'candidate'] as const) {
      const ids = await store.query.column<string>(`SELECT id FROM ${tableOf(entity)} WHERE lower(email) = lower(?) ORDER BY id LIMIT ?`, [q, limit]);
      for (const id of ids) hits.push({ kind: entity, label: await labelFor(store, entity, id), href: recordHref(entity, id), detail: q });
    }
    const users = await store.query.all<Row>('SELECT id, email, role FROM users WHERE email = lower(?) ORDER BY id', [q]);
    for (const u of users) hits.push({ kind: 'ops user', label: str(u['email']), href: `/console/access?user=${encodeURIComponent(str(u['id']))}`, detail: str(u['role']) });
    return hits;
  },
};

/** Names: a prefix of a client, worksite, contact or candidate name (a bounded scan of each table). */
const names: SearchSource = {
  name: 'name',
  async find(store, q, limit) {
    if (q.length < 2 || q.includes('@')) return [];
    const like = `${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    // A prefix match ignoring case in both dialects (SQLite's LIKE already ignores ASCII case).
    const matches = (expr: string) => `${expr} ${store.query.dialect.ilike} ? ESCAPE '\\'`;
    const hits: SearchHit[] = [];
    const byName: ReadonlyArray<readonly [EntityName, string, number]> = [
      ['client', matches('name'), 1],
      ['worksite', matches('name'), 1],
      ['contact', `(${matches("(first_name || ' ' || last_name)")} OR ${matches('last_name')})`, 2],
      ['candidate', `(${matches("(first_name || ' ' || last_name)")} OR ${matches('last_name')})`, 2],
    ];
    for (const [entity, where, likes] of byName) {
      if (hits.length >= limit) break;
      const ids = await store.query.column<string>(`SELECT id FROM ${tableOf(entity)} WHERE ${where} AND deleted_at IS NULL ORDER BY id LIMIT ?`, [...Array<string>(likes).fill(like), limit]);
      for (const id of ids) hits.push({ kind: entity, label: await labelFor(store, entity, id), href: recordHref(entity, id), detail: 'name' });
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
export async function findAnything(store: Store, query: string, limit = 50, sources: readonly SearchSource[] = searchSources): Promise<SearchHit[]> {
  const q = query.trim();
  if (q === '') return [];
  const seen = new Set<string>();
  const out: SearchHit[] = [];
  for (const source of sources) {
    for (const hit of await source.find(store, q, limit)) {
      if (seen.has(hit.href)) continue;
      seen.add(hit.href);
      out.push(hit);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

