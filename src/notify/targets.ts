import type { PortalEventRow } from '../model/index.ts';
import type { PreferenceMode, Repos, SubscriptionRow } from '../store/index.ts';
import { RuleTable, type NotifyRole } from './rules.ts';

/** A person an event's e-mail goes to. */
export interface Recipient {
  readonly kind: 'contact' | 'user';
  readonly id: string;
  readonly email: string;
  /** Users have no preference: they hear immediately what their role hears. */
  readonly mode: PreferenceMode;
}

const WORKSITE_ROLES: ReadonlySet<NotifyRole> = new Set(['approver', 'requester', 'billing', 'hr']);
/** Internal users who hear the `ops` role's events. */
const OPS_USER_ROLES: ReadonlySet<string> = new Set(['ops_admin', 'coordinator']);

/**
 * Resolves who hears an event, through the repositories of the fan-out's unit of work. Lookups are
 * cached for one batch (rules per client, role holders per worksite, contacts, subscriptions).
 */
export class TargetResolver {
  private readonly tables = new Map<string, RuleTable>();
  private readonly holders = new Map<string, string[]>();
  private readonly contacts = new Map<string, { recipient: Recipient | null; clientId: unknown }>();
  private admins = new Map<string, string[]>();
  private opsUsers: Recipient[] | null = null;
  private subs: SubscriptionRow[] | null = null;

  constructor(
    private readonly tx: Repos,
    private readonly today: string,
  ) {}

  private async table(clientId: string | null): Promise<RuleTable> {
    const key = clientId ?? '';
    let t = this.tables.get(key);
    if (!t) {
      t = new RuleTable(await this.tx.notifications.rules(clientId === null ? ['*'] : ['*', clientId]), clientId);
      this.tables.set(key, t);
    }
    return t;
  }

  /** The contact as a recipient when active, with an address, of `clientId`; else null. */
  private async contact(id: string, clientId: string | null): Promise<Recipient | null> {
    let c = this.contacts.get(id);
    if (c === undefined) {
      const row = await this.tx.canonical.get('contact', id);
      const email = row?.fields['email'];
      const recipient: Recipient | null = row && row.deletedAt === null && row.fields['status'] === 'active' && typeof email === 'string' && email !== ''
        ? { kind: 'contact', id, email, mode: (await this.tx.notifications.preference(id)).mode }
        : null;
      c = { recipient, clientId: row?.fields['clientId'] };
      this.contacts.set(id, c);
    }
    // An event of one client never reaches another client's contact, whoever the producer named.
    return clientId !== null && c.clientId === clientId ? c.recipient : null;
  }

  private async worksiteHolders(worksiteId: string, role: NotifyRole): Promise<string[]> {
    const key = `${worksiteId}\u0000${role}`;
    let ids = this.holders.get(key);
    if (!ids) {
      ids = (await this.tx.canonical.list('contact_worksite_role', { where: { worksiteId, role }, limit: 10_000 }))
        .filter((r) => r.deletedAt === null)
        .map((r) => String(r.fields['contactId']));
      if (role === 'approver') {
        // Delegates valid today approve there too.
        for (const g of await this.tx.access.listGrants({ subjectKind: 'contact' })) {
          if (g.role === 'delegate_approver' && g.worksiteId === worksiteId && g.revokedAt === null && (g.validFrom ?? '') <= this.today && (g.validTo ?? '9999') >= this.today) ids.push(g.subjectId);
        }
      }
      this.holders.set(key, ids);
    }
    return ids;
  }

  private async clientAdmins(clientId: string): Promise<string[]> {
    let ids = this.admins.get(clientId);
    if (!ids) {
      ids = (await this.tx.access.listGrants({ subjectKind: 'contact', clientId }))
          .filter((g) => g.role === 'client_admin' && g.clientId === clientId && g.revokedAt === null && (g.validFrom ?? '') <= this.today && (g.validTo ?? '9999') >= this.today)
        .map((g) => g.subjectId);
      this.admins.set(clientId, ids);
    }
    return ids;
  }

  private async ops(): Promise<Recipient[]> {
    this.opsUsers ??= (await this.tx.access.listUsers())
      .filter((u) => OPS_USER_ROLES.has(u.role) && u.status === 'active')
      .map((u) => ({ kind: 'user' as const, id: u.id, email: u.email, mode: 'immediate' as const }));
    return this.opsUsers;
  }

  /** The people who hear the event, once each, with the role that made them hear it first. */
  async recipients(event: PortalEventRow): Promise<Recipient[]> {
    const table = await this.table(event.clientId);
    const out = new Map<string, Recipient>();
    const add = (r: Recipient | null) => {
      if (r !== null && !out.has(`${r.kind}:${r.id}`)) out.set(`${r.kind}:${r.id}`, r);
    };
    for (const role of table.roles(event.type)) {
      if (role === 'ops') for (const u of await this.ops()) add(u);
      else if (role === 'addressee') for (const id of event.recipients) add(await this.contact(id, event.clientId));
      else if (role === 'client_admin') {
        if (event.clientId !== null) for (const id of await this.clientAdmins(event.clientId)) add(await this.contact(id, event.clientId));
      } else if (WORKSITE_ROLES.has(role) && event.worksiteId !== null) {
        for (const id of await this.worksiteHolders(event.worksiteId, role)) add(await this.contact(id, event.clientId));
      }
    }
    return [...out.values()];
  }

  /** Active subscriptions that take the event: its type (or `*`) and, when scoped, its client. */
  async subscriptions(event: PortalEventRow): Promise<SubscriptionRow[]> {
    this.subs ??= await this.tx.notifications.subscriptions({ status: 'active' });
    return this.subs.filter((s) => (s.eventTypes.includes('*') || s.eventTypes.includes(event.type)) && (s.clientId === null || s.clientId === event.clientId));
  }
}
