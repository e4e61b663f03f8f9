import { z } from 'zod';
import { NotFoundError, type PullPage, type PullRequest, type VendorRecord } from '../../kit/index.ts';
import { nextLink, type GreenhouseClient } from '../client.ts';
import { ENTITY, type GreenhouseEntity } from '../manifest.ts';

/** Lenient at the edge: an id is all the hub requires; new Greenhouse fields pass through. */
const Record = z.looseObject({ id: z.number().int() });
const List = z.array(Record);
const Offer = z.looseObject({ id: z.number().int(), starts_at: z.string().nullable().optional() });

/** The modified-since filter of each list (§2.4): applications have `last_activity_after`, no `updated_after`. */
const SINCE_PARAM: Readonly<Record<GreenhouseEntity, string>> = {
  [ENTITY.jobs]: 'updated_after',
  [ENTITY.candidates]: 'updated_after',
  [ENTITY.applications]: 'last_activity_after',
};
/** §2.2: 1–500 per page, 100 by default. */
const MAX_PER_PAGE = 500;

/**
 * One page of a Harvest list. The first request carries the filters and `per_page`; every later
 * one is the `next` link Greenhouse gave, followed as is (the doc: never build page URLs). The
 * cursor is that link's path and query, plain JSON for the queue. No Link header: the last page.
 */
export async function pullList(client: GreenhouseClient, entity: GreenhouseEntity, request: PullRequest): Promise<PullPage> {
  const path = `/v1/${entity}`;
  const next = typeof request.cursor?.['next'] === 'string' ? request.cursor['next'] : null;
  let response;
  if (next === null) {
    const query: Record<string, string | number> = { per_page: Math.min(Math.max(1, request.pageSize ?? 100), MAX_PER_PAGE) };
    if (request.since !== null) query[SINCE_PARAM[entity]] = new Date(request.since).toISOString();
    response = await client.get(path, query);
  } else {
    const url = new URL(next, client.ctx.baseUrl);
    response = await client.get(url.pathname, Object.fromEntries(url.searchParams));
  }
  const records = await withOffers(client, entity, List.parse(response.data).map((r) => derived(entity, r)));
  const following = nextLink(client, response.headers['link'], path, next !== null && request.cursor?.['classic'] === true);
  return { records, next: following === null ? null : { next: following.next, classic: following.classic } };
}

/** Single records by id (`GET /v1/<entity>/<id>`); ids Greenhouse no longer has are left out. */
export async function fetchList(client: GreenhouseClient, entity: GreenhouseEntity, ids: readonly string[]): Promise<VendorRecord[]> {
  const out: VendorRecord[] = [];
  for (const id of ids) {
    if (!/^\d+$/.test(id)) continue;
    try {
      const response = await client.get(`/v1/${entity}/${id}`);
      out.push(...(await withOffers(client, entity, [derived(entity, Record.parse(response.data))])));
    } catch (err) {
      if (err instanceof NotFoundError) continue;
      throw err;
    }
  }
  return out;
}

/**
 * What a mapping cannot express and the hub needs, added beside the vendor's own fields (never
 * replacing one): a job's count of open openings (`open_openings`), the requisition's `openings`.
 */
function derived(entity: GreenhouseEntity, record: z.infer<typeof Record>): VendorRecord {
  if (entity !== ENTITY.jobs || !Array.isArray(record['openings'])) return record;
  const open = record['openings'].filter((o: unknown) => typeof o === 'object' && o !== null && 'status' in o && o.status === 'open').length;
  return { ...record, open_openings: open };
}

/**
 * A hired application with its accepted offer (`current_offer`, from
 * `GET /v1/applications/{id}/offers/current_offer`): the hire mapping reads the start date there.
 * One more request per hire on the page; none for other applications. No current offer (404): null.
 */
async function withOffers(client: GreenhouseClient, entity: GreenhouseEntity, records: VendorRecord[]): Promise<VendorRecord[]> {
  if (entity !== ENTITY.applications) return records;
  const out: VendorRecord[] = [];
  for (const record of records) {
    if (record['status'] !== 'hired') {
      out.push(record);
      continue;
    }
    const response = await client.get(`/v1/applications/${String(record['id'])}/offers/current_offer`, undefined, { accept: [404] });
    out.push({ ...record, current_offer: response.status === 404 ? null : Offer.parse(response.data) });
  }
  return out;
}
