import { applyLocalChange, RefusedError, type SyncPolicy } from '../engine/index.ts';
import { newId } from '../lib/ids.ts';
import { refuseRequestMove, validateRequest, type FieldError, type RequestFields, type RequestStatus } from '../model/index.ts';
import type { Repos, RequisitionRequestRow } from '../store/index.ts';

/** A request that fails its template: every field error at once, for the form. */
export class RequestInvalidError extends Error {
  override readonly name = 'RequestInvalidError';
  constructor(readonly errors: readonly FieldError[]) {
    super(`the request is incomplete: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
}

export interface NewRequest {
  readonly clientId: string;
  readonly worksiteId: string;
  readonly requestedById: string;
  readonly fields: RequestFields;
  readonly actor: string;
  readonly now: string;
}

/** Drafts a request: its history starts, and `requisition.created` is appended. */
export async function createRequest(tx: Repos, req: NewRequest): Promise<RequisitionRequestRow> {
  const id = newId();
  await tx.requisitionRequests.insert({ id, clientId: req.clientId, worksiteId: req.worksiteId, requestedById: req.requestedById, status: 'draft', fields: req.fields, createdAt: req.now });
  await tx.requisitionRequests.appendEvent(id, { at: req.now, actor: req.actor, fromStatus: null, toStatus: 'draft', comment: null });
  await tx.events.append({
    type: 'requisition.created', entity: 'requisition_request', canonicalId: id, clientId: req.clientId, worksiteId: req.worksiteId, actor: req.actor,
    data: { title: req.fields.title ?? null, status: 'draft' }, at: req.now,
  });
  const row = await tx.requisitionRequests.get(id);
  if (!row) throw new Error(`requisition request ${id} vanished inside its own unit of work`);
  return row;
}

export interface MoveRequest {
  readonly id: string;
  readonly to: RequestStatus;
  readonly actor: string;
  readonly now: string;
  readonly comment?: string;
}

/**
 * Moves a request, in the caller's unit of work. Submitting checks the client's template (every
 * field error at once) and, when the client does not require approval, approves it; approving opens
 * it: the canonical requisition is created through the engine, so the outbox pushes it to the ATS.
 * After opening, status moves are the requisition's too (pushed the same way). Illegal moves are
 * refused naming the state.
 */
export async function moveRequest(tx: Repos, policy: SyncPolicy, m: MoveRequest): Promise<RequisitionRequestRow> {
  let row = await tx.requisitionRequests.get(m.id);
  if (!row) throw new RefusedError(`requisition request ${m.id} not found`, 'not_found');
  const template = await tx.requisitionRequests.template(row.clientId);
  if (m.to === 'submitted') {
    const errors = validateRequest(row.fields, template?.required ?? []);
    if (errors.length > 0) throw new RequestInvalidError(errors);
  }
  row = await step(tx, policy, row, m.to, m);
  // The automatic moves: no approval needed → approved; approved → open.
  if (row.status === 'submitted' && template?.requiresApproval !== true) row = await step(tx, policy, row, 'approved', { ...m, actor: 'system:requisitions', comment: 'the client does not require approval' });
  if (row.status === 'approved') row = await step(tx, policy, row, 'open', { ...m, actor: 'system:requisitions', comment: 'opened and sent to the ATS' });
  return row;
}

async function step(tx: Repos, policy: SyncPolicy, row: RequisitionRequestRow, to: RequestStatus, m: Pick<MoveRequest, 'actor' | 'now' | 'comment'>): Promise<RequisitionRequestRow> {
  const refusal = refuseRequestMove(row.status, to);
  if (refusal) throw new RefusedError(refusal, 'refused');
  let requisitionId: string | undefined;
  if (to === 'open' && row.requisitionId === null) {
    const f = row.fields;
    const created = await applyLocalChange(
      tx,
      policy,
      {
        entity: 'requisition',
        changes: {
          clientId: row.clientId, worksiteId: row.worksiteId, requestedById: row.requestedById, title: f.title ?? null, status: 'open',
          employmentType: f.employmentType ?? 'contract', openings: f.openings ?? 1, startDate: f.startDate ?? null, endDate: f.endDate ?? null,
          payRateCents: null, billRateCents: f.billRateMaxCents ?? f.billRateMinCents ?? null,
        },
        actor: m.actor,
        comment: `opened from requisition request ${row.id}`,
      },
      m.now,
    );
    requisitionId = created.canonicalId;
  } else if (row.requisitionId !== null) {
    // Already in the ATS: the status change goes there too (the mapping lets the portal set it).
    await applyLocalChange(tx, policy, { entity: 'requisition', canonicalId: row.requisitionId, changes: { status: to }, actor: m.actor, ...(m.comment === undefined ? {} : { comment: m.comment }) }, m.now);
  }
  if (!(await tx.requisitionRequests.move(row.id, row.status, to, m.now, requisitionId))) {
    throw new RefusedError(`requisition request ${row.id} changed meanwhile; read it again`, 'refused');
  }
  await tx.requisitionRequests.appendEvent(row.id, { at: m.now, actor: m.actor, fromStatus: row.status, toStatus: to, comment: m.comment ?? null });
  await tx.events.append({
    type: 'requisition.changed', entity: 'requisition_request', canonicalId: row.id, clientId: row.clientId, worksiteId: row.worksiteId, actor: m.actor,
    data: { title: row.fields.title ?? null, from: row.status, to }, at: m.now,
  });
  const after = await tx.requisitionRequests.get(row.id);
  if (!after) throw new Error(`requisition request ${row.id} vanished inside its own unit of work`);
  return after;
}
