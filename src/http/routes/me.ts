import { z } from 'zod';
import { scopeOf, visibleFields, type Access } from '../../access/policy.ts';
import { IDS, type SqlScope } from '../../store/index.ts';
import { accessFor, principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { RouteRegistrar } from '../route.ts';
import { After, Limit, opt, Page, pageOf } from '../schemas/common.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';

const WorksiteRoleView = z.strictObject({
  worksiteId: z.string(),
  roles: z.array(z.enum(['requester', 'approver', 'billing', 'hr'])),
  delegateFor: z.string().nullable().optional().meta({ description: 'set when the approval is a delegation: the approver stood in for' }),
});

const MeView = z.strictObject({
  principal: z.strictObject({
    kind: z.enum(['contact', 'user', 'service', 'bootstrap']),
    id: z.string(),
    clientId: z.string().nullable(),
    email: z.string().nullable(),
    role: z.string().nullable().meta({ description: 'the internal role (users and services)' }),
    onBehalfOf: z.string().nullable().meta({ description: 'the ops user behind a view-as token' }),
    readOnly: z.boolean(),
    credential: z.string(),
  }),
  clientAdminOf: z.array(z.string()),
  worksites: z.array(WorksiteRoleView),
  everything: z.boolean().meta({ description: 'sees every client (ops_admin, viewer)' }),
});

function meView(access: Access): z.infer<typeof MeView> {
  const p = access.principal;
  return {
    principal: {
      kind: p.kind,
      id: p.id,
      clientId: p.kind === 'contact' ? p.clientId : null,
      email: p.kind === 'contact' ? p.email : p.kind === 'user' ? p.email : null,
      role: p.kind === 'user' || p.kind === 'service' ? p.role : null,
      onBehalfOf: p.kind === 'contact' ? p.onBehalfOf : null,
      readOnly: p.readOnly,
      credential: p.credential.type,
    },
    clientAdminOf: [...access.adminClients],
    worksites: [...access.worksites].map(([worksiteId, roles]) => ({
      worksiteId,
      roles: [...roles].sort(),
      ...(access.delegations.has(worksiteId) ? { delegateFor: access.delegations.get(worksiteId) ?? null } : {}),
    })),
    everything: access.everything,
  };
}

/** Both scopes at once: what the caller may see AND what a second rule narrows to. */
function both(a: SqlScope | undefined, b: SqlScope): SqlScope {
  return a === undefined ? b : { sql: `(${a.sql}) AND (${b.sql})`, params: [...a.params, ...b.params] };
}

/**
 * The portal's own view of the caller: who it is, where it holds which role, and what waits for it.
 * Everything else a contact reads goes through the scoped records routes.
 */
export function registerMe(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;

  api.route({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'getMe',
    summary: 'The authenticated principal, its roles and worksites',
    tag: 'portal',
    access: 'me.read',
    responses: { 200: { description: 'who you are here', schema: z.strictObject({ data: MeView }) } },
    handler: async (_input, c) => {
      principalOf(c);
      return c.json({ data: meView(await accessFor(c, store.repos, now())) });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/me/worksites',
    operationId: 'listMyWorksites',
    summary: 'The worksites the caller holds a role at (for ops: every worksite it may see)',
    tag: 'portal',
    access: 'records.read',
    query: z.strictObject({ limit: Limit, after: After }),
    responses: { 200: { description: 'a page of worksites', schema: Page(recordView('worksite')) } },
    handler: async ({ query }, c) => {
      const access = await accessFor(c, store.repos, now());
      const rows = await store.repos.canonical.list('worksite', { limit: query.limit + 1, ...opt('after', query.after), ...opt('scope', scopeOf(access, 'worksite')) });
      return c.json(pageOf(rows, query.limit, (r) => r.id, (r) => toVisibleRecord(r, visibleFields(access, 'worksite'))));
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/me/approvals',
    operationId: 'listMyApprovals',
    summary: 'Submitted time entries waiting for the caller’s approval (its approver roles and delegations)',
    tag: 'portal',
    access: 'records.read',
    audit: { action: 'time_entry.list', targetType: 'time_entry' },
    query: z.strictObject({ limit: Limit, after: After }),
    responses: { 200: { description: 'a page of submitted time entries', schema: Page(recordView('time_entry')) } },
    handler: async ({ query }, c) => {
      const access = await accessFor(c, store.repos, now());
      const approverAt = [...access.worksites].filter(([, roles]) => roles.has('approver')).map(([id]) => id);
      const mine: SqlScope = {
        sql: `assignment_id IN (SELECT id FROM assignments WHERE worksite_id IN ${IDS})`,
        params: [JSON.stringify(approverAt)],
      };
      const scope = both(scopeOf(access, 'time_entry'), mine);
      const rows = await store.repos.canonical.list('time_entry', { where: { status: 'submitted' }, limit: query.limit + 1, ...opt('after', query.after), scope });
      return c.json(pageOf(rows, query.limit, (r) => r.id, (r) => toVisibleRecord(r, visibleFields(access, 'time_entry'))));
    },
  });
}
