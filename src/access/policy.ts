import { ENTITIES, type EntityName } from '../model/index.ts';
import { IDS, type Repos, type Scalar, type SqlScope, type UserRole } from '../store/index.ts';
import type { Principal } from './principal.ts';

/**
 * The one policy module: every read and every write of the portal API is decided here (decision
 * 0011 says why a small typed module and not CASL).
 *
 * Three questions, answered from the principal and the role data loaded once per request:
 * - may the caller use this function at all (`can`): a table of actions, deny by default;
 * - which rows may it see (`scopeOf`): a SQL filter per entity, applied in the query itself, the same
 *   filter the write routes read their target through, so a row outside it is a 404 like a missing one;
 * - which fields of a row may it see (`visibleFields`): pay rates, margins, internal notes never reach
 *   a contact; bill rates only reach `client_admin` and `billing` contacts.
 */

export type WorksiteRole = 'requester' | 'approver' | 'billing' | 'hr';
const ALL_WORKSITE_ROLES: readonly WorksiteRole[] = ['requester', 'approver', 'billing', 'hr'];

/** Everything the policy needs about the caller, loaded once per request by `loadAccess`. */
export interface Access {
  readonly principal: Principal;
  /** ISO date the dated grants (delegates) are checked against. */
  readonly today: string;
  /** Internal staff or a service: sees every field of what it may see. */
  readonly internal: boolean;
  /** The internal role (users and services). */
  readonly role: UserRole | null;
  /** Sees every row (ops_admin, viewer): no SQL scope at all. */
  readonly everything: boolean;
  /** Worksite id → the roles held there (a delegate's approval counts as `approver`). */
  readonly worksites: ReadonlyMap<string, ReadonlySet<WorksiteRole>>;
  /** Clients whose every worksite, contact and invoice the caller administers. */
  readonly adminClients: ReadonlySet<string>;
  /** Clients the caller may see at all (its own, for a contact with any role). */
  readonly clients: ReadonlySet<string>;
  /** Clients whose invoices and bill rates the caller may see. */
  readonly billingClients: ReadonlySet<string>;
  /** Worksites where the caller acts through a delegation, and for whom. */
  readonly delegations: ReadonlyMap<string, string | null>;
}

/** Internal roles that see every row; the others see the clients and worksites granted to them. */
const EVERYWHERE: ReadonlySet<UserRole> = new Set(['ops_admin', 'viewer']);

function isoDate(now: string): string {
  return now.slice(0, 10);
}

/**
 * Loads the caller's roles, through the repositories of the caller's unit of work when it writes, so
 * the decision and the write it guards read the same data.
 *
 * A contact's roles count only at worksites of its own client, whatever the data says: a role row
 * that crosses clients (put there before the check existed) grants nothing.
 */
export async function loadAccess(repos: Repos, principal: Principal, now: string): Promise<Access> {
  const today = isoDate(now);
  const worksites = new Map<string, Set<WorksiteRole>>();
  const adminClients = new Set<string>();
  const clients = new Set<string>();
  const billingClients = new Set<string>();
  const delegations = new Map<string, string | null>();
  const add = (worksiteId: string, roles: readonly WorksiteRole[]) => {
    const set = worksites.get(worksiteId) ?? new Set<WorksiteRole>();
    for (const r of roles) set.add(r);
    worksites.set(worksiteId, set);
  };
  const worksitesOfClient = async (clientId: string): Promise<string[]> =>
    (await repos.canonical.list('worksite', { where: { clientId }, limit: 100_000 })).map((w) => w.id);

  if (principal.kind === 'bootstrap') {
    return { principal, today, internal: true, role: null, everything: false, worksites, adminClients, clients, billingClients, delegations };
  }

  if (principal.kind === 'contact') {
    const own = principal.clientId;
    const clientOf = new Map<string, string>();
    for (const r of await repos.access.contactRoles(principal.id)) {
      if (r.clientId !== own) continue;
      add(r.worksiteId, [r.role as WorksiteRole]); // ContactRole values only (the model's enum)
      clientOf.set(r.worksiteId, own);
    }
    for (const g of await repos.access.activeGrants('contact', principal.id, today)) {
      if (g.role === 'client_admin' && g.clientId === own) {
        adminClients.add(own);
        for (const w of await worksitesOfClient(own)) {
          add(w, ALL_WORKSITE_ROLES);
          clientOf.set(w, own);
        }
      } else if (g.role === 'delegate_approver' && g.worksiteId !== null) {
        const w = await repos.canonical.get('worksite', g.worksiteId);
        if (w && w.deletedAt === null && w.fields['clientId'] === own) {
          add(w.id, ['approver']);
          clientOf.set(w.id, own);
          delegations.set(w.id, g.forContactId);
        }
      }
    }
    if (worksites.size > 0 || adminClients.size > 0) clients.add(own);
    narrowToKey(principal, worksites, adminClients, clients, clientOf);
    const billing = [...worksites.values()].some((roles) => roles.has('billing'));
    if (billing || adminClients.size > 0) billingClients.add(own);
    return { principal, today, internal: false, role: null, everything: false, worksites, adminClients, clients, billingClients, delegations };
  }

  const role = principal.role;
  const limits = principal.limits;
  const grantRows = principal.kind === 'user' && !EVERYWHERE.has(role) ? await repos.access.activeGrants('user', principal.id, today) : [];
  // A grant naming neither a client nor a worksite is a grant on every client (a billing team, say).
  const global = EVERYWHERE.has(role) || grantRows.some((g) => g.clientId === null && g.worksiteId === null);
  const everything = global && (limits === null || (limits.clientId === null && limits.worksiteId === null));
  if (!everything) {
    // Internal staff work where they are granted (or where their key is narrowed to).
    const granted: Array<{ clientId: string | null; worksiteId: string | null }> = global
      ? [{ clientId: limits?.clientId ?? null, worksiteId: limits?.worksiteId ?? null }]
      : grantRows.map((g) => ({ clientId: g.clientId, worksiteId: g.worksiteId }));
    const clientOf = new Map<string, string>();
    for (const g of granted) {
      if (g.worksiteId !== null) {
        const w = await repos.canonical.get('worksite', g.worksiteId);
        if (w && typeof w.fields['clientId'] === 'string') {
          add(w.id, ALL_WORKSITE_ROLES);
          clients.add(w.fields['clientId']);
          clientOf.set(w.id, w.fields['clientId']);
        }
      } else if (g.clientId !== null) {
        clients.add(g.clientId);
        adminClients.add(g.clientId);
        for (const w of await worksitesOfClient(g.clientId)) {
          add(w, ALL_WORKSITE_ROLES);
          clientOf.set(w, g.clientId);
        }
      }
    }
    narrowToKey(principal, worksites, adminClients, clients, clientOf);
    // Invoices belong to a whole client: staff granted a worksite of it do not see them.
    for (const c of adminClients) billingClients.add(c);
  }
  return { principal, today, internal: true, role, everything, worksites, adminClients, clients, billingClients, delegations };
}

/**
 * An API key narrowed to a client or a worksite sees only that part of what its owner may: the
 * worksites (and the clients administered, and the clients seen) outside it go.
 */
function narrowToKey(
  principal: Principal,
  worksites: Map<string, Set<WorksiteRole>>,
  adminClients: Set<string>,
  clients: Set<string>,
  clientOf: ReadonlyMap<string, string>,
): void {
  const limits = principal.limits;
  if (limits === null) return;
  const keep = (worksiteId: string) =>
    (limits.worksiteId === null || worksiteId === limits.worksiteId) && (limits.clientId === null || clientOf.get(worksiteId) === limits.clientId);
  for (const w of [...worksites.keys()]) if (!keep(w)) worksites.delete(w);
  // A key narrowed to one worksite administers no whole client.
  if (limits.worksiteId !== null) adminClients.clear();
  for (const c of [...adminClients]) if (limits.clientId !== null && c !== limits.clientId) adminClients.delete(c);
  const seen = new Set([...worksites.keys()].map((w) => clientOf.get(w)).filter((c): c is string => c !== undefined));
  for (const c of [...clients]) if (!seen.has(c) && !adminClients.has(c)) clients.delete(c);
}

// ---------------------------------------------------------------- functions (who may call what)

/**
 * Every action a route can be guarded by. Each names who may perform it; nothing else may.
 * `contact` actions are further narrowed by scope and by the role checks of the route itself.
 */
export const ACTIONS = {
  /** /health, /metrics, the OpenAPI document: no principal needed. */
  public: { anonymous: true, contact: true, roles: 'all' },
  /** `GET /api/v1/me`. */
  'me.read': { contact: true, roles: 'all', bootstrap: true },
  /** Canonical reads, scoped. */
  'records.read': { contact: true, roles: 'all' },
  /**
   * Sync internals: ledger, conflicts, runs, inbox, outbox, systems, identity. They cross clients, so
   * they need a caller that sees every client (`everywhere`), not one granted some of them.
   */
  'sync.read': { roles: ['ops_admin', 'coordinator', 'billing', 'recruiter', 'viewer'], everywhere: true },
  'conflicts.resolve': { roles: ['ops_admin', 'coordinator'], everywhere: true },
  'sync.operate': { roles: ['ops_admin'], everywhere: true },
  'csv.import': { roles: ['ops_admin', 'billing'], everywhere: true },
  'csv.export': { roles: ['ops_admin', 'billing'], everywhere: true },
  'time.approve': { contact: true },
  'time.submit': { roles: ['ops_admin', 'coordinator'] },
  /** Ops on the time workflow across clients: release a held entry, remind all, reminder settings. */
  'time.operate': { roles: ['ops_admin'], everywhere: true },
  /** Ops reads of the time workflow across clients: the exception queue, portal metrics. */
  'time.ops_read': { roles: ['ops_admin', 'viewer'], everywhere: true },
  'requisition.open': { contact: true },
  /** Requisition requests: drafted, submitted and moved by a requester (or staff); approved by the client's approver. */
  'requisition.manage': { contact: true, roles: ['ops_admin', 'coordinator'] },
  'requisition.approve': { contact: true },
  /** Per-client request templates (required fields, approval): ops define them. */
  'requisition.templates': { roles: ['ops_admin', 'coordinator'] },
  /** Draft and issue invoices from approved time (ops and billing staff of the client). */
  'invoice.draft': { roles: ['ops_admin', 'billing'] },
  'invoice.issue': { roles: ['ops_admin', 'billing'] },
  'assignment.approver': { contact: true, roles: ['ops_admin', 'coordinator'] },
  /** Roles, delegates, grants, contact activation. */
  'roles.manage': { contact: true, roles: ['ops_admin', 'coordinator'] },
  'keys.manage': { contact: true, roles: 'all' },
  'users.manage': { roles: ['ops_admin'], bootstrap: true, everywhere: true },
  'audit.read': { roles: ['ops_admin'], everywhere: true },
  /** Documents: details, versions, minting a download link and downloading through it (scoped; a contact never sees an internal one). */
  'documents.read': { contact: true, roles: 'all' },
  /** Uploading a document or a new version to a record in scope (a contact: client-visible ones only). */
  'documents.upload': { contact: true, roles: ['ops_admin', 'coordinator', 'billing', 'recruiter'] },
  /** Comments listed on a record in scope (a contact never sees an internal one). */
  'comments.read': { contact: true, roles: 'all' },
  /** Writing, editing (the author, within the edit window) and deleting comments. */
  'comments.write': { contact: true, roles: ['ops_admin', 'coordinator', 'billing', 'recruiter'] },
  /** The contact's view may reach past a caller granted only some worksites: everywhere only. */
  'view_as.mint': { roles: ['ops_admin', 'coordinator'], everywhere: true },
  /** The delivery record, subscriptions and templates: they cross clients. */
  'notifications.read': { roles: ['ops_admin', 'coordinator', 'viewer'], everywhere: true },
  /** Replays, webhook subscriptions, template edits. */
  'notifications.operate': { roles: ['ops_admin'], everywhere: true },
  /** Notification rules: ops for the defaults and any client; a client admin for its own client only (the route checks). */
  'notifications.rules.read': { contact: true, roles: ['ops_admin', 'coordinator', 'viewer'] },
  'notifications.rules': { contact: true, roles: ['ops_admin'] },
  /** A contact's own preferences and deliveries (identity from the principal). */
  'notifications.self.read': { contact: true },
  'notifications.self': { contact: true },
} as const satisfies Record<string, ActionRule>;

interface ActionRule {
  readonly anonymous?: boolean;
  readonly contact?: boolean;
  readonly bootstrap?: boolean;
  readonly roles?: 'all' | readonly UserRole[];
  /** Only for a caller that sees every client (see `needsEverywhere`). */
  readonly everywhere?: boolean;
}

/**
 * Whether the action, once `can` allowed it, also needs the caller to see every client: an ops admin
 * or viewer, or a user holding a grant on every client (a grant naming no client or worksite).
 */
export function needsEverywhere(action: Action): boolean {
  const rule: ActionRule = ACTIONS[action];
  return rule.everywhere === true;
}

/** The refusal when it does and the caller does not. */
export const NOT_EVERYWHERE = 'this covers every client, and your access is limited to the clients granted to you';

export type Action = keyof typeof ACTIONS;

/** Actions that change data: refused under a read-only (view-as) principal and a read-only key. */
const READS: ReadonlySet<Action> = new Set([
  'public', 'me.read', 'records.read', 'sync.read', 'audit.read', 'documents.read', 'comments.read', 'time.ops_read',
  'notifications.read', 'notifications.rules.read', 'notifications.self.read',
]);

export function isWrite(action: Action): boolean {
  return !READS.has(action);
}

export type Decision = { ok: true } | { ok: false; reason: string };

/** May this principal (null: nobody signed in) perform the action at all? Deny by default. */
export function can(principal: Principal | null, action: Action): Decision {
  const rule: ActionRule = ACTIONS[action];
  if (principal === null) return rule.anonymous ? { ok: true } : { ok: false, reason: 'sign-in required' };
  if (isWrite(action)) {
    if (principal.readOnly) return { ok: false, reason: 'this token is read-only (view-as)' };
    if (principal.limits !== null && !principal.limits.scopes.includes('write')) return { ok: false, reason: 'this API key has no write scope' };
  } else if (principal.limits !== null && !principal.limits.scopes.includes('read') && action !== 'public') {
    return { ok: false, reason: 'this API key has no read scope' };
  }
  switch (principal.kind) {
    case 'bootstrap':
      return rule.bootstrap || rule.anonymous ? { ok: true } : { ok: false, reason: 'the admin token only creates the first ops user; sign in as an ops user' };
    case 'contact':
      return rule.contact || rule.anonymous ? { ok: true } : { ok: false, reason: 'not available to client contacts' };
    case 'user':
    case 'service': {
      const roles = rule.roles;
      if (roles === 'all' || rule.anonymous) return { ok: true };
      if (roles !== undefined && roles.includes(principal.role)) return { ok: true };
      return { ok: false, reason: `role ${principal.role} may not do this` };
    }
  }
}

// ---------------------------------------------------------------- rows (which records)

/** Builds SQL with its parameters in order. */
class Sql {
  readonly params: Scalar[] = [];
  /** A set of ids: the `@ids` token the store expands per dialect, bound as one JSON array. */
  set(ids: Iterable<string>): string {
    this.params.push(JSON.stringify([...ids]));
    return IDS;
  }
  value(v: Scalar): string {
    this.params.push(v);
    return '?';
  }
}

function worksitesWith(access: Access, roles: readonly WorksiteRole[]): string[] {
  const out: string[] = [];
  for (const [id, held] of access.worksites) if (roles.some((r) => held.has(r))) out.push(id);
  return out;
}

/** Roles that see time entries of a worksite: approvers (and delegates), billing, hr. */
const TIME_ROLES: readonly WorksiteRole[] = ['approver', 'billing', 'hr'];

/** The SQL for one entity's rows the caller may see, built into `q`. */
function scopeSql(access: Access, entity: EntityName, q: Sql): string {
  const any = () => q.set(access.worksites.keys());
  // Conditions on the entity's own columns where it has them (the planner then walks its own index),
  // subqueries only to reach a parent's scope.
  const requisitionWhere = () => `worksite_id IN ${any()} OR (worksite_id IS NULL AND client_id IN ${q.set(access.adminClients)})`;
  const requisitions = () => `SELECT id FROM requisitions WHERE ${requisitionWhere()}`;
  const timeEntryWhere = () => `assignment_id IN (SELECT id FROM assignments WHERE worksite_id IN ${q.set(worksitesWith(access, TIME_ROLES))})`;
  const timeEntries = () => `SELECT id FROM time_entries WHERE ${timeEntryWhere()}`;
  // A contact sees a client's invoices once issued: a draft is the back office's worksheet.
  const issuedOnly = access.internal ? '' : ` AND status <> 'draft'`;
  const invoices = () => `SELECT id FROM invoices WHERE client_id IN ${q.set(access.billingClients)}${issuedOnly}`;
  switch (entity) {
    case 'client':
      return `id IN ${q.set(access.clients)}`;
    case 'worksite':
      return `id IN ${any()}`;
    case 'contact': {
      // Contacts of the clients administered, and those holding a role at a worksite in scope (a
      // key narrowed to one worksite sees that worksite's people, not the whole client's).
      const self = access.principal.kind === 'contact' ? `id = ${q.value(access.principal.id)} OR ` : '';
      // A role row that crosses clients (one written before the rule) shows nobody across.
      return `${self}client_id IN ${q.set(access.adminClients)} OR id IN (SELECT r.contact_id FROM contact_worksite_roles r JOIN worksites w ON w.id = r.worksite_id WHERE r.deleted_at IS NULL AND r.worksite_id IN ${any()} AND w.client_id = contacts.client_id)`;
    }
    case 'contact_worksite_role':
      return `worksite_id IN ${any()} AND EXISTS (SELECT 1 FROM contacts c JOIN worksites w ON w.id = contact_worksite_roles.worksite_id WHERE c.id = contact_worksite_roles.contact_id AND c.client_id = w.client_id)`;
    case 'requisition':
      return requisitionWhere();
    case 'submission':
      return `requisition_id IN (${requisitions()})`;
    case 'candidate':
      return `id IN (SELECT candidate_id FROM submissions WHERE requisition_id IN (${requisitions()})) OR id IN (SELECT candidate_id FROM assignments WHERE worksite_id IN ${any()})`;
    case 'assignment':
      return `worksite_id IN ${any()}`;
    case 'assignment_rate':
      return `assignment_id IN (SELECT id FROM assignments WHERE worksite_id IN ${q.set(worksitesWith(access, ['billing']))})`;
    case 'time_entry':
      return timeEntryWhere();
    case 'time_entry_event':
      return `time_entry_id IN (${timeEntries()})`;
    case 'invoice':
      return `client_id IN ${q.set(access.billingClients)}${issuedOnly}`;
    case 'invoice_line':
      return `invoice_id IN (${invoices()})`;
    case 'document': {
      // A document is visible where the record it is attached to is; a contact never sees an internal one.
      const owners = DOCUMENT_OWNERS.map((owner) => `(owner_entity = '${owner}' AND owner_id IN (SELECT id FROM ${TABLES[owner]} WHERE ${scopeSql(access, owner, q)}))`);
      const visible = access.internal ? '' : "visibility = 'client' AND ";
      return `${visible}(${owners.join(' OR ')})`;
    }
  }
}

/** Entities a document can be attached to (its `ownerEntity`). */
const DOCUMENT_OWNERS: readonly EntityName[] = ['client', 'worksite', 'contact', 'requisition', 'candidate', 'submission', 'assignment', 'time_entry', 'invoice'];
const TABLES: Readonly<Partial<Record<EntityName, string>>> & Record<string, string> = {
  client: 'clients', worksite: 'worksites', contact: 'contacts', requisition: 'requisitions', candidate: 'candidates',
  submission: 'submissions', assignment: 'assignments', time_entry: 'time_entries', invoice: 'invoices',
};

/**
 * The rows of `entity` the caller may see, as SQL for the canonical repository; `undefined` when it
 * sees every row. A caller with no role anywhere gets a scope that matches nothing.
 */
export function scopeOf(access: Access, entity: EntityName): SqlScope | undefined {
  if (access.everything) return undefined;
  if (access.principal.kind === 'bootstrap') return { sql: '0', params: [] };
  const q = new Sql();
  const sql = scopeSql(access, entity, q);
  return { sql, params: q.params };
}

// ---------------------------------------------------------------- fields (which columns)

/** Bill-side fields: a contact sees them only as client_admin or billing. */
const BILL_FIELDS: ReadonlySet<string> = new Set(['billRateCents', 'otBillRateCents', 'dtBillRateCents']);
/** Internal notes of the back office: never to a contact. */
const INTERNAL_FIELDS: Readonly<Partial<Record<EntityName, readonly string[]>>> = { time_entry: ['note'] };

/** The fields of `entity` the caller may see; null is every field. */
export function visibleFields(access: Access, entity: EntityName): ReadonlySet<string> | null {
  if (access.internal) return null;
  const fields = new Set(ENTITIES[entity].clientVisible);
  for (const f of INTERNAL_FIELDS[entity] ?? []) fields.delete(f);
  if (access.billingClients.size === 0) for (const f of BILL_FIELDS) fields.delete(f);
  return fields;
}

/** Worksite roles the caller holds at one worksite (empty when none). */
export function rolesAt(access: Access, worksiteId: string): ReadonlySet<WorksiteRole> {
  return access.worksites.get(worksiteId) ?? new Set();
}
