import { z } from 'zod';
import { ConnectorConfigError, TransientError, type HttpClient, type PageCursor, type PullPage, type PullRequest } from '../../kit/index.ts';
import type { EntityInfo } from '../entities.ts';

/**
 * Paging a Bullhorn listing (search for indexed types, query for the rest) so that a run never
 * skips or repeats a record while records change under it.
 *
 * Order: by id. Ids never change and new records get higher ids, so a record modified or
 * soft-deleted mid-run keeps its place (it is read once, before or after the change), and a record
 * created mid-run lands after everything read so far. Soft-deleted rows are not filtered out: the
 * hub tombstones from them.
 *
 * Position: Bullhorn pages by offset (`start`/`count`). An offset stays right only while no record
 * before it leaves or joins the listing (a Placement hard-deleted; in an incremental run, a record
 * modified mid-run that now matches `dateLastModified >= since`). So every page after the first
 * re-reads the last record of the previous page: if the row at `start - 1` is still that record,
 * every row after it has a higher id and follows it exactly, whatever changed before it. If it is
 * not, the run switches to keyset pages (`id > lastId`) for the rest of the run — exact, and
 * cheap on Bullhorn's database, but a new filter per page. Records that join the listing behind
 * the position are caught by the next incremental run, whose `since` is this run's start.
 */

/**
 * Bullhorn's cap on `count` (docs/vendors.md §1.2: commonly 500 for search and query). A listing may
 * cap lower and return fewer rows than asked, so the end is where the listing's `total` is
 * reached (or a page comes back empty), never "a short page".
 */
export const MAX_PAGE_SIZE = 500;

const Envelope = z.looseObject({ total: z.number().int().nonnegative(), data: z.array(z.unknown()) });

type Mode = 'offset' | 'keyset';

interface Position {
  readonly mode: Mode;
  /** Offset of the next record to read (offset mode). */
  readonly start: number;
  /** Id of the last record returned; 0 before the first. */
  readonly lastId: number;
  /** Records returned so far in this run (keyset totals). */
  readonly seen: number;
}

export interface ListingRequest extends Omit<PullRequest, 'fields'> {
  readonly fields: string;
}

export async function listPage(http: HttpClient, systemId: string, info: EntityInfo, request: ListingRequest): Promise<PullPage> {
  const pageSize = Math.min(Math.max(Math.trunc(request.pageSize ?? MAX_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const sinceMs = sinceOf(systemId, request.since);
  const position = positionOf(request.cursor);

  if (position.mode === 'offset') {
    const overlap = position.start > 0 ? 1 : 0;
    const count = Math.min(pageSize + overlap, MAX_PAGE_SIZE);
    const page = await list(http, info, { fields: request.fields, sinceMs, afterId: null, start: position.start - overlap, count });
    const first = page.rows[0];
    if (overlap === 0 || (first !== undefined && first.id === position.lastId)) {
      const records = page.rows.slice(overlap);
      const end = records.length === 0 || position.start - overlap + page.rows.length >= page.total;
      return result(records, end, { ...position, start: position.start + records.length }, page.total);
    }
    // The record at start - 1 moved: continue by id from here on.
  }

  const page = await list(http, info, { fields: request.fields, sinceMs, afterId: position.lastId, start: 0, count: pageSize });
  const end = page.rows.length === 0 || page.rows.length >= page.total;
  return result(page.rows, end, { ...position, mode: 'keyset', start: 0 }, position.seen + page.total);
}

interface Row extends Record<string, unknown> {
  readonly id: number;
}

function result(records: readonly Row[], end: boolean, position: Position, total: number): PullPage {
  const last = records.at(-1);
  const next: Position = { ...position, lastId: last?.id ?? position.lastId, seen: position.seen + records.length };
  return { records, next: end || records.length === 0 ? null : encode(next), total };
}

interface ListCall {
  readonly fields: string;
  readonly sinceMs: number | null;
  /** Keyset: only ids above this one. Null: the whole listing (a filter that stays the same across pages). */
  readonly afterId: number | null;
  readonly start: number;
  readonly count: number;
}

async function list(http: HttpClient, info: EntityInfo, call: ListCall): Promise<{ rows: Row[]; total: number }> {
  const query = info.searchable
    ? { query: luceneFilter(call), sort: 'id', fields: call.fields, start: call.start, count: call.count }
    : { where: jpqlFilter(call), orderBy: 'id', fields: call.fields, start: call.start, count: call.count };
  const response = await http.get(`${info.searchable ? 'search' : 'query'}/${info.name}`, query);
  const envelope = Envelope.safeParse(response.data);
  if (!envelope.success) throw listingShapeError(http.systemId, info.name, 'a { total, data } envelope');
  const rows: Row[] = [];
  for (const item of envelope.data.data) {
    if (typeof item !== 'object' || item === null || !('id' in item) || typeof item.id !== 'number') {
      throw listingShapeError(http.systemId, info.name, 'rows with a numeric id');
    }
    // Search rows carry a relevance score; records look the same whichever listing they came from.
    if ('_score' in item) delete (item as { _score?: unknown })._score;
    rows.push(item as Row);
  }
  return { rows, total: envelope.data.total };
}

function luceneFilter(call: ListCall): string {
  const clauses = [call.afterId === null ? 'id:[0 TO *]' : `id:{${call.afterId} TO *}`];
  if (call.sinceMs !== null) clauses.push(`dateLastModified:[${luceneTimestamp(call.sinceMs)} TO *]`);
  return clauses.join(' AND ');
}

function jpqlFilter(call: ListCall): string {
  const clauses = [`id > ${call.afterId ?? 0}`];
  if (call.sinceMs !== null) clauses.push(`dateLastModified >= ${call.sinceMs}`);
  return clauses.join(' AND ');
}

/**
 * `yyyyMMddHHmmss` in UTC, rounded down to the second, as most clients send search ranges
 * (docs/vendors.md §1.2; the index may or may not take epoch ms). Rounding down only widens the window.
 */
export function luceneTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

function sinceOf(systemId: string, since: string | null): number | null {
  if (since === null) return null;
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw ConnectorConfigError.forSystem(systemId, `since "${since}" is not an ISO date-time`, 'misconfigured');
  return ms;
}

function positionOf(cursor: PageCursor | null): Position {
  if (cursor === null) return { mode: 'offset', start: 0, lastId: 0, seen: 0 };
  const num = (key: string): number => {
    const value = cursor[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
  };
  return { mode: cursor['mode'] === 'keyset' ? 'keyset' : 'offset', start: num('start'), lastId: num('lastId'), seen: num('seen') };
}

function encode(position: Position): PageCursor {
  return { mode: position.mode, start: position.start, lastId: position.lastId, seen: position.seen };
}

/** A 200 that is not a listing (a proxy's page, a truncated body): worth another try, not an ops problem. */
function listingShapeError(systemId: string, entity: string, expected: string): TransientError {
  return new TransientError(`${entity} listing did not answer with ${expected}`, { systemId, method: 'GET', path: entity, status: 200 });
}
