import type { PortalEventType } from '../../model/index.ts';
import type { CanonicalRow, Repos } from '../../store/index.ts';
import type { ApprovalRoute } from './routing.ts';

/**
 * Appends a time portal event in the caller's unit of work: the entry, its client and worksite
 * (from the route, never from a body), the contacts who should hear, and small facts for templates
 * (work date, hours; never notes or rates). Notifications turn these into mail; nothing here sends.
 */
export async function appendTimeEvent(
  tx: Repos,
  type: PortalEventType,
  entry: CanonicalRow,
  route: Pick<ApprovalRoute, 'worksiteId' | 'clientId'>,
  e: { actor: string | null; recipients: readonly string[]; at: string; data?: Record<string, string | number | boolean | null> },
): Promise<void> {
  const f = entry.fields;
  // Template facts: the assignment's title and the worksite's name read here, inside the unit of work.
  const assignment = typeof f['assignmentId'] === 'string' ? await tx.canonical.get('assignment', f['assignmentId']) : null;
  const worksite = route.worksiteId === null ? null : await tx.canonical.get('worksite', route.worksiteId);
  const textOf = (v: unknown) => (typeof v === 'string' ? v : null);
  await tx.events.append({
    type, entity: 'time_entry', canonicalId: entry.id, clientId: route.clientId, worksiteId: route.worksiteId, actor: e.actor,
    recipients: [...new Set(e.recipients)],
    data: {
      workDate: typeof f['workDate'] === 'string' ? f['workDate'] : null,
      hours: Number(f['regularHours']) + Number(f['overtimeHours']) + Number(f['doubleTimeHours']),
      adjustsEntryId: typeof f['adjustsEntryId'] === 'string' ? f['adjustsEntryId'] : null,
      assignmentTitle: textOf(assignment?.fields['title']),
      worksiteName: textOf(worksite?.fields['name']),
      ...e.data,
    },
    at: e.at,
  });
}
