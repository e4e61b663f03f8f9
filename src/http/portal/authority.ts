import type { z } from 'zod';
import type { ContactRole, EntityName } from '../../model/index.ts';
import type { CanonicalRow, Repos } from '../../store/index.ts';
import { ApiError, type ErrorCode } from '../errors.ts';

type Role = z.infer<typeof ContactRole>;

/**
 * Who may do what in the portal, decided on the worksite–contact pair (DESIGN: approval authority
 * lives there). Each check reads through the repositories of the caller's unit of work, so the
 * decision and the write it guards see the same data.
 */

/** A record that exists and is not soft-deleted, or null. */
export async function liveRecord(tx: Repos, entity: EntityName, id: string): Promise<CanonicalRow | null> {
  const row = await tx.canonical.get(entity, id);
  return row && row.deletedAt === null ? row : null;
}

export async function holdsRole(tx: Repos, contactId: string, worksiteId: string, role: Role): Promise<boolean> {
  const rows = await tx.canonical.list('contact_worksite_role', { where: { contactId, worksiteId, role }, limit: 1 });
  return rows.length > 0;
}

/**
 * Throws unless the contact exists, is active and holds `role` at the worksite. `code` is what a
 * failure is: `forbidden` when the contact is the one acting, `invalid` when the contact is the
 * value being set (an approver change).
 */
export async function requireRole(tx: Repos, contactId: string, worksiteId: string, role: Role, code: ErrorCode): Promise<CanonicalRow> {
  const contact = await liveRecord(tx, 'contact', contactId);
  if (!contact) throw new ApiError(code, `contact ${contactId} not found`);
  if (contact.fields['status'] !== 'active') throw new ApiError(code, `contact ${contactId} is ${String(contact.fields['status'])}`);
  if (!(await holdsRole(tx, contactId, worksiteId, role))) {
    throw new ApiError(code, `contact ${contactId} is not ${role === 'approver' ? 'an' : 'a'} ${role} at worksite ${worksiteId}`);
  }
  return contact;
}

/** The worksite whose approvers decide on a time entry: the one of its assignment. */
export async function worksiteOfTimeEntry(tx: Repos, entry: CanonicalRow): Promise<string> {
  const assignmentId = entry.fields['assignmentId'];
  const assignment = typeof assignmentId === 'string' ? await tx.canonical.get('assignment', assignmentId) : null;
  if (!assignment) throw new ApiError('refused', `time entry ${entry.id} has no assignment on record`);
  const worksiteId = assignment.fields['worksiteId'];
  if (typeof worksiteId !== 'string') {
    throw new ApiError('forbidden', `assignment ${assignment.id} has no worksite, so no contact can approve its time`);
  }
  return worksiteId;
}
