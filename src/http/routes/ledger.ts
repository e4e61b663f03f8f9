import { z } from 'zod';
import { Id, IsoDateTime } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { RouteRegistrar } from '../route.ts';
import { EntityNameSchema, Limit, opt, Page, pageOf } from '../schemas/common.ts';
import { LedgerEntryView, toLedgerEntry } from '../schemas/views.ts';

const LedgerQuery = z.strictObject({
  system: z.string().min(1).max(100).optional(),
  entity: EntityNameSchema.optional(),
  canonicalId: Id.optional(),
  outcome: z.enum(['applied', 'conflict', 'rejected', 'failed']).optional(),
  runId: Id.optional(),
  since: IsoDateTime.optional().meta({ description: 'entries at or after this instant' }),
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'a ledger sequence number')
    .optional()
    .meta({ description: 'keyset cursor: the `next` value of the previous page (a sequence number)' }),
  limit: Limit,
});

export function registerLedger(api: RouteRegistrar, deps: ResolvedDeps): void {
  api.route({
    method: 'get',
    path: '/api/v1/ledger',
    access: 'sync.read',
    operationId: 'listLedger',
    summary: 'The sync ledger, oldest first',
    description: 'Every change in or out, with its outcome and field diff. Unchanged records are counted in their run, not listed.',
    tag: 'ledger',
    query: LedgerQuery,
    responses: { 200: { description: 'a page of ledger entries', schema: Page(LedgerEntryView) } },
    handler: async ({ query: q }, c) => {
      const rows = await deps.store.repos.ledger.query({
        limit: q.limit + 1,
        ...opt('system', q.system),
        ...opt('entity', q.entity),
        ...opt('canonicalId', q.canonicalId),
        ...opt('outcome', q.outcome),
        ...opt('runId', q.runId),
        // The ledger stores UTC `…Z` text: compare like with like whatever offset the caller used.
        ...opt('since', q.since === undefined ? undefined : new Date(q.since).toISOString()),
        ...opt('afterSeq', q.after === undefined ? undefined : Number(q.after)),
      });
      return c.json(pageOf(rows, q.limit, (e) => String(e.seq ?? 0), toLedgerEntry));
    },
  });
}
