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
