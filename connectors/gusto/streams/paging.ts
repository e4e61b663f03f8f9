import type { HttpRequest, PageCursor, PullPage, PullRequest, VendorRecord } from '../../kit/index.ts';
import { MAX_PER_PAGE, type GustoClient } from '../client.ts';
import { changedSince } from './changes.ts';

/**
 * Gusto keeps about 30 days of events: an older `since` cannot be served from the feed (the changes
 * before its oldest event are gone), so such a pull reads the full listing instead.
 */
const FEED_REACH_MS = 25 * 24 * 60 * 60 * 1000;

/**
 * One page of a pull: from the events feed when `since` is recent enough (see `changedPage`),
 * else from the full listing. The cursor's shape keeps a run on the path its first page took.
 */
export function pullFrom(
  client: GustoClient,
  entity: string,
  request: PullRequest,
  listing: { readonly path: () => Promise<string>; readonly query: HttpRequest['query']; readonly parse: (data: unknown) => VendorRecord[] },
  fetch: (ids: readonly string[]) => Promise<VendorRecord[]>,
): Promise<PullPage> {
  const now = (client.ctx.now ?? Date.now)();
  const fromFeed = request.cursor === null
    ? request.since !== null && Date.parse(request.since) > now - FEED_REACH_MS
    : typeof request.cursor['changed'] === 'string';
  if (fromFeed && request.since !== null) return changedPage(client, entity, { ...request, since: request.since }, fetch);
  return listing.path().then((path) => offsetPage(client, path, request, listing.query, listing.parse));
}

export function perPage(request: Pick<PullRequest, 'pageSize'>): number {
  return Math.min(Math.max(1, request.pageSize ?? MAX_PER_PAGE), MAX_PER_PAGE);
}

/**
 * One page of a full listing. Gusto pages by offset (`page`, `per`) in creation order: a record
 * created during the run lands on a later page (read), one hard-deleted during the run shifts the
 * rest back by one, so the next page may skip one record — reconciliation and the events feed
 * catch that one. The last page is the one `X-Total-Pages` names (or a short page without it).
 */
export async function offsetPage(
  client: GustoClient,
  path: string,
  request: PullRequest,
  query: HttpRequest['query'],
  parse: (data: unknown) => VendorRecord[],
): Promise<PullPage> {
  const page = typeof request.cursor?.['page'] === 'number' ? request.cursor['page'] : 1;
  const per = perPage(request);
  const result = await client.listPage(path, page, per, query);
  const records = parse(result.data);
  const last = result.totalPages === null ? records.length < per : page >= result.totalPages;
  return { records, next: last ? null : { page: page + 1 }, ...(result.total === null ? {} : { total: result.total }) };
}

/**
 * A pull with `since`: the records the events feed names as changed since then (Gusto's listings
 * have no modified-since filter). The first page reads the feed and keeps the remaining ids in the
 * cursor, so later pages only fetch; a record changed twice is returned once.
 */
export async function changedPage(
  client: GustoClient,
  entity: string,
  request: PullRequest & { readonly since: string },
  fetch: (ids: readonly string[]) => Promise<VendorRecord[]>,
): Promise<PullPage> {
  const fromCursor = request.cursor?.['changed'];
  const ids = typeof fromCursor === 'string' ? fromCursor.split(',').filter((id) => id !== '') : await changedSince(client, entity, request.since);
  const total = typeof request.cursor?.['total'] === 'number' ? request.cursor['total'] : ids.length;
  const per = perPage(request);
  const chunk = ids.slice(0, per);
  const rest = ids.slice(per);
  const records = chunk.length > 0 ? await fetch(chunk) : [];
  const next: PageCursor | null = rest.length > 0 ? { changed: rest.join(','), total } : null;
  return { records, next, total };
}
