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
  await tx.events.append({
    type, entity: 'time_entry', canonicalId: entry.id, clientId: route.clientId, worksiteId: route.worksiteId, actor: e.actor,
    recipients: [...new Set(e.recipients)],
    data: {
      workDate: typeof f['workDate'] === 'string' ? f['workDate'] : null,
      hours: Number(f['regularHours']) + Number(f['overtimeHours']) + Number(f['doubleTimeHours']),
      adjustsEntryId: typeof f['adjustsEntryId'] === 'string' ? f['adjustsEntryId'] : null,
      ...e.data,
    },
    at: e.at,
  });
}
