import type { EntityName } from '../../../model/index.ts';
import type { Store } from '../../../store/index.ts';

/** The most recently updated linked record of `system` and `entity`: the live example a mapping preview maps both ways. */
export async function newestLinked(store: Store, system: string, entity: EntityName): Promise<{ canonicalId: string; externalId: string } | undefined> {
  return store.query.get<{ canonicalId: string; externalId: string }>(`SELECT canonical_id AS "canonicalId", external_id AS "externalId" FROM links
    WHERE system = ? AND entity = ? AND state = 'linked' ORDER BY updated_at DESC, external_id DESC LIMIT 1`, [system, entity]);
}
