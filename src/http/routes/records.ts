import { z } from 'zod';
import { ENTITIES, ENTITY_NAMES, type EntityName } from '../../model/index.ts';
import type { Scalar } from '../../store/index.ts';
import { scopeOf, visibleFields } from '../../access/policy.ts';
import { accessFor } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { After, IdParam, Limit, opt, Page, pageOf, QueryBool } from '../schemas/common.ts';
import { LedgerEntryView, LinkView, recordView, toLedgerEntry, toLink, toVisibleRecord } from '../schemas/views.ts';

/** How many of a record's own ledger entries its detail shows, newest first. */
const DETAIL_LEDGER_ENTRIES = 20;

const PAGING_KEYS = ['limit', 'after', 'includeDeleted'] as const;

/**
 * A query-string filter for one model field: numbers are coerced from text, and for a nullable field
 * the text `null` matches a missing value. The field's own schema validates the rest (an unknown
 * enum value is a 400, not an empty page).
 */
function filterFor(field: z.ZodType): { schema: z.ZodType; nullable: boolean } {
  let inner: z.ZodType = field;
  let nullable = false;
  while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional) {
    if (inner instanceof z.ZodNullable) nullable = true;
    inner = inner.unwrap() as z.ZodType;
  }
  const typed = inner instanceof z.ZodNumber ? z.coerce.number().pipe(inner) : inner;
  return { schema: nullable ? z.preprocess((v) => (v === 'null' ? null : v), typed.nullable()) : typed, nullable };
}

function listQuery(entity: EntityName) {
  const filters: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(ENTITIES[entity].schema.shape)) {
    if ((PAGING_KEYS as readonly string[]).includes(name)) throw new Error(`${entity}.${name} collides with a paging parameter`);
    const filter = filterFor(schema as z.ZodType);
    const description = `only records whose ${name} equals this${filter.nullable ? '; the text null matches records where it is empty' : ''}`;
    filters[name] = filter.schema.optional().meta({ description });
  }
  return z.strictObject({
    limit: Limit,
    after: After,
    includeDeleted: QueryBool.optional().meta({ description: 'include soft-deleted records (default false)' }),
    ...filters,
  });
}

/**
 * Reads the access audit records (list and detail): time, invoices, rates and documents. The other
 * entities' reads are not audited one by one (the audit would drown in them).
 */
const AUDITED_READS: ReadonlySet<EntityName> = new Set(['time_entry', 'time_entry_event', 'invoice', 'invoice_line', 'assignment_rate', 'document']);

const pascal = (entity: string) => entity.replace(/(^|_)([a-z])/g, (_m, _s: string, ch: string) => ch.toUpperCase());

/**
 * Canonical reads. One concrete route per entity (`/api/v1/records/time_entry`), not one generic
 * `:entity` route: each gets its own filter schema, so validation and the OpenAPI document list
 * exactly the fields that entity has.
 */
export function registerRecords(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  const { canonical, links, ledger } = store.repos;
  for (const entity of ENTITY_NAMES) {
    const view = recordView(entity);
    const query = listQuery(entity);
    api.route({
      method: 'get',
      path: `/api/v1/records/${entity}`,
      operationId: `list${pascal(entity)}`,
      summary: `List ${entity} records`,
      description:
        'Equality filters on any field of the entity; keyset paging in id (creation) order. Only the records the caller may see are listed (a contact: those of its worksites and roles), with only the fields it may see.',
      tag: 'records',
      access: 'records.read',
      ...(AUDITED_READS.has(entity) ? { audit: { action: `${entity}.list`, targetType: entity } } : {}),
      query,
      responses: { 200: { description: `a page of ${entity} records`, schema: Page(view) } },
      handler: async ({ query: q }, c) => {
        const { limit, after, includeDeleted, ...rest } = q as { limit: number; after?: string; includeDeleted?: boolean } & Record<string, Scalar | undefined>;
        const access = await accessFor(c, store.repos, now());
        const visible = visibleFields(access, entity);
        const where: Record<string, Scalar> = {};
        for (const [field, value] of Object.entries(rest)) {
          if (value === undefined) continue;
          // Filtering on a field one may not see would tell its value apart (a pay-rate oracle).
          if (visible !== null && !visible.has(field)) throw new ApiError('invalid_request', `query.${field}: not a field you can filter on`, [{ path: `query.${field}`, message: 'not visible to you' }]);
          where[field] = value;
        }
        const rows = await canonical.list(entity, {
          where, limit: limit + 1, includeDeleted: includeDeleted ?? false, ...opt('after', after), ...opt('scope', scopeOf(access, entity)),
        });
        return c.json(pageOf(rows, limit, (r) => r.id, (r) => toVisibleRecord(r, visible)));
      },
    });

    api.route({
      method: 'get',
      path: `/api/v1/records/${entity}/:id`,
      operationId: `get${pascal(entity)}`,
      summary: `One ${entity} record with its links and latest ledger entries`,
      description:
        'Soft-deleted records are returned too, with `deletedAt` set. A record outside what the caller may see answers 404, like a missing one. Links and ledger entries are for internal staff: a contact gets empty lists.',
      tag: 'records',
      access: 'records.read',
      ...(AUDITED_READS.has(entity) ? { audit: { action: `${entity}.read`, targetType: entity } } : {}),
      params: IdParam,
      errors: ['not_found'],
      responses: {
        200: {
          description: `the ${entity}`,
          schema: z.strictObject({
            data: view,
            links: z.array(LinkView),
            ledger: z.array(LedgerEntryView).meta({ description: `the latest ${DETAIL_LEDGER_ENTRIES} ledger entries, newest first` }),
          }),
        },
      },
      handler: async ({ params }, c) => {
        const access = await accessFor(c, store.repos, now());
        const row = await canonical.getScoped(entity, params.id, scopeOf(access, entity));
        if (!row) throw new ApiError('not_found', `${entity} ${params.id} not found`);
        const visible = visibleFields(access, entity);
        if (!access.internal) return c.json({ data: toVisibleRecord(row, visible), links: [], ledger: [] });
        const [linkRows, entries] = await Promise.all([
          links.byCanonical(entity, [row.id]),
          ledger.latestFor(entity, row.id, DETAIL_LEDGER_ENTRIES),
        ]);
        return c.json({ data: toVisibleRecord(row, visible), links: linkRows.map(toLink), ledger: entries.map(toLedgerEntry) });
      },
    });
  }

  api.route({
    method: 'get',
    path: '/api/v1/records/time_entry/:id/history',
    operationId: 'getTimeEntryHistory',
    summary: "A time entry's approval history (time_entry_event rows), oldest first",
    tag: 'records',
    access: 'records.read',
    audit: { action: 'time_entry.history', targetType: 'time_entry' },
    params: IdParam,
    query: z.strictObject({ limit: Limit, after: After }),
    errors: ['not_found'],
    responses: { 200: { description: 'the status changes of the time entry', schema: Page(recordView('time_entry_event')) } },
    handler: async ({ params, query }, c) => {
      const access = await accessFor(c, store.repos, now());
      const entry = await canonical.getScoped('time_entry', params.id, scopeOf(access, 'time_entry'));
      if (!entry) throw new ApiError('not_found', `time_entry ${params.id} not found`);
      const rows = await canonical.list('time_entry_event', {
        where: { timeEntryId: entry.id }, limit: query.limit + 1, includeDeleted: true, ...opt('after', query.after),
      });
      return c.json(pageOf(rows, query.limit, (r) => r.id, (r) => toVisibleRecord(r, visibleFields(access, 'time_entry_event'))));
    },
  });
}
