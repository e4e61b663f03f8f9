import type { IdentityReviewRow, Repos } from '../store/index.ts';
import { nowIso } from '../lib/time.ts';
import type { Engine } from './apply.ts';
import { RefusedError } from './errors.ts';
import type { ApplySummary, IncomingRecord } from './types.ts';

export interface IdentityDecision {
  readonly review: IdentityReviewRow;
  /** The canonical record the external record is now linked to. */
  readonly canonicalId: string;
  /** The engine's summary for the record, applied again with ops' answer. */
  readonly summary: ApplySummary;
}

/**
 * Ops' answers to the identity review queue. `link` says which canonical record a parked record
 * is: it is applied again as matched to it, merging under field ownership. `split` keeps it apart
 * from the records it resembles: it becomes a canonical record of its own. Either way the answer,
 * who gave it and why, goes to the ledger, and the question is closed; an answer the engine
 * cannot carry out (the record is already linked to another record of the same system) is refused
 * and leaves the question open.
 */
export class IdentityReviews {
  constructor(
    private readonly engine: Engine,
    private readonly now: () => string = nowIso,
  ) {}

  async link(id: string, canonicalId: string, by: string, reason?: string): Promise<IdentityDecision> {
    return this.engine.store.unitOfWork(async (tx) => {
      const { review, record } = await this.openReview(tx, id);
      if (!(await tx.canonical.get(review.entity, canonicalId))) throw new RefusedError(`no ${review.entity} ${canonicalId}`, 'invalid');
      return this.decide(tx, review, { ...record, match: { canonicalId } }, 'linked', by, reason ?? `linked to ${review.entity} ${canonicalId}`);
    });
  }

  async split(id: string, by: string, reason?: string): Promise<IdentityDecision> {
    return this.engine.store.unitOfWork(async (tx) => {
      const { review, record } = await this.openReview(tx, id);
      return this.decide(tx, review, { ...record, match: { apart: true } }, 'split', by, reason ?? 'kept apart: a record of its own');
    });
  }

  private async openReview(tx: Repos, id: string): Promise<{ review: IdentityReviewRow; record: IncomingRecord }> {
    const review = await tx.identity.get(id);
    if (!review) throw new RefusedError(`identity review ${id} not found`, 'not_found');
    if (review.status !== 'open') {
      throw new RefusedError(`identity review ${id} was already answered (${review.status}) by ${review.decidedBy ?? 'someone'} at ${review.decidedAt ?? '?'}`, 'refused');
    }
    const link = await tx.links.get(review.system, review.entity, review.externalId);
    if (!link || link.state !== 'parked' || link.pending === null) {
      throw new RefusedError(`${review.system} ${review.entity} ${review.externalId} is no longer parked (${link?.state ?? 'unknown'})`, 'refused');
    }
    // `pending` is the mapped record the engine parked, written by the engine as JSON.
    return { review, record: JSON.parse(link.pending) as IncomingRecord };
  }

  private async decide(tx: Repos, review: IdentityReviewRow, record: IncomingRecord, status: 'linked' | 'split', by: string, reason: string): Promise<IdentityDecision> {
    // The parked record's hash would make the engine skip it as unchanged.
    await tx.links.forgetHashes([{ system: review.system, entity: review.entity, externalId: review.externalId }]);
    const summary = await this.engine.applyIn(tx, { system: review.system, entity: review.entity, records: [record] });
    const link = await tx.links.get(review.system, review.entity, review.externalId);
    if (!link || link.state !== 'linked' || link.canonicalId === null) {
      // Thrown inside the unit of work: nothing of this attempt is kept, the question stays open.
      throw new RefusedError(`${review.system} ${review.entity} ${review.externalId} could not be ${status}: ${link?.reason ?? link?.state ?? 'unknown'}`, 'refused');
    }
    const now = this.now();
    await tx.identity.record(review.id, status, link.canonicalId, by, now);
    await tx.ledger.appendMany([{
      at: now, direction: 'local', system: review.system, entity: review.entity, canonicalId: link.canonicalId, externalId: review.externalId,
      action: 'link', outcome: 'applied', diff: null, reason: `identity review ${review.id}: ${reason}`, sourceModifiedAt: null, actor: by, runId: null, jobId: null,
    }]);
    const after = (await tx.identity.get(review.id)) ?? review;
    return { review: after, canonicalId: link.canonicalId, summary };
  }
}
