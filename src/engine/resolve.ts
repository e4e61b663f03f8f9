import { ENTITIES, type EntityName } from '../model/index.ts';
import { refKey, type FieldMap, type Repos } from '../store/index.ts';
import { isRef, type IncomingRecord, type IncomingValue } from './types.ts';

export type Resolution =
  | { kind: 'resolved'; values: FieldMap }
  | { kind: 'held'; waitingOn: string; reason: string }
  | { kind: 'invalid'; reason: string };

/**
 * Resolves every reference in a batch with one lookup per (system, entity) and one existence check
 * per entity for plain canonical ids. A reference nobody knows yet holds its record.
 */
export async function resolveReferences(
  tx: Repos,
  entity: EntityName,
  records: readonly IncomingRecord[],
): Promise<Resolution[]> {
  const refFields = ENTITIES[entity].refs;
  const wanted = new Map<string, { system: string; entity: EntityName; ids: Set<string> }>();
  const canonicalWanted = new Map<EntityName, Set<string>>();
  for (const record of records) {
    for (const [field, target] of Object.entries(refFields)) {
      const value = record.values[field];
      if (isRef(value)) {
        const key = `${value.ref.system}|${target}`;
        const group = wanted.get(key) ?? { system: value.ref.system, entity: target, ids: new Set() };
        group.ids.add(value.ref.externalId);
        wanted.set(key, group);
      } else if (typeof value === 'string') {
        const set = canonicalWanted.get(target) ?? new Set<string>();
        set.add(value);
        canonicalWanted.set(target, set);
      }
    }
  }
  const found = new Map<string, string>();
  for (const group of wanted.values()) {
    const ids = await tx.links.resolve(group.system, group.entity, [...group.ids]);
    for (const [externalId, canonicalId] of ids) found.set(refKey(group.system, group.entity, externalId), canonicalId);
  }
  const existing = new Map<EntityName, Set<string>>();
  for (const [target, ids] of canonicalWanted) existing.set(target, await tx.canonical.exists(target, [...ids]));

  return records.map((record) => {
    const values: FieldMap = {};
    for (const field in record.values) {
      const value = record.values[field] as IncomingValue;
      const target = refFields[field];
      if (target === undefined || value === null) {
        if (isRef(value)) return { kind: 'invalid', reason: `${field} is not a reference field of ${entity}` };
        values[field] = value;
        continue;
      }
      if (isRef(value)) {
        const key = refKey(value.ref.system, target, value.ref.externalId);
        const canonicalId = found.get(key);
        if (canonicalId === undefined) {
          return {
            kind: 'held',
            waitingOn: key,
            reason: `${field} refers to ${target} ${value.ref.externalId} in ${value.ref.system}, not known yet`,
          };
        }
        values[field] = canonicalId;
      } else if (typeof value === 'string') {
        if (!existing.get(target)?.has(value)) {
          return { kind: 'invalid', reason: `${field} refers to ${target} ${value}, which does not exist` };
        }
        values[field] = value;
      } else {
        return { kind: 'invalid', reason: `${field} must be a reference to a ${target}` };
      }
    }
    return { kind: 'resolved', values };
  });
}

const NEW: Identity = Object.freeze({ kind: 'new' });

export type Identity =
  | { kind: 'match'; canonicalId: string; via: string }
  | { kind: 'new' }
  | { kind: 'park'; reason: string };

/**
 * Finds the canonical record for first-seen external records by the rule their mapping declares:
 * our id carried by the record, another system's id, then a normalised email matching exactly one
 * record. Never a fuzzy guess.
 */
export async function matchIdentities(
  tx: Repos,
  system: string,
  entity: EntityName,
  records: readonly IncomingRecord[],
  byEmail: boolean,
): Promise<Identity[]> {
  // The common case (a source with no identity hints): nothing to look up.
  if (!records.some((r) => r.match !== undefined)) return records.map(() => NEW);
  const viaCanonical = new Set<string>();
  const viaLinks = new Map<string, Set<string>>();
  const emails = new Set<string>();
  for (const r of records) {
    if (r.match?.canonicalId) viaCanonical.add(r.match.canonicalId);
    for (const l of r.match?.links ?? []) {
      const set = viaLinks.get(l.system) ?? new Set<string>();
      set.add(l.externalId);
      viaLinks.set(l.system, set);
    }
    if (byEmail && r.match?.email) emails.add(r.match.email.trim().toLowerCase());
  }
  const canonicalExists = await tx.canonical.exists(entity, [...viaCanonical]);
  const linkMatches = new Map<string, string>();
  for (const [otherSystem, ids] of viaLinks) {
    const links = await tx.links.getMany(otherSystem, entity, [...ids]);
    for (const link of links.values()) {
      // A link whose own newer record is held still names its canonical record: not matching it here
      // would create a duplicate.
      if (link.canonicalId) linkMatches.set(`${otherSystem}|${link.externalId}`, link.canonicalId);
    }
  }
  const emailField = ENTITIES[entity].emailField;
  const emailMatches = emailField && emails.size > 0 ? await tx.canonical.idsByEmail(entity, emailField, [...emails]) : new Map<string, string[]>();

  const candidates: Identity[] = records.map((r) => {
    if (r.match?.canonicalId && canonicalExists.has(r.match.canonicalId)) {
      return { kind: 'match', canonicalId: r.match.canonicalId, via: 'canonical id' };
    }
    for (const l of r.match?.links ?? []) {
      const id = linkMatches.get(`${l.system}|${l.externalId}`);
      if (id) return { kind: 'match', canonicalId: id, via: `${l.system} id ${l.externalId}` };
    }
    if (byEmail && r.match?.email) {
      const ids = emailMatches.get(r.match.email.trim().toLowerCase()) ?? [];
      if (ids.length === 1 && ids[0] !== undefined) return { kind: 'match', canonicalId: ids[0], via: 'email' };
      if (ids.length > 1) return { kind: 'park', reason: `email ${r.match.email} matches ${ids.length} ${entity} records` };
    }
    return { kind: 'new' };
  });

  // A canonical record has at most one link per system: a second external record claiming it is
  // parked for ops rather than silently merged.
  const claimed = candidates.flatMap((c) => (c.kind === 'match' ? [c.canonicalId] : []));
  if (claimed.length === 0) return candidates;
  const taken = new Map<string, string>();
  for (const link of await tx.links.byCanonical(entity, claimed)) {
    if (link.system === system && link.canonicalId) taken.set(link.canonicalId, link.externalId);
  }
  return candidates.map((c, i) => {
    if (c.kind !== 'match') return c;
    const other = taken.get(c.canonicalId);
    if (other !== undefined && other !== records[i]?.externalId) {
      return { kind: 'park', reason: `matched ${entity} ${c.canonicalId} by ${c.via}, but it is already linked to ${system} ${other}` };
    }
    taken.set(c.canonicalId, records[i]?.externalId ?? '');
    return c;
  });
}
