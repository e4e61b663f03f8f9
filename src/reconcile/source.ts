import type { SyncPolicy } from '../engine/index.ts';
import { entityFields, type EntityName } from '../model/index.ts';

/**
 * Whether `system` is where records of `entity` come from: the system that owns the most of the
 * entity's fields by the mappings' declared owners (ties count for every system tied). Only the
 * source's delete may end in a canonical delete: a payroll system dropping an employee does not
 * delete the ATS candidate.
 */
export function isSourceOf(policy: SyncPolicy, system: string, entity: EntityName): boolean {
  const owned = new Map<string, number>();
  for (const field of entityFields(entity)) {
    const owner = policy.ownerOf(entity, field);
    if (owner !== undefined) owned.set(owner, (owned.get(owner) ?? 0) + 1);
  }
  const mine = owned.get(system) ?? 0;
  if (mine === 0) return false;
  for (const [owner, n] of owned) if (owner !== system && n > mine && owner !== 'shared' && owner !== 'portal') return false;
  return true;
}
