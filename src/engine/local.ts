import { newId } from '../lib/ids.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import type { FieldMap, LedgerEntry, LinkRow, Repos, Scalar } from '../store/index.ts';
import { refuseChange, statusChange } from './entity-rules.ts';
import { crossClientRoles } from './role-rules.ts';
import { RefusedError } from './errors.ts';
import { fanOut } from './fanout.ts';
import { appendLocalChangeEvent } from './portal-events.ts';
import { createRuleMatches, PORTAL, SHARED, type SyncPolicy } from './policy.ts';

export interface LocalChange {
  readonly entity: EntityName;
  /** The record to change; absent to create one. */
  readonly canonicalId?: string;
  readonly changes: Readonly<FieldMap>;
  /** Who: a portal user, an ops account, a token name. */
  readonly actor: string;
  readonly comment?: string;
  /** The system the change is made in the name of. @defaultValue 'portal' */
  readonly system?: string;
  /** Set when the caller has already checked ownership (a conflict resolution decides against the owner on purpose). */
  readonly overrideOwnership?: boolean;
  readonly action?: LedgerEntry['action'];
  readonly runId?: string;
  /** The caller decides who hears of the change (a conflict resolution tells only the losers). */
  readonly skipFanOut?: boolean;
}

export interface LocalResult {
  readonly canonicalId: string;
  readonly changed: readonly string[];
  readonly next: FieldMap;
  readonly outboxIds: readonly string[];
}

/**
 * A change made in the hub itself (a portal action, an ops edit, a conflict resolution): checked
 * against field ownership and the entity's rules, written with its ledger row, and fanned out to
 * every system that carries the changed fields.
 */
export async function applyLocalChange(tx: Repos, policy: SyncPolicy, change: LocalChange, now: string): Promise<LocalResult> {
  const { entity } = change;
  const system = change.system ?? PORTAL;
  const def = ENTITIES[entity];
  for (const field of Object.keys(change.changes)) {
    if (!(field in def.schema.shape)) throw new RefusedError(`${entity} has no field ${field}`, 'invalid');
  }
  const current = change.canonicalId ? await tx.canonical.get(entity, change.canonicalId) : null;
  if (change.canonicalId && !current) throw new RefusedError(`${entity} ${change.canonicalId} not found`, 'not_found');

  const next: FieldMap = {};
  for (const field of Object.keys(def.schema.shape)) next[field] = change.changes[field] ?? current?.fields[field] ?? null;
  for (const [field, value] of Object.entries(change.changes)) next[field] = value;
  if (!change.overrideOwnership) {
    for (const field of Object.keys(change.changes)) {
      const owner = policy.ownerOf(entity, field);
      if (owner === undefined || owner === PORTAL || owner === SHARED || owner === system) continue;
      if (current === null && createdInOwner(policy, entity, owner, field, next)) continue;
      throw new RefusedError(`${entity}.${field} is owned by ${owner}; change it there`, 'refused');
    }
  }
  const parsed = def.schema.safeParse(next);
  if (!parsed.success) {
    throw new RefusedError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 'invalid');
  }
  for (const [field, target] of Object.entries(def.refs)) {
    const value = next[field];
    if (typeof value === 'string' && value !== current?.fields[field]) {
      const exists = await tx.canonical.exists(target, [value]);
      if (!exists.has(value)) throw new RefusedError(`${field} refers to ${target} ${value}, which does not exist`, 'invalid');
    }
  }
  const refusal = refuseChange(entity, current?.fields ?? null, next);
  if (refusal) throw new RefusedError(refusal, 'refused');
  // The same rule as for records from a source: a role never crosses clients, whoever sets it.
  if (entity === 'contact_worksite_role') {
    const [crossing] = await crossClientRoles(tx, [next]);
    if (crossing) throw new RefusedError(crossing, 'invalid');
  }

  const changed = Object.keys(def.schema.shape).filter((f) => (current?.fields[f] ?? null) !== next[f]);
  const id = current?.id ?? change.canonicalId ?? newId();
  if (changed.length === 0) return { canonicalId: id, changed, next, outboxIds: [] };

  if (current) await tx.canonical.updateMany(entity, [{ id, fields: next, changedAt: now }], now);
  else await tx.canonical.insertMany(entity, [{ id, fields: next, changedAt: now }], now);
  const move = statusChange(entity, current?.fields ?? null, next);
  if (move) {
    await tx.canonical.insertMany(
      'time_entry_event',
      [{ id: newId(), fields: { timeEntryId: id, at: now, actor: change.actor, fromStatus: move.from, toStatus: move.to, comment: change.comment ?? null }, changedAt: now }],
      now,
    );
  }
  await tx.ledger.appendMany([
    {
      at: now, direction: 'local', system, entity, canonicalId: id, externalId: null,
      action: change.action ?? (current ? (move ? 'transition' : 'update') : 'create'), outcome: 'applied',
      diff: changed.map((field) => ({ field, from: current?.fields[field] ?? null, to: next[field] ?? null, result: 'applied' as const })),
      reason: change.comment ?? null, sourceModifiedAt: null, actor: change.actor, runId: change.runId ?? null, jobId: null,
    },
  ]);
  await appendLocalChangeEvent(tx, entity, id, current?.fields ?? null, next, change.actor, change.comment ?? null, now);
  if (change.skipFanOut) return { canonicalId: id, changed, next, outboxIds: [] };
  const links = await tx.links.byCanonical(entity, [id]);
  const requests = fanOut(policy, entity, system, [{ canonicalId: id, changed, next }], new Map([[id, links]]));
  const outboxIds = await tx.outbox.enqueueMany(requests, now);
  return { canonicalId: id, changed, next, outboxIds };
}

/**
 * A new record may carry values for fields another system owns when that owner is told of it as a
 * create: its mapping carries the field out and its create rule takes this record (a requisition
 * opened in the portal becomes a Bullhorn JobOrder). The values are set once, by the creation the
 * owner accepts; every later change of the field goes through ownership as usual. Without such a
 * rule the owner would never hear of the value, so the field stays the owner's to set.
 */
function createdInOwner(policy: SyncPolicy, entity: EntityName, owner: string, field: string, next: Readonly<FieldMap>): boolean {
  return policy.outbound(entity).some((rule) => rule.system === owner && rule.fields.has(field) && createRuleMatches(rule.create, next));
}

/** Sets one field of a link's base: what the system is now known to hold. */
export function withBase(link: LinkRow, field: string, value: Scalar, now: string): LinkRow {
  return { ...link, base: { ...(link.base ?? {}), [field]: value }, updatedAt: now };
}
