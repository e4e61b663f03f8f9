import { newId } from '../lib/ids.ts';
import type { GrantRole, GrantRow, Repos, SubjectKind, UserRole, UserRow } from '../store/index.ts';
import { hashPassword } from './credentials/passwords.ts';

/**
 * Changes to who holds what, shared by the API, the CLI and sync: users, grants, offboarding. Each
 * function runs inside the caller's unit of work and throws AccessChangeError with a reason a person
 * can act on; the caller maps it to its own answer (422, a CLI error, a CSV row error).
 */
export class AccessChangeError extends Error {
  override readonly name = 'AccessChangeError';
  constructor(
    /** `invalid`: the request cannot be done as asked; `not_found`: a named record does not exist. */
    readonly code: 'invalid' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface NewUser {
  email: string;
  role: UserRole;
  name?: string | null;
  /** Plain text, hashed here (scrypt); absent for a user who signs in through OIDC only. */
  password?: string | null;
}

export async function createUser(tx: Repos, input: NewUser, now: string): Promise<UserRow> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AccessChangeError('invalid', `"${input.email}" is not an e-mail address`);
  if (await tx.access.userByEmail(email)) throw new AccessChangeError('invalid', `a user with e-mail ${email} exists already`);
  const row: UserRow = {
    id: newId(), email, name: input.name ?? null, role: input.role,
    passwordHash: input.password === undefined || input.password === null ? null : await hashPassword(input.password),
    status: 'active', createdAt: now, updatedAt: now,
  };
  await tx.access.insertUser(row);
  return row;
}

/** Disables a user and revokes every session, key and view-as token it holds or minted. */
export async function disableUser(tx: Repos, id: string, now: string): Promise<{ user: UserRow; revoked: { sessions: number; keys: number; magicLinks: number } }> {
  const user = await tx.access.userById(id);
  if (!user) throw new AccessChangeError('not_found', `user ${id} not found`);
  await tx.access.updateUser(id, { status: 'disabled' }, now);
  const revoked = await tx.access.revokeAllFor('user', id, now);
  return { user: { ...user, status: 'disabled' }, revoked };
}

export interface NewGrant {
  subjectKind: SubjectKind;
  subjectId: string;
  role: GrantRole;
  clientId?: string | null;
  worksiteId?: string | null;
  forContactId?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
}

const CONTACT_GRANTS: ReadonlySet<GrantRole> = new Set(['client_admin', 'delegate_approver']);

/**
 * Adds a grant after checking it: the subject exists and is active; a contact's grant stays inside
 * its own client (a role at another client's worksite is refused wherever it comes from); a
 * delegate names a worksite and, when it names the approver it stands in for, that approver holds
 * the role there; dates are in order.
 */
export async function createGrant(tx: Repos, input: NewGrant, by: string, now: string): Promise<GrantRow> {
  const clientId = input.clientId ?? null;
  const worksiteId = input.worksiteId ?? null;
  if (clientId !== null && worksiteId !== null) throw new AccessChangeError('invalid', `a ${input.role} grant names a client or a worksite, not both`);
  // A user's grant naming neither is a grant on every client; a contact's always names one.
  if (clientId === null && worksiteId === null && input.subjectKind === 'contact') {
    throw new AccessChangeError('invalid', `a ${input.role} grant names a client or a worksite`);
  }
  if (input.validFrom && input.validTo && input.validTo < input.validFrom) throw new AccessChangeError('invalid', 'validTo is before validFrom');
  let worksiteClient: string | null = null;
  if (worksiteId !== null) {
    const worksite = await tx.canonical.get('worksite', worksiteId);
    if (!worksite || worksite.deletedAt !== null) throw new AccessChangeError('not_found', `worksite ${worksiteId} not found`);
    worksiteClient = String(worksite.fields['clientId']);
  }
  if (clientId !== null) {
    const client = await tx.canonical.get('client', clientId);
    if (!client || client.deletedAt !== null) throw new AccessChangeError('not_found', `client ${clientId} not found`);
  }
  if (input.subjectKind === 'contact') {
    if (!CONTACT_GRANTS.has(input.role)) throw new AccessChangeError('invalid', `a contact cannot hold ${input.role}; contacts hold client_admin or delegate_approver`);
    const contact = await tx.canonical.get('contact', input.subjectId);
    if (!contact || contact.deletedAt !== null) throw new AccessChangeError('not_found', `contact ${input.subjectId} not found`);
    if (contact.fields['status'] !== 'active') throw new AccessChangeError('invalid', `contact ${input.subjectId} is ${String(contact.fields['status'])}`);
    const own = String(contact.fields['clientId']);
    if (input.role === 'client_admin' && clientId !== own) throw new AccessChangeError('invalid', `contact ${input.subjectId} belongs to client ${own}, not ${String(clientId)}: a role never crosses clients`);
    if (input.role === 'delegate_approver') {
      if (worksiteId === null || clientId !== null) throw new AccessChangeError('invalid', 'a delegate_approver grant names a worksite (and no client)');
      if (worksiteClient !== own) throw new AccessChangeError('invalid', `worksite ${worksiteId} belongs to another client than contact ${input.subjectId}: a role never crosses clients`);
      if (input.forContactId) {
        const held = await tx.canonical.list('contact_worksite_role', { where: { contactId: input.forContactId, worksiteId, role: 'approver' }, limit: 1 });
        if (held.length === 0) throw new AccessChangeError('invalid', `contact ${input.forContactId} is not an approver at worksite ${worksiteId}, so nobody can stand in for them there`);
      }
    }
  } else {
    if (CONTACT_GRANTS.has(input.role)) throw new AccessChangeError('invalid', `${input.role} is a contact's role; internal users hold recruiter, coordinator or billing`);
    const user = await tx.access.userById(input.subjectId);
    if (!user) throw new AccessChangeError('not_found', `user ${input.subjectId} not found`);
    if (user.status !== 'active') throw new AccessChangeError('invalid', `user ${input.subjectId} is disabled`);
  }
  const row: GrantRow = {
    id: newId(), subjectKind: input.subjectKind, subjectId: input.subjectId, role: input.role, clientId, worksiteId,
    forContactId: input.forContactId ?? null, validFrom: input.validFrom ?? null, validTo: input.validTo ?? null,
    createdAt: now, createdBy: by, revokedAt: null, revokedBy: null,
  };
  await tx.access.insertGrant(row);
  return row;
}

export interface CrossClientRole {
  roleId: string;
  contactId: string;
  contactClientId: string;
  worksiteId: string;
  worksiteClientId: string;
  role: string;
}

/** Every live contact–worksite role whose contact and worksite belong to different clients. */
export async function findCrossClientRoles(repos: Pick<Repos, 'canonical'>): Promise<CrossClientRole[]> {
  const out: CrossClientRole[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await repos.canonical.list('contact_worksite_role', { limit: 1000, ...(after === undefined ? {} : { after }) });
    if (page.length === 0) break;
    const contacts = await repos.canonical.getMany('contact', page.map((r) => String(r.fields['contactId'])));
    const worksites = await repos.canonical.getMany('worksite', page.map((r) => String(r.fields['worksiteId'])));
    for (const r of page) {
      const contact = contacts.get(String(r.fields['contactId']));
      const worksite = worksites.get(String(r.fields['worksiteId']));
      if (!contact || !worksite) continue;
      if (contact.fields['clientId'] !== worksite.fields['clientId']) {
        out.push({
          roleId: r.id, contactId: contact.id, contactClientId: String(contact.fields['clientId']), worksiteId: worksite.id,
          worksiteClientId: String(worksite.fields['clientId']), role: String(r.fields['role']),
        });
      }
    }
    after = page[page.length - 1]?.id;
    if (page.length < 1000) break;
  }
  return out;
}
