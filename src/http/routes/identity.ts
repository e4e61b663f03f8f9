import { z } from 'zod';
import { Engine, IdentityReviews, type IdentityDecision } from '../../engine/index.ts';
import { Id } from '../../model/index.ts';
import type { IdentityReviewRow } from '../../store/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { actorFor } from '../caller.ts';
import { After, EntityNameSchema, IdParam, Limit, opt, Page, pageOf, Single } from '../schemas/common.ts';

const IdentityQuery = z.strictObject({
  status: z.enum(['open', 'linked', 'split', 'all']).default('open'),
  system: z.string().min(1).max(100).optional(),
  entity: EntityNameSchema.optional(),
  after: After,
  limit: Limit,
});

// Who decides is the authenticated principal (recorded in the ledger), never a name in the body.
const Decision = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional(),
});
const LinkBody = Decision.extend({ canonicalId: Id.meta({ description: 'the canonical record the parked record is' }) });

const IdentityReviewView = z.strictObject({
  id: z.string(),
  system: z.string(),
  entity: z.string(),
  externalId: z.string(),
  status: z.enum(['open', 'linked', 'split']),
  reason: z.string(),
  evidence: z.strictObject({
    keys: z.array(z.strictObject({ key: z.string(), strength: z.enum(['strong', 'weak']), value: z.string(), matches: z.array(z.string()) })),
    candidates: z.array(
      z.strictObject({
        canonicalId: z.string(),
        matched: z.array(z.string()),
        differs: z.array(z.strictObject({ key: z.string(), incoming: z.string(), current: z.string().nullable() })),
      }),
    ),
  }).meta({ description: 'the keys the record carries and what each matched; per candidate, the keys it shares and the ones that differ' }),
  openedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  canonicalId: z.string().nullable(),
});

function toView(r: IdentityReviewRow): z.infer<typeof IdentityReviewView> {
  return {
    id: r.id, system: r.system, entity: r.entity, externalId: r.externalId, status: r.status, reason: r.reason, evidence: r.evidence,
    openedAt: r.openedAt, decidedAt: r.decidedAt, decidedBy: r.decidedBy, canonicalId: r.canonicalId,
  };
}

const DecisionView = z.strictObject({ data: IdentityReviewView, canonicalId: z.string() });
const decisionView = (d: IdentityDecision) => ({ data: toView(d.review), canonicalId: d.canonicalId });

/**
 * The identity review queue over HTTP: the same list, link and split as `crosswalk identity`. The
 * queue crosses clients (it holds any system's records), so it is for callers who see every client.
 */
export function registerIdentity(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now } = deps;
  const reviews = new IdentityReviews(new Engine(store, { policy, now }), now);

  api.route({
    method: 'get',
    path: '/api/v1/identity',
    operationId: 'listIdentityReviews',
    summary: 'Records waiting for a person to say which canonical record they are (open by default), with the evidence',
    tag: 'identity',
    access: 'sync.read',
    query: IdentityQuery,
    responses: { 200: { description: 'a page of identity questions', schema: Page(IdentityReviewView) } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.identity.list({
        limit: q.limit + 1,
        ...opt('status', q.status === 'all' ? undefined : q.status),
        ...opt('system', q.system),
        ...opt('entity', q.entity),
        ...opt('after', q.after),
      });
      return c.json(pageOf(rows, q.limit, (r) => r.id, toView));
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/identity/:id',
    operationId: 'getIdentityReview',
    summary: 'One identity question with its evidence',
    tag: 'identity',
    access: 'sync.read',
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the question', schema: Single(IdentityReviewView) } },
    handler: async ({ params }, c) => {
      const review = await store.repos.identity.get(params.id);
      if (!review) throw new ApiError('not_found', `identity review ${params.id} not found`);
      return c.json({ data: toView(review) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/identity/:id/link',
    operationId: 'linkIdentity',
    summary: 'The parked record is this canonical record: link it and merge under field ownership',
    description: 'Refused (409) when already answered, or when the link would give the canonical record a second record of the same system.',
    tag: 'identity',
    access: 'conflicts.resolve',
    params: IdParam,
    body: LinkBody,
    errors: ['not_found', 'refused', 'invalid'],
    responses: { 200: { description: 'the answered question', schema: DecisionView } },
    handler: async ({ params, body }, c) => c.json(decisionView(await reviews.link(params.id, body.canonicalId, actorFor(c), body.reason))),
  });

  api.route({
    method: 'post',
    path: '/api/v1/identity/:id/split',
    operationId: 'splitIdentity',
    summary: 'The parked record is none of the candidates: keep it apart as a canonical record of its own',
    tag: 'identity',
    access: 'conflicts.resolve',
    params: IdParam,
    body: Decision,
    errors: ['not_found', 'refused'],
    responses: { 200: { description: 'the answered question', schema: DecisionView } },
    handler: async ({ params, body }, c) => c.json(decisionView(await reviews.split(params.id, actorFor(c), body.reason))),
  });
}
