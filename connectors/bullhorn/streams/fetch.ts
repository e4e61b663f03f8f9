import type { HttpClient, VendorRecord } from '../../kit/index.ts';
import type { EntityInfo } from '../entities.ts';

/**
 * `GET entity/{Type}/{id1},{id2},…` (docs/vendors.md §1.2) in chunks. Bullhorn answers `{ data: {…} }`
 * for one id and `{ data: […] }` for several, leaving out ids it does not have; a 404 means none
 * was found. Soft-deleted records come back (with `isDeleted: true`) so the hub can tombstone them.
 */

/** Ids per call: keeps the URL short and the answer within one page (`count` ≤ 500). */
const CHUNK = 100;
const ID = /^\d{1,15}$/;

export async function fetchRecords(http: HttpClient, info: EntityInfo, ids: readonly string[], fields: string): Promise<VendorRecord[]> {
  // An id that is not a Bullhorn id cannot exist there: left out, like an unknown one.
  const wanted = [...new Set(ids.filter((id) => ID.test(id)))];
  const out: VendorRecord[] = [];
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const chunk = wanted.slice(i, i + CHUNK);
    const response = await http.get(`entity/${info.name}/${chunk.join(',')}`, { fields, count: chunk.length }, { accept: [404] });
    if (response.status === 404) continue;
    const data: unknown = typeof response.data === 'object' && response.data !== null && 'data' in response.data ? response.data.data : undefined;
    const items: readonly unknown[] = Array.isArray(data) ? data : [data];
    for (const item of items) {
      if (typeof item === 'object' && item !== null && 'id' in item && chunk.includes(String(item.id))) out.push(item);
    }
  }
  return out;
}
