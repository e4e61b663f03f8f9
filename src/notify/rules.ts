import { PORTAL_EVENT_TYPES, type PortalEventType } from '../model/index.ts';
import type { RuleRow } from '../store/index.ts';

/**
 * Who hears which portal event. A role is resolved at the event's scope:
 * - `approver`, `requester`, `billing`, `hr`: contacts holding that role at the event's worksite;
 * - `client_admin`: contacts holding the client_admin grant of the event's client;
 * - `addressee`: the contacts the producer addressed (an assignment's approver, say);
 * - `ops`: internal ops users (ops_admin, coordinator).
 */
export const NOTIFY_ROLES = ['approver', 'requester', 'billing', 'hr', 'client_admin', 'addressee', 'ops'] as const;
export type NotifyRole = (typeof NOTIFY_ROLES)[number];

/** Roles a client admin may switch for its own client: never the internal `ops`. */
export const CLIENT_ROLES: ReadonlySet<NotifyRole> = new Set(['approver', 'requester', 'billing', 'hr', 'client_admin', 'addressee']);

/** The defaults in code: what a deployment does before anyone edits a rule. */
export const DEFAULT_RULES: Readonly<Record<PortalEventType, readonly NotifyRole[]>> = {
  'time.submitted': ['approver', 'addressee'],
  'time.approved': ['addressee'],
  'time.rejected': ['addressee'],
  'time.disputed': ['approver', 'addressee'],
  'time.corrected': ['approver', 'addressee'],
  'time.needs_approver': ['client_admin', 'ops', 'addressee'],
  'time.reminder': ['addressee'],
  'time.escalated': ['client_admin', 'addressee'],
  'requisition.created': ['client_admin', 'ops', 'addressee'],
  'requisition.changed': ['client_admin', 'addressee'],
  'document.added': ['addressee'],
  'comment.added': ['addressee'],
  'invoice.issued': ['client_admin', 'billing', 'addressee'],
  'sync.issue': ['ops'],
};

export const DEFAULT_SCOPE = '*';

/** The effective rule table for one client: its own rows over the edited defaults over the code. */
export class RuleTable {
  private readonly byKey = new Map<string, boolean>();

  constructor(rows: readonly RuleRow[], clientId: string | null) {
    for (const scope of [DEFAULT_SCOPE, clientId]) {
      if (scope === null) continue;
      for (const r of rows) if (r.scope === scope) this.byKey.set(`${r.eventType}\u0000${r.role}`, r.enabled);
    }
  }

  hears(role: NotifyRole, type: PortalEventType): boolean {
    return this.byKey.get(`${type}\u0000${role}`) ?? DEFAULT_RULES[type].includes(role);
  }

  /** Roles that hear `type`. */
  roles(type: PortalEventType): NotifyRole[] {
    return NOTIFY_ROLES.filter((r) => this.hears(r, type));
  }

  /** Every event type with the roles that hear it: what the rules API shows. */
  matrix(): Array<{ eventType: PortalEventType; roles: NotifyRole[] }> {
    return PORTAL_EVENT_TYPES.map((eventType) => ({ eventType, roles: this.roles(eventType) }));
  }
}
