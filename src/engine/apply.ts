import type { z } from 'zod';
import { newId } from '../lib/ids.ts';
import { nowIso } from '../lib/time.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import {
  refKey,
  type CanonicalRow,
  type CanonicalWrite,
  type ConflictRow,
  type FieldMap,
  type IdentityEvidence,
  type LedgerEntry,
  type LinkRow,
  type Repos,
  type Store,
} from '../store/index.ts';
import { refuseChange, statusChange } from './entity-rules.ts';
import { crossClientRoles } from './role-rules.ts';
import { ConfigError } from './errors.ts';
import { fanOut, type ChangedRecord } from './fanout.ts';
import { hashIncoming } from './hash.ts';
import { mergeRecord } from './merge.ts';
import type { InboundRules, SyncPolicy } from './policy.ts';
import { matchIdentities, type Identity } from './identity.ts';
import { resolveReferences, type Resolution } from './resolve.ts';
import { emptySummary, type ApplyBatch, type ApplySummary, type IncomingRecord } from './types.ts';

/** How deep released held records may cascade inside one batch (a chain of late parents). */
const MAX_RELEASE_DEPTH = 8;

export interface EngineOptions {
  readonly policy: SyncPolicy;
  /** The clock, for tests. @defaultValue nowIso */
  readonly now?: () => string;
}

interface Work {
  record: IncomingRecord;
  hash: string;
  link: LinkRow | undefined;
}

/** Collects a batch's writes so each table is written once, in foreign-key order. */
class BatchWrites {
  readonly inserts: CanonicalWrite[] = [];
  readonly updates: CanonicalWrite[] = [];
  readonly links: LinkRow[] = [];
  readonly ledger: LedgerEntry[] = [];
  readonly conflicts: ConflictRow[] = [];
  readonly changed: ChangedRecord[] = [];
  readonly events: CanonicalWrite[] = [];
  readonly undelete: string[] = [];
  readonly newKeys: string[] = [];
  /** Records already linked that merged: their open conflicts from this system may be settled. */
  readonly merged: MergedRecord[] = [];
  /** Questions for the identity review queue: records parked with their evidence. */
  readonly reviews: Array<{ id: string; system: string; entity: EntityName; externalId: string; reason: string; evidence: IdentityEvidence }> = [];
  /** Parked records that are linked now: their review questions are closed. */
  readonly unparked: Array<{ system: string; entity: EntityName; externalId: string; canonicalId: string }> = [];
}

interface MergedRecord {
  readonly canonicalId: string;
  readonly externalId: string;
  /** The system's values in this batch, references resolved. */
  readonly incoming: FieldMap;
  /** The canonical row after this batch. */
  readonly final: FieldMap;
  /** Fields this batch opened or refreshed a conflict on. */
  readonly conflicted: ReadonlySet<string>;
}

/**
 * The one merge engine every inbound path goes through. `apply` takes a batch of mapped records
 * from one system for one entity and, in one unit of work, resolves references, merges field by
 * field, and writes canonical rows, link bases, ledger rows, conflicts and outbox rows.
 */
export class Engine {
  readonly policy: SyncPolicy;
  private readonly now: () => string;

  constructor(readonly store: Store, options: EngineOptions) {
    this.policy = options.policy;
    this.now = options.now ?? nowIso;
  }

  /** Applies a batch in its own unit of work. */
  async apply(batch: ApplyBatch): Promise<ApplySummary> {
    return this.store.unitOfWork((tx) => this.applyIn(tx, batch));
  }

  /** Applies a batch inside the caller's unit of work (with a cursor or an import row key, say). */
  async applyIn(tx: Repos, batch: ApplyBatch, depth = 0): Promise<ApplySummary> {
    const { system, entity } = batch;
    const rules = this.policy.inbound(system, entity);
    if (!rules) throw new ConfigError(`no inbound mapping for ${entity} from ${system}`);
    const def = ENTITIES[entity];
    if (def.appendOnly) throw new ConfigError(`${entity} is written by the hub only`);
    const now = this.now();
    const summary = emptySummary();
    const writes = new BatchWrites();
    const ledgerBase = { at: now, system, entity, runId: batch.runId ?? null, jobId: batch.jobId ?? null, actor: system };

    // 1. The last version of each external record wins; earlier copies in the batch count as unchanged.
    const latest = new Map<string, IncomingRecord>();
    for (const record of batch.records) {
      const prev = latest.get(record.externalId);
      if (prev) {
        summary.unchanged++;
        if (isOlder(record.sourceModifiedAt, prev.sourceModifiedAt)) continue;
      }
      latest.set(record.externalId, record);
    }

    // 2. The hash guard: an identical record, or one older than what was applied, costs nothing more
    //    (a narrow lookup first; whole links only for the records that go on).
    const guards = await tx.links.guards(system, entity, [...latest.keys()]);
    const passed: Array<{ record: IncomingRecord; hash: string }> = [];
    const known: string[] = [];
    for (const record of latest.values()) {
      const guard = guards.get(record.externalId);
      const hash = hashIncoming(record);
      // A held link keeps the newest record it has seen in `pending`: an older copy must not replace it,
      // but the same record again goes through to retry its references.
      const guarded = guard?.state === 'held' ? false : guard?.sourceHash === hash;
      if (guard && (guarded || isOlder(record.sourceModifiedAt, guard.sourceModifiedAt))) {
        summary.unchanged++;
        continue;
      }
      passed.push({ record, hash });
      if (guard) known.push(record.externalId);
    }
    if (passed.length === 0) return summary;
    const links = await tx.links.getMany(system, entity, known);
    const work: Work[] = passed.map(({ record, hash }) => ({ record, hash, link: links.get(record.externalId) }));

    const linkRow = (w: Work, patch: Partial<LinkRow>): LinkRow => ({
      system,
      entity,
      externalId: w.record.externalId,
      canonicalId: w.link?.canonicalId ?? null,
      state: w.link?.state === 'held' ? (w.link.canonicalId ? 'linked' : 'held') : (w.link?.state ?? 'linked'),
      base: w.link?.base ?? null,
      sourceHash: w.hash,
      sourceModifiedAt: latestTime(w.record.sourceModifiedAt, w.link?.sourceModifiedAt ?? null),
      pending: null,
      waitingOn: null,
      reason: null,
      meta: w.record.linkMeta === undefined ? (w.link?.meta ?? null) : { ...(w.link?.meta ?? {}), ...w.record.linkMeta },
      tombstonedAt: w.link?.tombstonedAt ?? null,
      seenRunId: w.link?.seenRunId ?? null,
      createdAt: w.link?.createdAt ?? now,
      updatedAt: now,
      ...patch,
    });
    const reject = (w: Work, reason: string, canonicalId: string | null) => {
      summary.rejected++;
      writes.links.push(linkRow(w, canonicalId ? { reason } : { state: 'rejected', reason }));
      writes.ledger.push({
        ...ledgerBase, direction: 'in', canonicalId, externalId: w.record.externalId, action: canonicalId ? 'update' : 'create',
        outcome: 'rejected', diff: null, reason, sourceModifiedAt: w.record.sourceModifiedAt,
      });
    };

    // 3. Deletes: tombstone the link; the canonical record is only deleted after a grace period.
    const live: Work[] = [];
    for (const w of work) {
      if (!w.record.deleted) {
        live.push(w);
        continue;
      }
      if (w.link?.canonicalId && w.link.tombstonedAt === null) {
        summary.tombstoned++;
        writes.links.push(linkRow(w, { tombstonedAt: now }));
        writes.ledger.push({
          ...ledgerBase, direction: 'in', canonicalId: w.link.canonicalId, externalId: w.record.externalId,
          action: 'tombstone', outcome: 'applied', diff: null, reason: `deleted in ${system}`, sourceModifiedAt: w.record.sourceModifiedAt,
        });
      } else {
        summary.unchanged++;
        // A record deleted while it was held waits for nothing any more: no longer held, so a repeat
        // of the delete is hash-guarded like any other record.
        const unheld = w.link?.state === 'held' ? { state: 'rejected' as const, reason: `deleted in ${system} before it could apply` } : {};
        if (w.link) writes.links.push(linkRow(w, unheld));
      }
    }

    // 4. Field names must be ones this system's mapping carries inward.
    const valid: Work[] = [];
    for (const w of live) {
      if (w.record.invalid !== undefined) {
        reject(w, w.record.invalid, w.link?.canonicalId ?? null);
        continue;
      }
      const unknown = Object.keys(w.record.values).filter((f) => !rules.fields.has(f));
      if (unknown.length > 0) reject(w, `${system} may not send ${entity} field(s) ${unknown.join(', ')}`, w.link?.canonicalId ?? null);
      else valid.push(w);
    }

    // 5. References, then identity for records seen for the first time.
    const resolutions = await resolveReferences(tx, entity, valid.map((w) => w.record));
    const resolved: Array<{ w: Work; values: FieldMap }> = [];
    valid.forEach((w, i) => {
      const r = resolutions[i] as Resolution;
      if (r.kind === 'resolved') resolved.push({ w, values: r.values });
      else if (r.kind === 'invalid') reject(w, r.reason, w.link?.canonicalId ?? null);
      else {
        summary.held++;
        const pending = JSON.stringify(w.record);
        // The same record still waiting for the same reference: nothing new to write.
        if (w.link?.state === 'held' && w.link.pending === pending && w.link.waitingOn === r.waitingOn) return;
        writes.links.push(linkRow(w, { state: 'held', pending, waitingOn: r.waitingOn, reason: r.reason }));
      }
    });
    // 5b. A contact's role at a worksite never crosses clients, whichever system sends it.
    if (entity === 'contact_worksite_role' && resolved.length > 0) {
      const crossing = await crossClientRoles(tx, resolved.map((x) => x.values));
      for (let i = resolved.length - 1; i >= 0; i--) {
        const reason = crossing[i];
        const x = resolved[i];
        if (reason !== null && reason !== undefined && x !== undefined) {
          reject(x.w, reason, x.w.link?.canonicalId ?? null);
          resolved.splice(i, 1);
        }
      }
    }
    const unlinked = resolved.filter((x) => !x.w.link?.canonicalId);
    const identities = await matchIdentities(tx, system, entity, unlinked.map((x) => ({ record: x.w.record, values: x.values })), rules.match.byEmail);
    const identityOf = new Map<Work, Identity>();
    unlinked.forEach((x, i) => identityOf.set(x.w, identities[i] as Identity));

    // 6. Current canonical rows for everything linked or matched.
    const targetIds = resolved.flatMap(({ w }) => {
      const id = w.link?.canonicalId ?? (identityOf.get(w)?.kind === 'match' ? (identityOf.get(w) as { canonicalId: string }).canonicalId : null);
      return id ? [id] : [];
    });
    const currentRows = await tx.canonical.getMany(entity, targetIds);

    // 7. Merge each record.
    for (const { w, values } of resolved) {
      let canonicalId = w.link?.canonicalId ?? null;
      let firstContact = false;
      if (!canonicalId) {
        const identity: Identity = identityOf.get(w) ?? { kind: 'new', evidence: { keys: [], candidates: [] } };
        const park = identity.kind === 'park'
          ? identity
          // Ops keeping a record apart have answered the mapping's question already.
          : identity.kind === 'new' && rules.match.unmatched === 'review' && !w.record.match?.apart
            ? { reason: `${identity.sameSource ?? `no ${entity} matches`}; the mapping asks for review`, evidence: identity.evidence }
            : null;
        if (park) {
          summary.parked++;
          writes.links.push(linkRow(w, { state: 'parked', pending: JSON.stringify(w.record), reason: park.reason }));
          writes.reviews.push({ id: newId(), system, entity, externalId: w.record.externalId, reason: park.reason, evidence: park.evidence });
          continue;
        }
        if (identity.kind === 'match') {
          canonicalId = identity.canonicalId;
          firstContact = true;
        }
      }
      const current: CanonicalRow | undefined = canonicalId ? currentRows.get(canonicalId) : undefined;
      if (canonicalId && !current) {
        reject(w, `linked ${entity} ${canonicalId} no longer exists`, canonicalId);
        continue;
      }
      this.mergeOne(w, values, canonicalId, current ?? null, firstContact, rules, writes, summary, ledgerBase, linkRow, reject, now);
    }

    // 8. Write, in foreign-key order.
    await tx.canonical.insertMany(entity, writes.inserts, now);
    await tx.canonical.updateMany(entity, writes.updates, now);
    if (writes.undelete.length > 0) await tx.canonical.setDeleted(entity, writes.undelete, null, now);
    await tx.canonical.insertMany('time_entry_event', writes.events, now);
    await tx.links.upsertMany(writes.links);
    await tx.identity.openMany(writes.reviews, now);
    await tx.identity.closeMany(writes.unparked, `system:${system}`, now);
    await tx.ledger.appendMany(writes.ledger);
    await tx.conflicts.upsertOpen(writes.conflicts);
    if (writes.merged.length > 0) summary.settled += await settleConflicts(tx, system, entity, writes.merged, ledgerBase, now);
    if (writes.changed.length > 0 && this.policy.outbound(entity).length > 0) {
      // A record created by this batch has no other system's link yet: look up only the rest.
      const created = new Set(writes.inserts.map((w) => w.id));
      const known = writes.changed.filter((c) => !created.has(c.canonicalId)).map((c) => c.canonicalId);
      const otherLinks = await tx.links.byCanonical(entity, known);
      const byRecord = new Map<string, LinkRow[]>();
      for (const link of otherLinks) {
        if (!link.canonicalId) continue;
        const list = byRecord.get(link.canonicalId) ?? [];
        list.push(link);
        byRecord.set(link.canonicalId, list);
      }
      await tx.outbox.enqueueMany(fanOut(this.policy, entity, system, writes.changed, byRecord), now);
    }

    // 9. Records held for want of what this batch just linked can now apply.
    if (writes.newKeys.length > 0 && depth < MAX_RELEASE_DEPTH) {
      summary.released += await this.releaseHeld(tx, writes.newKeys, batch, depth);
    }
    return summary;
  }

  private mergeOne(
    w: Work,
    values: FieldMap,
    canonicalId: string | null,
    current: CanonicalRow | null,
    firstContact: boolean,
    rules: InboundRules,
    writes: BatchWrites,
    summary: ApplySummary,
    ledgerBase: Omit<LedgerEntry, 'direction' | 'canonicalId' | 'externalId' | 'action' | 'outcome' | 'diff' | 'reason' | 'sourceModifiedAt'>,
    linkRow: (w: Work, patch: Partial<LinkRow>) => LinkRow,
    reject: (w: Work, reason: string, canonicalId: string | null) => void,
    now: string,
  ): void {
    const { entity, system } = ledgerBase;
    const def = ENTITIES[entity];
    const base = firstContact ? null : (w.link?.base ?? null);
    const result = mergeRecord({
      system,
      rules: rules.fields,
      incoming: values,
      current: current?.fields ?? null,
      base,
      incomingTime: w.record.sourceModifiedAt,
      currentTime: current?.changedAt ?? null,
    });
    const creating = current === null;
    const id = canonicalId ?? newId();
    let final = current?.fields ?? null;

    if (creating || result.changed.length > 0) {
      const full = creating ? withNulls(entity, result.next) : result.next;
      final = full;
      const parsed = def.schema.safeParse(full);
      if (!parsed.success) {
        reject(w, describeIssues(parsed.error), canonicalId);
        return;
      }
      const refusal = refuseChange(entity, current?.fields ?? null, full);
      if (refusal) {
        reject(w, refusal, canonicalId);
        return;
      }
      const write = { id, fields: full, changedAt: w.record.sourceModifiedAt ?? now };
      if (creating) writes.inserts.push(write);
      else writes.updates.push(write);
      const move = statusChange(entity, current?.fields ?? null, full);
      if (move) {
        writes.events.push({
          id: newId(),
          fields: { timeEntryId: id, at: now, actor: system, fromStatus: move.from, toStatus: move.to, comment: null },
          changedAt: now,
        });
      }
      writes.changed.push({ canonicalId: id, changed: result.changed, next: full, staleAtSource: result.stale });
    } else if (result.stale.length > 0 && canonicalId) {
      writes.changed.push({ canonicalId, changed: [], next: result.next, staleAtSource: result.stale });
    }
    if (current?.deletedAt && !w.record.deleted) writes.undelete.push(id);

    if (!creating && final) {
      writes.merged.push({ canonicalId: id, externalId: w.record.externalId, incoming: values, final, conflicted: new Set(result.conflicts.map((c) => c.field)) });
    }
    const wasLinked = Boolean(w.link?.canonicalId);
    if (w.link?.state === 'parked') writes.unparked.push({ system, entity, externalId: w.record.externalId, canonicalId: id });
    writes.links.push(linkRow(w, { canonicalId: id, state: 'linked', base: result.nextBase, tombstonedAt: null }));
    if (!wasLinked) writes.newKeys.push(refKey(system, entity, w.record.externalId));
    for (const c of result.conflicts) {
      writes.conflicts.push({
        id: newId(), entity, canonicalId: id, field: c.field, system, externalId: w.record.externalId, base: c.base,
        current: c.current, incoming: c.incoming, status: 'open', openedAt: now, sourceModifiedAt: w.record.sourceModifiedAt,
        runId: ledgerBase.runId, resolvedAt: null, resolvedBy: null, resolution: null, resolvedValue: null, resolutionReason: null,
      });
    }

    const refused = result.diffs.filter((d) => d.result === 'rejected');
    let outcome = classify(creating, result.conflicts.length, result.changed.length, refused.length);
    // A record back after a delete changes sync state (and undeletes canonical) even with equal values.
    const restored = outcome.ledger === null && (w.link?.tombstonedAt != null || current?.deletedAt != null);
    if (restored) outcome = { count: 'updated', ledger: 'applied' };
    // Linking an external record to an existing canonical one (by email, by another system's id) is
    // a decision about identity: it is audited even when no field changed.
    const linkedOnly = outcome.ledger === null && firstContact;
    if (linkedOnly) outcome = { count: 'linked', ledger: 'applied' };
    summary[outcome.count]++;
    if (outcome.ledger === null) return;
    const reasons: string[] = [];
    if (firstContact) reasons.push(`matched existing ${entity}`);
    if (refused.length > 0) {
      reasons.push(refused.map((d) => `${d.field} is owned by ${rules.fields.get(d.field)?.owner ?? 'another system'}`).join('; '));
    }
    if (result.conflicts.length > 0) reasons.push(`conflict on ${result.conflicts.map((c) => c.field).join(', ')}`);
    if (restored) reasons.push(`${entity} is back in ${system}`);
    writes.ledger.push({
      ...ledgerBase,
      direction: 'in',
      canonicalId: id,
      externalId: w.record.externalId,
      action: creating ? 'create' : restored ? 'restore' : linkedOnly ? 'link' : 'update',
      outcome: outcome.ledger,
      diff: result.diffs,
      reason: reasons.length > 0 ? reasons.join('; ') : null,
      sourceModifiedAt: w.record.sourceModifiedAt,
    });
  }

  private async releaseHeld(tx: Repos, keys: readonly string[], batch: ApplyBatch, depth: number): Promise<number> {
    const waiting = await tx.links.waitingOn(keys);
    const groups = new Map<string, { system: string; entity: EntityName; records: IncomingRecord[] }>();
    for (const link of waiting) {
      if (!link.pending) continue;
      const key = `${link.system}|${link.entity}`;
      const group = groups.get(key) ?? { system: link.system, entity: link.entity, records: [] };
      group.records.push(JSON.parse(link.pending) as IncomingRecord);
      groups.set(key, group);
    }
    let released = 0;
    for (const group of groups.values()) {
      const sub = await this.applyIn(
        tx,
        { system: group.system, entity: group.entity, records: group.records, ...optional('runId', batch.runId), ...optional('jobId', batch.jobId) },
        depth + 1,
      );
      released += group.records.length - sub.held;
    }
    return released;
  }
}

/**
 * A conflict stays open until someone decides it, unless the system that raised it settles it
 * itself: when its newest value for the field is the current canonical value (it took the other
 * side's value, or the owner came round to its value), there is nothing left to decide. The
 * conflict is closed as `current`, by `system:<id>`, with a ledger row saying why.
 */
async function settleConflicts(
  tx: Repos,
  system: string,
  entity: EntityName,
  merged: readonly MergedRecord[],
  ledgerBase: Omit<LedgerEntry, 'direction' | 'canonicalId' | 'externalId' | 'action' | 'outcome' | 'diff' | 'reason' | 'sourceModifiedAt'>,
  now: string,
): Promise<number> {
  const open = await tx.conflicts.openFrom(system, entity, merged.map((m) => m.canonicalId));
  if (open.length === 0) return 0;
  const entries: LedgerEntry[] = [];
  const byId = new Map(merged.map((m) => [m.canonicalId, m]));
  for (const c of open) {
    const m = byId.get(c.canonicalId);
    if (!m || m.conflicted.has(c.field) || !Object.hasOwn(m.incoming, c.field)) continue;
    const value = m.final[c.field] ?? null;
    if ((m.incoming[c.field] ?? null) !== value) continue;
    const reason = `conflict ${c.id} on ${c.field} settled: ${system} now holds the current value`;
    if (!(await tx.conflicts.markResolved(c.id, 'current', value, `system:${system}`, reason, now))) continue;
    entries.push({
      ...ledgerBase, direction: 'in', canonicalId: c.canonicalId, externalId: m.externalId, action: 'resolve', outcome: 'applied',
      diff: null, reason, sourceModifiedAt: null,
    });
  }
  await tx.ledger.appendMany(entries);
  return entries.length;
}

/** One record's summary bucket and ledger outcome; unchanged records get no ledger row. */
function classify(
  creating: boolean,
  conflicts: number,
  changed: number,
  refused: number,
): { count: keyof ApplySummary; ledger: LedgerEntry['outcome'] | null } {
  if (creating) return { count: 'created', ledger: 'applied' };
  if (conflicts > 0) return { count: 'conflicts', ledger: 'conflict' };
  if (changed > 0) return { count: 'updated', ledger: 'applied' };
  if (refused > 0) return { count: 'rejected', ledger: 'rejected' };
  return { count: 'unchanged', ledger: null };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function withNulls(entity: EntityName, fields: FieldMap): FieldMap {
  const full: FieldMap = {};
  for (const f of Object.keys(ENTITIES[entity].schema.shape)) full[f] = fields[f] ?? null;
  return full;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
}

function isOlder(a: string | null, b: string | null | undefined): boolean {
  return a !== null && b !== null && b !== undefined && Date.parse(a) < Date.parse(b);
}

function latestTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
