import type { EntityName } from '../model/index.ts';
import type { FieldMap, Repos } from '../store/index.ts';

/** Time entry moves someone may need to hear of (other moves have their own producers). */
const TIME_EVENTS = { submitted: 'time.submitted', approved: 'time.approved', rejected: 'time.rejected' } as const;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Appends the portal event a local change makes (a time entry submitted, approved or rejected; a
 * requisition created), in the unit of work of the change. Template facts only: dates, hours,
 * titles, the reviewer's comment — never rates or internal notes.
 */
export async function appendLocalChangeEvent(
  tx: Repos,
  entity: EntityName,
  id: string,
  current: Readonly<FieldMap> | null,
  next: Readonly<FieldMap>,
  actor: string,
  comment: string | null,
  at: string,
): Promise<void> {
  if (entity === 'time_entry') {
    const to = next['status'];
    if (to === (current?.['status'] ?? null) || typeof to !== 'string' || !(to in TIME_EVENTS)) return;
    const assignment = await tx.canonical.get('assignment', String(next['assignmentId']));
    const worksiteId = strOrNull(assignment?.fields['worksiteId']);
    const worksite = worksiteId === null ? null : await tx.canonical.get('worksite', worksiteId);
    const approver = strOrNull(assignment?.fields['approverContactId']);
    await tx.events.append({
      type: TIME_EVENTS[to as keyof typeof TIME_EVENTS],
      entity, canonicalId: id, clientId: strOrNull(worksite?.fields['clientId']), worksiteId, actor,
      recipients: to === 'submitted' && approver !== null ? [approver] : [],
      data: {
        workDate: strOrNull(next['workDate']),
        hours: num(next['regularHours']) + num(next['overtimeHours']) + num(next['doubleTimeHours']),
        assignmentTitle: strOrNull(assignment?.fields['title']),
        worksiteName: strOrNull(worksite?.fields['name']),
        ...(to === 'rejected' && comment !== null ? { comment } : {}),
      },
      at,
    });
    return;
  }
  if (entity === 'requisition' && current === null) {
    await tx.events.append({
      type: 'requisition.created', entity, canonicalId: id, clientId: strOrNull(next['clientId']), worksiteId: strOrNull(next['worksiteId']), actor,
      data: { title: strOrNull(next['title']), openings: num(next['openings']), startDate: strOrNull(next['startDate']) },
      at,
    });
  }
}
