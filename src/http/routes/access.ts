import { z } from 'zod';
import { AccessChangeError, createGrant, createUser, disableUser } from '../../access/admin.ts';
import { createApiKey } from '../../access/credentials/api-keys.ts';
import { createSession } from '../../access/credentials/sessions.ts';
import { loadAccess, scopeOf, type Access } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import { applyLocalChange } from '../../engine/index.ts';
import { ContactRole, Id, IsoDate } from '../../model/index.ts';
import { GRANT_ROLES, KEY_SCOPES, USER_ROLES, type ApiKeyRow, type AuditEvent, type GrantRow, type Repos, type UserRow } from '../../store/index.ts';
import { clientIp } from '../audit.ts';
import { principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { DateTime, IdParam, Limit, opt } from '../schemas/common.ts';

// ---------------------------------------------------------------- views (never a secret or a hash)

const KeyView = z.strictObject({
  id: z.string(), name: z.string(), ownerKind: z.enum(['contact', 'user', 'service']), ownerId: z.string().nullable(),
  role: z.string().nullable(), scopes: z.array(z.enum(KEY_SCOPES)), clientId: z.string().nullable(), worksiteId: z.string().nullable(),
  expiresAt: DateTime.nullable(), lastUsedAt: DateTime.nullable(), revokedAt: DateTime.nullable(), createdAt: DateTime, createdBy: z.string(),
});
const toKey = (k: ApiKeyRow): z.infer<typeof KeyView> => ({
  id: k.id, name: k.name, ownerKind: k.ownerKind, ownerId: k.ownerId, role: k.role, scopes: k.scopes, clientId: k.clientId,
  worksiteId: k.worksiteId, expiresAt: k.expiresAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt, createdAt: k.createdAt, createdBy: k.createdBy,
});

const UserView = z.strictObject({
  id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(USER_ROLES), status: z.enum(['active', 'disabled']),
  hasPassword: z.boolean(), createdAt: DateTime, updatedAt: DateTime,
});
const toUser = (u: UserRow): z.infer<typeof UserView> => ({
  id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, hasPassword: u.passwordHash !== null, createdAt: u.createdAt, updatedAt: u.updatedAt,
});

const GrantView = z.strictObject({
  id: z.string(), subjectKind: z.enum(['contact', 'user']), subjectId: z.string(), role: z.enum(GRANT_ROLES),
  clientId: z.string().nullable(), worksiteId: z.string().nullable(), forContactId: z.string().nullable(),
  validFrom: z.string().nullable(), validTo: z.string().nullable(), createdAt: DateTime, createdBy: z.string(),
  revokedAt: DateTime.nullable(), revokedBy: z.string().nullable(),
});
const toGrant = (g: GrantRow): z.infer<typeof GrantView> => ({ ...g });

const AuditView = z.strictObject({
  seq: z.number().int(), id: z.string(), at: DateTime, actorType: z.string(), actorId: z.string().nullable(), onBehalfOf: z.string().nullable(),
  action: z.string(), targetType: z.string().nullable(), targetId: z.string().nullable(), outcome: z.enum(['success', 'failure', 'denied']),
  reason: z.string().nullable(), credential: z.string().nullable(), ip: z.string().nullable(), userAgent: z.string().nullable(), requestId: z.string().nullable(),
});
const toAudit = (e: AuditEvent): z.infer<typeof AuditView> => ({ ...e, seq: e.seq ?? 0 });

// ---------------------------------------------------------------- bodies

const KeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    contactId: Id.optional().meta({ description: 'ops only: a key acting as this contact (default: a key acting as yourself)' }),
    userId: Id.optional().meta({ description: 'ops_admin only: a key acting as this user' }),
    serviceRole: z.enum(USER_ROLES).optional().meta({ description: 'ops_admin only: a service key with this internal role' }),
    scopes: z.array(z.enum(KEY_SCOPES)).min(1).max(2).default(['read', 'write']),
    clientId: Id.optional().meta({ description: 'narrow the key to this client' }),
    worksiteId: Id.optional().meta({ description: 'narrow the key to this worksite' }),
    expiresAt: z.iso
      .datetime({ offset: false })
      .transform((t) => new Date(t).toISOString())
      .refine((t) => Date.parse(t) > Date.now(), 'expiresAt is in the past')
      .refine((t) => Date.parse(t) < Date.now() + 5 * 366 * 86_400_000, 'expiresAt is more than five years away')
      .optional()
      .meta({ description: 'ISO-8601 UTC time, in the future (at most five years)' }),
  })
  .refine((b) => [b.contactId, b.userId, b.serviceRole].filter((x) => x !== undefined).length <= 1, { message: 'give at most one of contactId, userId, serviceRole' });

const UserBody = z.strictObject({
  email: z.string().trim().min(3).max(320),
  role: z.enum(USER_ROLES),
  name: z.string().trim().min(1).max(200).optional(),
  password: z.string().min(12).max(1024).optional().meta({ description: 'at least 12 characters; absent for an OIDC-only user' }),
});

const GrantBody = z.strictObject({
  contactId: Id.optional(),
  userId: Id.optional(),
  role: z.enum(GRANT_ROLES),
  clientId: Id.optional(),
  worksiteId: Id.optional(),
  forContactId: Id.optional().meta({ description: 'delegate_approver: the approver stood in for' }),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.optional(),
}).refine((b) => (b.contactId === undefined) !== (b.userId === undefined), { message: 'give exactly one of contactId or userId' });

const ContactRoleBody = z.strictObject({ contactId: Id, worksiteId: Id, role: ContactRole });

const AuditQuery = z.strictObject({
  actorType: z.enum(['contact', 'user', 'service', 'bootstrap', 'anonymous']).optional(),
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  since: DateTime.optional(),
  until: DateTime.optional(),
  before: z.coerce.number().int().min(1).optional().meta({ description: 'paging: the `next` of the previous page' }),
  limit: Limit,
});

function changeError(err: unknown): never {
  if (err instanceof AccessChangeError) throw new ApiError(err.code === 'not_found' ? 'invalid' : 'invalid', err.message);
  throw err;
}

/** An ops admin whose credential is not narrowed to a client or worksite: the powers that span every client. */
const isOps = (p: Principal): boolean =>
  (p.kind === 'user' || p.kind === 'service') && p.role === 'ops_admin' && (p.limits === null || (p.limits.clientId === null && p.limits.worksiteId === null));
const isCoordinator = (p: Principal): boolean => (p.kind === 'user' || p.kind === 'service') && (p.role === 'ops_admin' || p.role === 'coordinator');

/** A contact the caller may manage: inside its scope, and of a client it administers (contacts) or sees (staff). */
async function manageableContact(tx: Repos, access: Access, contactId: string): Promise<{ id: string; clientId: string }> {
  const contact = await tx.canonical.getScoped('contact', contactId, scopeOf(access, 'contact'));
  if (!contact || contact.deletedAt !== null) throw new ApiError('not_found', `contact ${contactId} not found`);
  const clientId = String(contact.fields['clientId']);
  if (!access.internal && !access.adminClients.has(clientId)) throw new ApiError('forbidden', `only a client_admin of client ${clientId} manages its contacts' roles`);
  return { id: contact.id, clientId };
}

/**
 * Access administration: API keys, ops users, grants (client admins, delegates, staff scopes), contact
 * roles at worksites, contact deactivation (offboarding), view-as tokens and the access audit.
 */
export function registerAccess(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;

  // ---- API keys

  api.route({
    method: 'post',
    path: '/api/v1/keys',
    operationId: 'createApiKey',
    summary: 'Create an API key (shown once)',
    description:
      'By default the key acts as the caller. Ops admins may create keys for a contact, a user or a service. A key can be narrowed to a client or a worksite and to read-only; it never has more power than its owner.',
    tag: 'access',
    access: 'keys.manage',
    audit: { action: 'key.create', targetType: 'api_key' },
    idempotent: false,
    body: KeyBody,
    errors: ['forbidden', 'invalid'],
    responses: { 201: { description: 'the key; `key` is shown only this once', schema: z.strictObject({ data: KeyView, key: z.string() }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (principal.kind === 'bootstrap') throw new ApiError('forbidden', 'the admin token only creates the first ops user');
      const at = now();
      const created = await store.unitOfWork(async (tx) => {
        let ownerKind: ApiKeyRow['ownerKind'];
        let ownerId: string | null;
        let role: ApiKeyRow['role'] = null;
        if (body.serviceRole !== undefined || body.userId !== undefined) {
          if (!isOps(principal)) throw new ApiError('forbidden', 'only an ops admin creates keys for users or services');
          if (body.serviceRole !== undefined) [ownerKind, ownerId, role] = ['service', null, body.serviceRole];
          else {
            const user = await tx.access.userById(body.userId ?? '');
            if (!user || user.status !== 'active') throw new ApiError('invalid', `user ${String(body.userId)} not found or disabled`);
            [ownerKind, ownerId] = ['user', user.id];
          }
        } else if (body.contactId !== undefined) {
          // A key for someone else lets its holder act as them: ops admins only (coordinators use view-as).
          if (!isOps(principal) && !(principal.kind === 'contact' && principal.id === body.contactId)) {
            throw new ApiError('forbidden', 'only an ops admin creates keys for other contacts');
          }
          const access = await loadAccess(tx, principal, at);
          const contact = await tx.canonical.getScoped('contact', body.contactId, scopeOf(access, 'contact'));
          if (!contact || contact.deletedAt !== null || contact.fields['status'] !== 'active') throw new ApiError('invalid', `contact ${body.contactId} not found or not active`);
          [ownerKind, ownerId] = ['contact', contact.id];
        } else if (principal.kind === 'contact' || principal.kind === 'user') {
          [ownerKind, ownerId] = [principal.kind, principal.id];
        } else {
          throw new ApiError('forbidden', 'a service key cannot mint keys');
        }
        // A key narrowed by its creator's own key stays at least as narrow.
        const limits = principal.limits;
        // Within the parent's narrowing, never beside it: a different client or worksite is refused.
        if (limits?.clientId != null && body.clientId !== undefined && body.clientId !== limits.clientId) {
          throw new ApiError('invalid', `your key is narrowed to client ${limits.clientId}; a key it makes stays there`);
        }
        if (limits?.worksiteId != null && body.worksiteId !== undefined && body.worksiteId !== limits.worksiteId) {
          throw new ApiError('invalid', `your key is narrowed to worksite ${limits.worksiteId}; a key it makes stays there`);
        }
        const clientId = body.clientId ?? limits?.clientId ?? null;
        const worksiteId = body.worksiteId ?? limits?.worksiteId ?? null;
        const scopes = limits === null ? body.scopes : body.scopes.filter((s) => limits.scopes.includes(s));
        if (scopes.length === 0) throw new ApiError('invalid', 'the key would have no scope left within your own key');
        // Nor does it outlive the key that made it.
        const parentExpiry = limits?.expiresAt ?? null;
        const asked = body.expiresAt ?? null;
        const expiresAt = parentExpiry === null ? asked : asked === null || asked > parentExpiry ? parentExpiry : asked;
        return createApiKey(tx, {
          name: body.name, ownerKind, ownerId, role, scopes, clientId, worksiteId, expiresAt, createdBy: actorOf(principal),
        }, at);
      });
      c.set('audit', { action: 'key.create', targetType: 'api_key', targetId: created.row.id });
      return c.json({ data: toKey(created.row), key: created.key }, 201);
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/keys',
    operationId: 'listApiKeys',
    summary: 'API keys: your own, or (ops admin) anyone’s',
    tag: 'access',
    access: 'keys.manage',
    query: z.strictObject({ ownerKind: z.enum(['contact', 'user', 'service']).optional(), ownerId: Id.optional(), includeRevoked: z.stringbool().optional() }),
    responses: { 200: { description: 'keys, never their secrets', schema: z.strictObject({ data: z.array(KeyView) }) } },
    handler: async ({ query }, c) => {
      const principal = principalOf(c);
      const filter = isOps(principal)
        ? { ...opt('ownerKind', query.ownerKind), ...opt('ownerId', query.ownerId) }
        : principal.kind === 'contact' || principal.kind === 'user' ? { ownerKind: principal.kind, ownerId: principal.id } : { ownerKind: 'none' };
      const rows = await store.repos.access.listKeys({ ...filter, includeRevoked: query.includeRevoked ?? false });
      return c.json({ data: rows.map(toKey) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/keys/:id/revoke',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (your own, or any as ops admin); effective on the next request',
    tag: 'access',
    access: 'keys.manage',
    audit: { action: 'key.revoke', targetType: 'api_key' },
    params: IdParam.extend({ id: z.string().min(1).max(64) }),
    errors: ['not_found'],
    responses: { 200: { description: 'the key after revocation', schema: z.strictObject({ data: KeyView }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const row = await store.unitOfWork(async (tx) => {
        const key = await tx.access.keyById(params.id);
        const mine = key !== null && key.ownerKind === principal.kind && key.ownerId === principal.id;
        if (!key || (!mine && !isOps(principal))) throw new ApiError('not_found', `api key ${params.id} not found`);
        await tx.access.revokeKey(key.id, now());
        return tx.access.keyById(key.id);
      });
      if (!row) throw new ApiError('not_found', `api key ${params.id} not found`);
      return c.json({ data: toKey(row) });
    },
  });

  // ---- ops users

  api.route({
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    summary: 'Create an ops user (the admin token may create only the first ops admin)',
    tag: 'access',
    access: 'users.manage',
    audit: { action: 'user.create', targetType: 'user' },
    body: UserBody,
    errors: ['forbidden', 'invalid'],
    responses: { 201: { description: 'the user', schema: z.strictObject({ data: UserView }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const user = await store.unitOfWork(async (tx) => {
        if (principal.kind === 'bootstrap') {
          if ((await tx.access.countActiveUsers('ops_admin')) > 0) throw new ApiError('forbidden', 'an ops admin exists already: the admin token no longer creates users');
          if (body.role !== 'ops_admin') throw new ApiError('invalid', 'the first user the admin token creates is an ops_admin');
        }
        return createUser(tx, { email: body.email, role: body.role, name: body.name ?? null, password: body.password ?? null }, now()).catch(changeError);
      });
      c.set('audit', { action: 'user.create', targetType: 'user', targetId: user.id });
      return c.json({ data: toUser(user) }, 201);
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/users',
    operationId: 'listUsers',
    summary: 'Ops users',
    tag: 'access',
    access: 'users.manage',
    responses: { 200: { description: 'every user', schema: z.strictObject({ data: z.array(UserView) }) } },
    handler: async (_input, c) => {
      if (principalOf(c).kind === 'bootstrap') throw new ApiError('forbidden', 'the admin token only creates the first ops user');
      return c.json({ data: (await store.repos.access.listUsers()).map(toUser) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/users/:id/disable',
    operationId: 'disableUser',
    summary: 'Disable an ops user: every session, key and view-as token it holds or minted is revoked at once',
    tag: 'access',
    access: 'users.manage',
    audit: { action: 'user.disable', targetType: 'user' },
    params: IdParam,
    errors: ['not_found', 'forbidden'],
    responses: { 200: { description: 'the user and what was revoked', schema: z.strictObject({ data: UserView, revoked: z.record(z.string(), z.number()) }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      if (principal.kind === 'bootstrap') throw new ApiError('forbidden', 'the admin token only creates the first ops user');
      if (principal.id === params.id) throw new ApiError('forbidden', 'you cannot disable yourself');
      const out = await store.unitOfWork(async (tx) => disableUser(tx, params.id, now()).catch((err: unknown) => {
        if (err instanceof AccessChangeError && err.code === 'not_found') throw new ApiError('not_found', err.message);
        throw err;
      }));
      return c.json({ data: toUser(out.user), revoked: out.revoked });
    },
  });

  // ---- grants: client admins, delegates, staff scopes

  api.route({
    method: 'post',
    path: '/api/v1/grants',
    operationId: 'createGrant',
    summary: 'Grant a role: client_admin or a dated delegate_approver to a contact, recruiter/coordinator/billing at a client or worksite to a user',
    description: 'A client_admin grants within its own client (delegates and client admins); coordinators and ops admins grant anywhere. A role at a worksite of another client is a 422.',
    tag: 'access',
    access: 'roles.manage',
    audit: { action: 'grant.create', targetType: 'grant' },
    body: GrantBody,
    errors: ['forbidden', 'invalid', 'not_found'],
    responses: { 201: { description: 'the grant', schema: z.strictObject({ data: GrantView }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const at = now();
      const grant = await store.unitOfWork(async (tx) => {
        // Roles of staff are the ops admins' to give; a coordinator (within the clients granted to
        // it) and a client admin (within its client) give contacts theirs.
        if (body.userId !== undefined && !isOps(principal)) throw new ApiError('forbidden', 'only an ops admin grants roles to users');
        if (body.contactId !== undefined && !isOps(principal)) {
          if (principal.kind !== 'contact' && !isCoordinator(principal)) throw new ApiError('forbidden', 'only client admins, coordinators and ops admins grant contact roles');
          const access = await loadAccess(tx, principal, at);
          const target = await manageableContact(tx, access, body.contactId);
          if (body.clientId !== undefined && body.clientId !== target.clientId) throw new ApiError('invalid', `a role never crosses clients: contact ${target.id} belongs to client ${target.clientId}`);
          if (body.worksiteId !== undefined && (await tx.canonical.getScoped('worksite', body.worksiteId, scopeOf(access, 'worksite'))) === null) {
            throw new ApiError('invalid', `worksite ${body.worksiteId} not found`);
          }
        }
        return createGrant(
          tx,
          {
            subjectKind: body.contactId !== undefined ? 'contact' : 'user', subjectId: body.contactId ?? body.userId ?? '', role: body.role,
            clientId: body.clientId ?? null, worksiteId: body.worksiteId ?? null, forContactId: body.forContactId ?? null,
            validFrom: body.validFrom ?? null, validTo: body.validTo ?? null,
          },
          actorOf(principal),
          at,
        ).catch(changeError);
      });
      c.set('audit', { action: 'grant.create', targetType: 'grant', targetId: grant.id });
      return c.json({ data: toGrant(grant) }, 201);
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/grants',
    operationId: 'listGrants',
    summary: 'Grants: ops see all; a client admin sees its client’s',
    tag: 'access',
    access: 'roles.manage',
    query: z.strictObject({ contactId: Id.optional(), userId: Id.optional(), clientId: Id.optional(), includeRevoked: z.stringbool().optional() }),
    responses: { 200: { description: 'grants', schema: z.strictObject({ data: z.array(GrantView) }) } },
    handler: async ({ query }, c) => {
      const principal = principalOf(c);
      const access = await loadAccess(store.repos, principal, now());
      let clientId = query.clientId;
      if (!isOps(principal)) {
        // Anyone else lists the grants of one client it administers (a client admin: its own).
        if (query.userId !== undefined) throw new ApiError('forbidden', 'only an ops admin lists the grants of users');
        const own = principal.kind === 'contact' ? principal.clientId : (clientId ?? null);
        if (own === null || !access.adminClients.has(own)) throw new ApiError('forbidden', 'name a client you administer (clientId)');
        clientId = own;
      }
      const rows = await store.repos.access.listGrants({
        // Staff grants are the ops admins' business: anyone else lists the contacts' grants only.
        ...(isOps(principal) ? {} : { subjectKind: 'contact' as const }),
        ...opt('clientId', clientId), ...(query.contactId !== undefined ? { subjectKind: 'contact' as const, subjectId: query.contactId } : {}),
        ...(query.userId !== undefined ? { subjectKind: 'user' as const, subjectId: query.userId } : {}), includeRevoked: query.includeRevoked ?? false,
      });
      return c.json({ data: rows.map(toGrant) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/grants/:id/revoke',
    operationId: 'revokeGrant',
    summary: 'Revoke a grant; effective on the next request',
    tag: 'access',
    access: 'roles.manage',
    audit: { action: 'grant.revoke', targetType: 'grant' },
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the grant after revocation', schema: z.strictObject({ data: GrantView }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const at = now();
      const row = await store.unitOfWork(async (tx) => {
        const grant = await tx.access.grantById(params.id);
        if (!grant) throw new ApiError('not_found', `grant ${params.id} not found`);
        if (!isOps(principal)) {
          const access = await loadAccess(tx, principal, at);
          if (grant.subjectKind !== 'contact') throw new ApiError('not_found', `grant ${params.id} not found`);
          await manageableContact(tx, access, grant.subjectId).catch(() => {
            throw new ApiError('not_found', `grant ${params.id} not found`);
          });
        }
        await tx.access.revokeGrant(grant.id, actorOf(principal), at);
        return tx.access.grantById(grant.id);
      });
      if (!row) throw new ApiError('not_found', `grant ${params.id} not found`);
      return c.json({ data: toGrant(row) });
    },
  });

  // ---- contact roles at worksites (canonical: they sync where a mapping carries them)

  api.route({
    method: 'post',
    path: '/api/v1/contact-roles',
    operationId: 'addContactRole',
    summary: 'Give a contact a role (requester, approver, billing, hr) at a worksite of its own client',
    tag: 'access',
    access: 'roles.manage',
    audit: { action: 'contact_role.create', targetType: 'contact_worksite_role' },
    body: ContactRoleBody,
    errors: ['forbidden', 'invalid', 'not_found', 'refused'],
    responses: { 201: { description: 'the role row', schema: z.strictObject({ data: z.strictObject({ id: z.string(), contactId: z.string(), worksiteId: z.string(), role: ContactRole }), outboxIds: z.array(z.string()) }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const at = now();
      const out = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, at);
        await manageableContact(tx, access, body.contactId);
        const worksite = await tx.canonical.getScoped('worksite', body.worksiteId, scopeOf(access, 'worksite'));
        if (!worksite || worksite.deletedAt !== null) throw new ApiError('invalid', `worksite ${body.worksiteId} not found`);
        const existing = await tx.canonical.list('contact_worksite_role', { where: { ...body }, limit: 1 });
        if (existing[0]) return { id: existing[0].id, outboxIds: [] as string[] };
        const result = await applyLocalChange(tx, policy, { entity: 'contact_worksite_role', changes: { ...body }, actor: actorOf(principal) }, at);
        return { id: result.canonicalId, outboxIds: [...result.outboxIds] };
      });
      c.set('audit', { action: 'contact_role.create', targetType: 'contact_worksite_role', targetId: out.id });
      return c.json({ data: { id: out.id, ...body }, outboxIds: out.outboxIds }, 201);
    },
  });

  // ---- offboarding

  api.route({
    method: 'post',
    path: '/api/v1/contacts/:id/deactivate',
    operationId: 'deactivateContact',
    summary: 'Deactivate a contact: its sessions, keys and pending sign-in links are revoked at once',
    description: 'By its client admin or ops. A contact deactivated in the ATS and synced is refused on its next request the same way.',
    tag: 'access',
    access: 'roles.manage',
    audit: { action: 'contact.deactivate', targetType: 'contact' },
    params: IdParam,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'what was revoked', schema: z.strictObject({ data: z.strictObject({ id: z.string(), status: z.string() }), revoked: z.record(z.string(), z.number()), outboxIds: z.array(z.string()) }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const at = now();
      const out = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, at);
        const target = await manageableContact(tx, access, params.id);
        const result = await applyLocalChange(tx, policy, { entity: 'contact', canonicalId: target.id, changes: { status: 'inactive' }, actor: actorOf(principal), overrideOwnership: true }, at);
        const revoked = await tx.access.revokeAllFor('contact', target.id, at);
        return { revoked, outboxIds: [...result.outboxIds] };
      });
      return c.json({ data: { id: params.id, status: 'inactive' }, revoked: out.revoked, outboxIds: out.outboxIds });
    },
  });

  // ---- view as contact

  api.route({
    method: 'post',
    path: '/api/v1/view-as',
    operationId: 'mintViewAsToken',
    summary: 'Mint a read-only token that sees what one contact sees, for 60 minutes',
    description: 'Every request under it is audited with both identities; every write answers 403.',
    tag: 'access',
    access: 'view_as.mint',
    audit: { action: 'view_as.mint', targetType: 'contact' },
    idempotent: false,
    body: z.strictObject({ contactId: Id }),
    errors: ['invalid', 'forbidden'],
    responses: { 201: { description: 'the token, shown once', schema: z.strictObject({ token: z.string(), expiresAt: DateTime, contactId: z.string() }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (principal.kind !== 'user') throw new ApiError('forbidden', 'view-as is for a signed-in ops user (not a service key)');
      if (principal.credential.type === 'view_as') throw new ApiError('forbidden', 'a view-as token cannot mint another');
      // The contact's view may reach past what a narrowed key sees.
      if (principal.limits !== null && (principal.limits.clientId !== null || principal.limits.worksiteId !== null)) {
        throw new ApiError('forbidden', 'a key narrowed to a client or worksite cannot mint view-as tokens');
      }
      const at = now();
      const minted = await store.unitOfWork(async (tx) => {
        const access = await loadAccess(tx, principal, at);
        const contact = await tx.canonical.getScoped('contact', body.contactId, scopeOf(access, 'contact'));
        if (!contact || contact.deletedAt !== null || contact.fields['status'] !== 'active') throw new ApiError('invalid', `contact ${body.contactId} not found or not active`);
        return createSession(tx, {
          kind: 'view_as', principalKind: 'contact', principalId: contact.id, onBehalfOf: principal.id, readOnly: true,
          ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null,
        }, at);
      });
      c.set('audit', { action: 'view_as.mint', targetType: 'contact', targetId: body.contactId });
      return c.json({ token: minted.token, expiresAt: minted.row.expiresAt, contactId: body.contactId }, 201);
    },
  });

  // ---- the access audit

  api.route({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    summary: 'The access audit, newest first (ops admins)',
    tag: 'access',
    access: 'audit.read',
    query: AuditQuery,
    responses: { 200: { description: 'a page of audit events', schema: z.strictObject({ data: z.array(AuditView), next: z.string().nullable() }) } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.audit.list({
        limit: q.limit + 1, ...opt('actorType', q.actorType), ...opt('actorId', q.actorId), ...opt('action', q.action), ...opt('targetType', q.targetType),
        ...opt('targetId', q.targetId), ...opt('outcome', q.outcome), ...opt('since', q.since), ...opt('until', q.until), ...opt('beforeSeq', q.before),
      });
      const data = rows.slice(0, q.limit);
      const last = data[data.length - 1];
      return c.json({ data: data.map(toAudit), next: rows.length > q.limit && last?.seq !== undefined ? String(last.seq) : null });
    },
  });
}
