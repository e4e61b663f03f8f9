import type { ConflictResolution, ConflictRow, LinkRow, OutboxRequest, Repos, Scalar, Store } from '../store/index.ts';
import { nowIso } from '../lib/time.ts';
import { RefusedError } from './errors.ts';
import { applyLocalChange, withBase } from './local.ts';
import type { SyncPolicy } from './policy.ts';

export interface ResolveRequest {
  readonly choice: ConflictResolution;
  /** Required when choice is `value`. */
  readonly value?: Scalar;
  readonly by: string;
  readonly reason?: string;
}

export interface ResolveOutcome {
  readonly conflictId: string;
  readonly ok: boolean;
  readonly value?: Scalar;
  readonly error?: string;
  readonly outboxIds?: readonly string[];
}

/**
 * Resolves conflicts: take the incoming value, keep the current one, or set a given value. The
 * resolution updates canonical data, is written to the ledger with who and why, and produces outbox
 * rows for every system left holding a different value (the side that lost).
 */
export class ConflictResolver {
  constructor(
    private readonly store: Store,
    private readonly policy: SyncPolicy,
    private readonly now: () => string = nowIso,
  ) {}

  async resolve(conflictId: string, request: ResolveRequest): Promise<ResolveOutcome> {
    try {
      return await this.store.unitOfWork((tx) => this.resolveIn(tx, conflictId, request));
    } catch (err) {
      if (err instanceof RefusedError) return { conflictId, ok: false, error: err.message };
      throw err;
    }
  }

  /** Resolves each conflict in its own unit of work, so one refusal does not undo the others. */
  async resolveMany(ids: readonly string[], request: ResolveRequest): Promise<ResolveOutcome[]> {
    const out: ResolveOutcome[] = [];
    for (const id of ids) out.push(await this.resolve(id, request));
    return out;
  }

  async resolveIn(tx: Repos, conflictId: string, request: ResolveRequest): Promise<ResolveOutcome> {
    const now = this.now();
    const conflict = await tx.conflicts.get(conflictId);
    if (!conflict) throw new RefusedError(`conflict ${conflictId} not found`, 'not_found');
    if (conflict.status !== 'open') {
      throw new RefusedError(`conflict ${conflictId} was already resolved by ${conflict.resolvedBy ?? 'someone'} at ${conflict.resolvedAt ?? '?'}`, 'refused');
    }
    if (request.choice === 'value' && request.value === undefined) throw new RefusedError('a value is required to resolve with a value', 'invalid');
    const row = await tx.canonical.get(conflict.entity, conflict.canonicalId);
    if (!row) throw new RefusedError(`${conflict.entity} ${conflict.canonicalId} no longer exists`, 'not_found');
    const currentNow = row.fields[conflict.field] ?? null;
    const value: Scalar =
      request.choice === 'incoming' ? conflict.incoming : request.choice === 'current' ? currentNow : (request.value ?? null);

    const reason = `resolved conflict ${conflict.id} (${request.choice})${request.reason ? `: ${request.reason}` : ''}`;
    // The decision is a person's: it may go against the field's owner on purpose, and the owner is
    // then told through the outbox like any other system holding a different value.
    const local = await applyLocalChange(
      tx,
      this.policy,
      {
        entity: conflict.entity, canonicalId: conflict.canonicalId, changes: { [conflict.field]: value }, actor: request.by,
        comment: reason, system: 'portal', overrideOwnership: true, action: 'resolve', skipFanOut: true,
      },
      now,
    );
    if (local.changed.length === 0) {
      await tx.ledger.appendMany([
        {
          at: now, direction: 'local', system: 'portal', entity: conflict.entity, canonicalId: conflict.canonicalId, externalId: null,
          action: 'resolve', outcome: 'applied', diff: [{ field: conflict.field, from: currentNow, to: value, result: 'applied' }],
          reason, sourceModifiedAt: null, actor: request.by, runId: null, jobId: null,
        },
      ]);
    }

    // The conflicting system now holds `incoming`; the resolution makes that its known base, so
    // the merge treats it as behind (and the outbox tells it) unless it got its way.
    const sourceLink = await tx.links.get(conflict.system, conflict.entity, conflict.externalId);
    const linksToUpdate: LinkRow[] = [];
    if (sourceLink) linksToUpdate.push(withBase(sourceLink, conflict.field, conflict.incoming, now));
    await tx.links.upsertMany(linksToUpdate);

    const extra = await this.tellLosers(tx, conflict, value, now);
    await tx.conflicts.markResolved(conflict.id, request.choice, value, request.by, request.reason ?? null, now);
    return { conflictId, ok: true, value, outboxIds: [...local.outboxIds, ...extra] };
  }

  /** Every linked system whose known value differs from the decision and that can be written to. */
  private async tellLosers(tx: Repos, conflict: ConflictRow, value: Scalar, now: string): Promise<string[]> {
    const links = await tx.links.byCanonical(conflict.entity, [conflict.canonicalId]);
    const requests: OutboxRequest[] = [];
    for (const rule of this.policy.outbound(conflict.entity)) {
      if (!rule.fields.has(conflict.field)) continue;
      // As in fan-out: a system that deleted the record is not sent it again.
      const link = links.find((l) => l.system === rule.system && l.state === 'linked' && l.tombstonedAt === null);
      if (!link) continue;
      const known = link.base?.[conflict.field];
      if (known === undefined || known !== value) {
        requests.push({
          system: rule.system, entity: conflict.entity, canonicalId: conflict.canonicalId, op: 'update', fields: [conflict.field],
          reason: `conflict ${conflict.id} resolved to a value ${rule.system} does not have`,
        });
      }
    }
    return tx.outbox.enqueueMany(requests, now);
  }
}
