import type { Store } from '../../../store/index.ts';

/** Ids of parked (failed) outbox rows of the optional system and entity, in id order, at most `cap`: what "replay all matching" touches. */
export async function parkedOutboxIds(store: Store, filter: { readonly system?: string | undefined; readonly entity?: string | undefined }, cap: number): Promise<string[]> {
  const where = ["status = 'failed'"];
  const params: Array<string | number> = [];
  if (filter.system !== undefined) { where.push('system = ?'); params.push(filter.system); }
  if (filter.entity !== undefined) { where.push('entity = ?'); params.push(filter.entity); }
  params.push(cap);
  return store.query.column<string>(`SELECT id FROM outbox WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, params);
}
