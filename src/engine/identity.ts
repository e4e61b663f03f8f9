import { ENTITIES, keyValue, type EntityName, type MatchKey } from '../model/index.ts';
import type { CandidateEvidence, FieldMap, IdentityEvidence, KeyEvidence, Repos } from '../store/index.ts';
import type { IncomingRecord } from './types.ts';

export type Identity =
  | { kind: 'match'; canonicalId: string; via: string }
  /** `sameSource`: keys that matched only records this system already has under other ids. */
  | { kind: 'new'; evidence: IdentityEvidence; sameSource?: string }
  | { kind: 'park'; reason: string; evidence: IdentityEvidence };

export interface IdentityInput {
  readonly record: IncomingRecord;
  /** The record's values with references resolved to canonical ids (what natural keys compare). */
  readonly values: FieldMap;
}

const noEvidence = (): IdentityEvidence => ({ keys: [], candidates: [] });

/**
 * Fields that must agree before a natural-key match is taken as the same record
 * (docs/decisions/0020-differing-hours-on-a-matched-worker-day.md): the same worker-day from a
 * second source with other hours is a question for ops, not a silent "first source stands" —
 * one of the two is wrong and payroll pays the canonical hours.
 */
const MUST_AGREE_ON_KEY_MATCH: Partial<Record<EntityName, readonly string[]>> = {
  time_entry: ['regularHours', 'overtimeHours', 'doubleTimeHours'],
};

interface Hit {
  readonly key: MatchKey;
  readonly value: string;
  /** Canonical records sharing the key (deleted ones excluded). */
  readonly ids: string[];
}

/**
 * Finds the canonical record for first-seen external records, most certain first:
 * 1. ids the mapping carries: our canonical id, or another system's id for the same thing;
 * 2. the entity's natural keys (`ENTITIES[e].matchKeys`): exactly one record behind the strong
 *    keys, and no key pointing elsewhere, is that record;
 * 3. otherwise nothing: a new record, unless the evidence is mixed, which parks the record for a
 *    person with that evidence — two records behind a key, keys pointing at different records,
 *    or only a weak key (a phone).
 * Natural keys skip records this system already has under another id (the source says they are
 * different records); ids the record carries that name such a record park it.
 * Never a fuzzy guess that silently merges two people, never a silent duplicate.
 */
export async function matchIdentities(
  tx: Repos,
  system: string,
  entity: EntityName,
  items: readonly IdentityInput[],
  byEmail: boolean,
): Promise<Identity[]> {
  if (items.length === 0) return [];
  const keys = ENTITIES[entity].matchKeys ?? [];
  const emailField = ENTITIES[entity].emailField;

  // 1. Ids the records carry.
  const viaCanonical = new Set<string>();
  const viaLinks = new Map<string, Set<string>>();
  for (const { record: r } of items) {
    if (r.match?.canonicalId) viaCanonical.add(r.match.canonicalId);
    for (const l of r.match?.links ?? []) {
      const set = viaLinks.get(l.system) ?? new Set<string>();
      set.add(l.externalId);
      viaLinks.set(l.system, set);
    }
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

  // 2. Natural keys: each record's values, then one lookup per key for the whole batch.
  const keyValues: Array<Array<{ key: MatchKey; value: string }>> = items.map(({ record, values }) => {
    if (record.match?.apart) return [];
    // The mapping's email hint stands in for an email the record does not carry inward.
    const withHint = byEmail && emailField && record.match?.email && values[emailField] == null ? { ...values, [emailField]: record.match.email } : values;
    return keys.flatMap((key) => {
      const value = keyValue(key, withHint);
      return value === null ? [] : [{ key, value }];
    });
  });
  const found = new Map<MatchKey, Map<string, string[]>>();
  for (const key of keys) {
    const wanted = new Set<string>();
    for (const kv of keyValues) for (const { key: k, value } of kv) if (k === key) wanted.add(value);
    found.set(key, await tx.canonical.idsByKey(entity, key.parts, [...wanted]));
  }
  const hitsOf = (i: number): Hit[] =>
    (keyValues[i] ?? []).map(({ key, value }) => ({ key, value, ids: found.get(key)?.get(value) ?? [] }));

  // Which candidates this system already has under another id. The source is the authority on
  // its own records: two Bullhorn contacts sharing the front desk's phone, or even an email, are
  // two records to Bullhorn, so a key shared with a record it already has is no evidence. Natural
  // keys look for the same record arriving from a new source.
  const allIds = new Set<string>();
  items.forEach((_, i) => hitsOf(i).forEach((h) => h.ids.forEach((id) => allIds.add(id))));
  for (const id of linkMatches.values()) allIds.add(id);
  for (const id of canonicalExists) allIds.add(id);
  const ownedBy = await tx.links.externalIdsOf(system, entity, [...allIds]);

  const decided: Identity[] = items.map(({ record: r }, i) => {
    if (r.match?.apart) return { kind: 'new', evidence: noEvidence() };
    if (r.match?.canonicalId && canonicalExists.has(r.match.canonicalId)) {
      return { kind: 'match', canonicalId: r.match.canonicalId, via: 'canonical id' };
    }
    for (const l of r.match?.links ?? []) {
      const id = linkMatches.get(`${l.system}|${l.externalId}`);
      if (id) return { kind: 'match', canonicalId: id, via: `${l.system} id ${l.externalId}` };
    }
    const all = hitsOf(i);
    const hits = all.map((h) => ({ ...h, ids: h.ids.filter((id) => !ownedBy.has(id) || ownedBy.get(id) === r.externalId) }));
    const d = decide(entity, hits);
    // The evidence shows every record a key matched, the source's own ones too.
    const withAll = { ...d, evidence: evidenceOf(all) };
    const own = all.filter((h) => h.key.strength === 'strong').flatMap((h) => h.ids.filter((id) => ownedBy.has(id) && ownedBy.get(id) !== r.externalId).map((id) => `${h.key.name} matches ${id}, which ${system} has as ${ownedBy.get(id) ?? '?'}`));
    return withAll.kind === 'new' && own.length > 0 ? { ...withAll, sameSource: own.join('; ') } : withAll;
  });

  // 3. A canonical record has at most one link per system: a second external record claiming it is
  //    parked for ops rather than silently merged.
  const taken = new Map(ownedBy);
  const out = decided.map((c, i): Identity => {
    if (c.kind !== 'match') return c;
    const externalId = (items[i] as IdentityInput).record.externalId;
    const other = taken.get(c.canonicalId);
    if (other !== undefined && other !== externalId) {
      const evidence = evidenceOf(hitsOf(i));
      if (evidence.candidates.length === 0) evidence.candidates.push({ canonicalId: c.canonicalId, matched: [c.via], differs: [] });
      return { kind: 'park', reason: `matched ${entity} ${c.canonicalId} by ${c.via}, but it is already linked to ${system} ${other}`, evidence };
    }
    taken.set(c.canonicalId, externalId);
    return c;
  });
  await parkDisagreeing(tx, entity, items, decided, out);
  await describeCandidates(tx, entity, items, out);
  return out;
}

/**
 * A match made by natural keys alone whose record holds other values for a field that must agree
 * is parked with those fields as evidence (`differs`). Matches by ids stand: an id is not a guess.
 */
async function parkDisagreeing(tx: Repos, entity: EntityName, items: readonly IdentityInput[], decided: readonly Identity[], out: Identity[]): Promise<void> {
  const fields = MUST_AGREE_ON_KEY_MATCH[entity];
  if (fields === undefined) return;
  const byKey = out.flatMap((o, i) => (o.kind === 'match' && decided[i]?.kind === 'match' && isKeyMatch(entity, o.via) ? [{ i, id: o.canonicalId }] : []));
  if (byKey.length === 0) return;
  const rows = await tx.canonical.getMany(entity, byKey.map((m) => m.id));
  for (const { i, id } of byKey) {
    const current = rows.get(id)?.fields;
    const incoming = (items[i] as IdentityInput).values;
    if (current === undefined) continue;
    const differs = fields.filter((f) => incoming[f] !== undefined && incoming[f] !== null && incoming[f] !== current[f])
      .map((f) => ({ key: f, incoming: String(incoming[f]), current: current[f] === null || current[f] === undefined ? null : String(current[f]) }));
    if (differs.length === 0) continue;
    const via = (out[i] as { via: string }).via;
    out[i] = {
      kind: 'park',
      reason: `${via} matches ${entity} ${id}, but ${differs.map((d) => `${d.key} is ${d.incoming} here and ${d.current ?? 'empty'} there`).join(', ')}`,
      evidence: { keys: [], candidates: [{ canonicalId: id, matched: [via], differs }] },
    };
  }
}

function isKeyMatch(entity: EntityName, via: string): boolean {
  const names = (ENTITIES[entity].matchKeys ?? []).map((k) => k.name);
  return via.split(' and ').every((part) => names.includes(part));
}

/** The rule for natural keys, given what each key found. */
function decide(entity: EntityName, hits: readonly Hit[]): Identity {
  const evidence = evidenceOf(hits);
  const strong = hits.filter((h) => h.key.strength === 'strong' && h.ids.length > 0);
  const weak = hits.filter((h) => h.key.strength === 'weak' && h.ids.length > 0);
  const several = strong.find((h) => h.ids.length > 1);
  if (several) return { kind: 'park', reason: `${describeKey(several.key, several.value)} matches ${several.ids.length} ${entity} records`, evidence };
  const strongIds = [...new Set(strong.flatMap((h) => h.ids))];
  if (strongIds.length > 1) {
    return { kind: 'park', reason: `the keys disagree: ${strong.map((h) => `${h.key.name} matches ${h.ids.join(', ')}`).join('; ')}`, evidence };
  }
  const only = strongIds[0];
  if (only !== undefined) {
    const elsewhere = weak.filter((h) => !h.ids.includes(only));
    if (elsewhere.length > 0) {
      const by = strong.map((h) => h.key.name).join(' and ');
      return {
        kind: 'park',
        reason: `the keys disagree: ${by} matches ${only}; ${elsewhere.map((h) => `${h.key.name} matches ${h.ids.join(', ')}`).join('; ')}`,
        evidence,
      };
    }
    return { kind: 'match', canonicalId: only, via: strong.map((h) => h.key.name).join(' and ') };
  }
  if (weak.length > 0) {
    const ids = [...new Set(weak.flatMap((h) => h.ids))];
    return {
      kind: 'park',
      reason: `only a weak key matches: ${weak.map((h) => h.key.name).join(' and ')} (${ids.length} ${entity} record${ids.length === 1 ? '' : 's'})`,
      evidence,
    };
  }
  return { kind: 'new', evidence };
}

function evidenceOf(hits: readonly Hit[]): IdentityEvidence {
  const keys: KeyEvidence[] = hits.map((h) => ({ key: h.key.name, strength: h.key.strength, value: h.value, matches: [...h.ids] }));
  const byId = new Map<string, CandidateEvidence>();
  for (const h of hits) {
    for (const id of h.ids) {
      const c = byId.get(id) ?? { canonicalId: id, matched: [], differs: [] };
      c.matched.push(h.key.name);
      byId.set(id, c);
    }
  }
  return { keys, candidates: [...byId.values()] };
}

/** For parked records: per candidate, the keys the record carries that the candidate does not share. */
async function describeCandidates(tx: Repos, entity: EntityName, items: readonly IdentityInput[], out: Identity[]): Promise<void> {
  const ids = new Set<string>();
  for (const o of out) if (o.kind === 'park') for (const c of o.evidence.candidates) ids.add(c.canonicalId);
  if (ids.size === 0) return;
  const rows = await tx.canonical.getMany(entity, [...ids]);
  const keys = ENTITIES[entity].matchKeys ?? [];
  out.forEach((o, i) => {
    if (o.kind !== 'park') return;
    const values = (items[i] as IdentityInput).values;
    for (const c of o.evidence.candidates) {
      const row = rows.get(c.canonicalId);
      if (!row) continue;
      for (const key of keys) {
        const incoming = keyValue(key, values);
        if (incoming === null || c.matched.includes(key.name)) continue;
        const current = keyValue(key, row.fields);
        if (current !== incoming) c.differs.push({ key: key.name, incoming: readable(incoming), current: current === null ? null : readable(current) });
      }
    }
  });
}

/** A key value as people read it: its parts joined with ` + `. */
function readable(value: string): string {
  // keyValue writes a JSON array of strings.
  return (JSON.parse(value) as string[]).join(' + ');
}

function describeKey(key: MatchKey, value: string): string {
  return `${key.name} ${readable(value)}`;
}
