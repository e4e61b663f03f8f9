import type { RequestFields, RequestStatus, TemplateField } from '../../model/index.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson } from '../sqlite/statements.ts';

export interface RequisitionTemplateRow {
  readonly clientId: string;
  readonly required: TemplateField[];
  readonly requiresApproval: boolean;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface RequisitionRequestRow {
  readonly id: string;
  readonly clientId: string;
  readonly worksiteId: string;
  readonly requestedById: string;
  readonly status: RequestStatus;
  readonly fields: RequestFields;
  readonly requisitionId: string | null;
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RequestEventRow {
  readonly at: string;
  readonly actor: string;
  readonly fromStatus: RequestStatus | null;
  readonly toStatus: RequestStatus;
  readonly comment: string | null;
}

// Rows come back untyped from either runner; each shape is declared here and stated at the statement.
interface RawRequest {
  id: string; client_id: string; worksite_id: string; requested_by_id: string; status: RequestStatus; fields: string;
  requisition_id: string | null; revision: number; created_at: string; updated_at: string;
}

const toRequest = (r: RawRequest): RequisitionRequestRow => ({
  id: r.id, clientId: r.client_id, worksiteId: r.worksite_id, requestedById: r.requested_by_id, status: r.status,
  fields: parseJson<RequestFields>(r.fields) ?? {}, requisitionId: r.requisition_id, revision: r.revision, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** Request templates per client, requisition requests and their append-only status history. */
export class RequisitionRequestsRepo {
  constructor(private readonly sql: SqlRunner) {}

  async template(clientId: string): Promise<RequisitionTemplateRow | null> {
    const r = await this.sql.get<{ client_id: string; required: string; requires_approval: number; updated_at: string; updated_by: string }>(
      'SELECT * FROM requisition_templates WHERE client_id = ?',
      [clientId],
    );
    return r ? { clientId: r.client_id, required: parseJson<TemplateField[]>(r.required) ?? [], requiresApproval: Number(r.requires_approval) === 1, updatedAt: r.updated_at, updatedBy: r.updated_by } : null;
  }

  async putTemplate(t: RequisitionTemplateRow): Promise<void> {
    this.sql.assertInTransaction('requisition template');
    await this.sql.run(
      `INSERT INTO requisition_templates (client_id, required, requires_approval, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET required = excluded.required, requires_approval = excluded.requires_approval, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [t.clientId, JSON.stringify(t.required), t.requiresApproval ? 1 : 0, t.updatedAt, t.updatedBy],
    );
  }

  async get(id: string): Promise<RequisitionRequestRow | null> {
    const r = await this.sql.get<RawRequest>('SELECT * FROM requisition_requests WHERE id = ?', [id]);
    return r ? toRequest(r) : null;
  }

  async insert(r: Omit<RequisitionRequestRow, 'revision' | 'updatedAt' | 'requisitionId'>): Promise<void> {
    this.sql.assertInTransaction('requisition request');
    await this.sql.run(
      'INSERT INTO requisition_requests (id, client_id, worksite_id, requested_by_id, status, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [r.id, r.clientId, r.worksiteId, r.requestedById, r.status, JSON.stringify(r.fields), r.createdAt, r.createdAt],
    );
  }

  /** Moves a request from `from` (compare-and-set: a concurrent move makes this return false). */
  async move(id: string, from: RequestStatus, to: RequestStatus, at: string, requisitionId?: string): Promise<boolean> {
    this.sql.assertInTransaction('requisition request');
    const info = await this.sql.run(
      'UPDATE requisition_requests SET status = ?, requisition_id = coalesce(?, requisition_id), revision = revision + 1, updated_at = ? WHERE id = ? AND status = ?',
      [to, requisitionId ?? null, at, id, from],
    );
    return info.changes === 1;
  }

  /** Replaces a draft's fields (only while draft: returns false otherwise). */
  async updateDraft(id: string, fields: RequestFields, at: string): Promise<boolean> {
    this.sql.assertInTransaction('requisition request');
    const info = await this.sql.run("UPDATE requisition_requests SET fields = ?, revision = revision + 1, updated_at = ? WHERE id = ? AND status = 'draft'", [JSON.stringify(fields), at, id]);
    return info.changes === 1;
  }

  async appendEvent(requestId: string, e: RequestEventRow): Promise<void> {
    this.sql.assertInTransaction('requisition request history');
    await this.sql.run(
      'INSERT INTO requisition_request_events (request_id, at, actor, from_status, to_status, comment) VALUES (?, ?, ?, ?, ?, ?)',
      [requestId, e.at, e.actor, e.fromStatus, e.toStatus, e.comment],
    );
  }

  async history(requestId: string): Promise<RequestEventRow[]> {
    const rows = await this.sql.all<{ at: string; actor: string; from_status: RequestStatus | null; to_status: RequestStatus; comment: string | null }>(
      'SELECT at, actor, from_status, to_status, comment FROM requisition_request_events WHERE request_id = ? ORDER BY seq',
      [requestId],
    );
    return rows.map((r) => ({ at: r.at, actor: r.actor, fromStatus: r.from_status, toStatus: r.to_status, comment: r.comment }));
  }
}
