import { z } from 'zod';
import { loadAccess, scopeOf, type Access } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import { Id, IsoDate } from '../../model/index.ts';
import { IDS, type CanonicalRow, type FieldMap, type Repos, type SqlScope } from '../../store/index.ts';
import { principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { BULK_TOKEN_TTL_MS, newBulkKey, readBulkToken, setDigest, signBulkToken, tokenMatches } from '../portal/bulk-token.ts';
import type { RouteRegistrar } from '../route.ts';
import { moveTimeEntry } from '../portal/time-move.ts';

/** At most this many entries in one bulk approval: a preview beyond it asks for a narrower filter. */
export const BULK_MAX = 500;

const Filter = z.strictObject({
  worksiteId: Id.optional(),
  assignmentId: Id.optional(),
  workDateFrom: IsoDate.optional(),
  workDateTo: IsoDate.optional(),
});
type Filter = z.infer<typeof Filter>;

const Preview = z.strictObject({
  data: z.strictObject({
    ids: z.array(z.string()).meta({ description: 'exactly the entries the approval will take, sorted' }),
    count: z.number(),
    token: z.string().meta({ description: 'pass to bulk-approve; bound to you, this set and its revisions' }),
    expiresAt: z.string(),
  }),
});

const BulkResult = z.strictObject({
  data: z.array(z.strictObject({ id: z.string(), status: z.literal('approved'), payrollHeldUntil: z.string().nullable() })),
});

/** The submitted entries the caller may approve that the filter selects, by id. */
async function selection(tx: Repos, access: Access, filter: Filter): Promise<CanonicalRow[]> {
  const approverAt = [...access.worksites].filter(([, roles]) => roles.has('approver')).map(([id]) => id);
  // Optional filters become clauses only when given: PostgreSQL cannot type a bare `? IS NULL`.
  const assignmentWhere = [`worksite_id IN ${IDS}`, ...(filter.worksiteId !== undefined ? ['worksite_id = ?'] : [])];
  const entryWhere = [
    `assignment_id IN (SELECT id FROM assignments WHERE ${assignmentWhere.join(' AND ')})`,
    ...(filter.assignmentId !== undefined ? ['assignment_id = ?'] : []),
    ...(filter.workDateFrom !== undefined ? ['work_date >= ?'] : []),
    ...(filter.workDateTo !== undefined ? ['work_date <= ?'] : []),
  ];
  const mine: SqlScope = {
    sql: entryWhere.join(' AND '),
    params: [JSON.stringify(approverAt), ...[filter.worksiteId, filter.assignmentId, filter.workDateFrom, filter.workDateTo].filter((v): v is string => v !== undefined)],
  };
  const scope = scopeOf(access, 'time_entry');
  const both: SqlScope = scope === undefined ? mine : { sql: `(${scope.sql}) AND (${mine.sql})`, params: [...scope.params, ...mine.params] };
  return tx.canonical.list('time_entry', { where: { status: 'submitted' }, limit: BULK_MAX + 1, scope: both });
}

function filterOf(f: Filter): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter((kv): kv is [string, string] => typeof kv[1] === 'string'));
}

/**
 * Bulk approval with a confirmation (decision 0018): a preview returns the exact
 * entries and a token over them; the approval recomputes the selection and approves exactly those
 * when the token matches, in one unit of work, or nothing (409) when the set changed.
 */
export function registerBulkApprove(api: RouteRegistrar, deps: ResolvedDeps, approveExtra: (p: Principal) => (at: string, entry: CanonicalRow) => FieldMap): void {
  const { store, now } = deps;
  // Derived from the hub's key ring when there is one, so a preview made by one API process (or
  // before a restart) confirms on another; a store without a ring keeps a per-process key.
  const key = deps.bulkTokenKey ?? store.keyring?.mac('time-entries/bulk-approve-token', 'key') ?? newBulkKey();

  api.route({
    method: 'post',
    path: '/api/v1/time-entries/bulk-approve/preview',
    operationId: 'previewBulkApprove',
    summary: 'Preview a bulk approval: the exact entries and a confirmation token',
    description: `Selects the submitted entries the caller may approve matching the filter (at most ${BULK_MAX}). The token expires in ten minutes and is bound to the caller and to each entry's revision.`,
    tag: 'portal',
    access: 'time.approve',
    audit: false,
    body: Filter,
    bodyOptional: true,
    errors: ['invalid'],
    responses: { 200: { description: 'the entries and the token', schema: Preview } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const at = now();
      const rows = await selection(store.repos, await loadAccess(store.repos, principal, at), body);
      if (rows.length > BULK_MAX) throw new ApiError('invalid', `more than ${BULK_MAX} entries match: narrow the filter (worksite, assignment, work dates)`);
      const exp = Date.parse(at) + BULK_TOKEN_TTL_MS;
      const token = signBulkToken(key, { principal: actorOf(principal), filter: filterOf(body), exp }, setDigest(rows));
      return c.json({ data: { ids: rows.map((r) => r.id).sort(), count: rows.length, token, expiresAt: new Date(exp).toISOString() } });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/time-entries/bulk-approve',
    operationId: 'bulkApprove',
    summary: 'Approve exactly the previewed entries, with the preview’s token',
    description: '409 and nothing approved when the token has expired, is another caller’s, or no longer matches the entries the filter selects (one added, approved, rejected or changed since the preview).',
    tag: 'portal',
    access: 'time.approve',
    body: z.strictObject({ token: z.string().min(10).max(4000), comment: z.string().trim().min(1).max(1000).optional() }),
    errors: ['refused', 'invalid'],
    responses: { 200: { description: 'one result per entry', schema: BulkResult } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const payload = readBulkToken(body.token);
      if (payload === null) throw new ApiError('invalid', 'token is not a bulk-approval token');
      const results = await store.unitOfWork(async (tx) => {
        const at = now();
        if (payload.principal !== actorOf(principal)) throw new ApiError('refused', 'this token was issued to someone else: preview again');
        if (Date.parse(at) > payload.exp) throw new ApiError('refused', 'the token has expired: preview again');
        const filter = Filter.safeParse(payload.filter);
        if (!filter.success) throw new ApiError('invalid', 'token carries no valid filter');
        const rows = await selection(tx, await loadAccess(tx, principal, at), filter.data);
        if (!tokenMatches(key, body.token, setDigest(rows))) throw new ApiError('refused', 'the entries changed since the preview (added, approved, rejected or edited): nothing was approved; preview again');
        const out: Array<z.infer<typeof BulkResult>['data'][number]> = [];
        for (const row of [...rows].sort((a, b) => a.id.localeCompare(b.id))) {
          await moveTimeEntry(tx, deps, row.id, { to: 'approved', principal, needsApprover: true, extra: approveExtra(principal), event: 'time.approved', comment: body.comment ?? 'bulk approval' }, at);
          const after = await tx.canonical.get('time_entry', row.id);
          const held = after?.fields['payrollHeldUntil'];
          out.push({ id: row.id, status: 'approved', payrollHeldUntil: typeof held === 'string' ? held : null });
        }
        return out;
      });
      return c.json({ data: results });
    },
  });
}
