import type { CanonicalRow, Repos } from '../../store/index.ts';

/**
 * Who a submitted entry waits for (decision 0018): the assignment's approver when
 * that contact is active and holds the approver role at the worksite; else every approver of the
 * worksite; else the contacts with a delegate-approver grant there valid on `date`; else nobody,
 * and the entry belongs in the ops exception queue. Authority to approve stays the policy's (any
 * approver or valid delegate of the worksite); routing decides who is asked and reminded.
 */
export interface ApprovalRoute {
  readonly route: 'assignment' | 'worksite' | 'delegate' | 'none';
  readonly approvers: readonly string[];
  /** Delegates valid on the date (whatever the route): escalations go to them. */
  readonly delegates: readonly string[];
  readonly worksiteId: string | null;
  readonly clientId: string | null;
}

export async function routeApproval(tx: Repos, assignmentId: string, date: string): Promise<ApprovalRoute> {
  const assignment = await tx.canonical.get('assignment', assignmentId);
  const worksiteId = typeof assignment?.fields['worksiteId'] === 'string' ? assignment.fields['worksiteId'] : null;
  if (worksiteId === null) return { route: 'none', approvers: [], delegates: [], worksiteId: null, clientId: null };
  const worksite = await tx.canonical.get('worksite', worksiteId);
  const clientId = typeof worksite?.fields['clientId'] === 'string' ? worksite.fields['clientId'] : null;
  const approvers = await tx.time.approversAt(worksiteId);
  const delegates = (await tx.time.delegatesAt(worksiteId, date)).map((d) => d.contactId);
  const base = { worksiteId, clientId, delegates };
  const assigned = assignment?.fields['approverContactId'];
  if (typeof assigned === 'string' && approvers.includes(assigned)) return { ...base, route: 'assignment', approvers: [assigned] };
  if (approvers.length > 0) return { ...base, route: 'worksite', approvers };
  if (delegates.length > 0) return { ...base, route: 'delegate', approvers: delegates };
  return { ...base, route: 'none', approvers: [] };
}

/** The route of a time entry row (its assignment's). */
export async function routeOfEntry(tx: Repos, entry: CanonicalRow, date: string): Promise<ApprovalRoute> {
  const assignmentId = entry.fields['assignmentId'];
  if (typeof assignmentId !== 'string') return { route: 'none', approvers: [], delegates: [], worksiteId: null, clientId: null };
  return routeApproval(tx, assignmentId, date);
}
