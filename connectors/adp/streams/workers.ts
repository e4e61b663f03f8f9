import { z } from 'zod';
import { NotFoundError, type PullPage, type PullRequest, type VendorRecord } from '../../kit/index.ts';
import type { AdpClient } from '../client.ts';

/** Lenient at the edge: the AOID is all the hub requires; new ADP fields pass through. */
const Worker = z.looseObject({ associateOID: z.string().min(1) });
const Workers = z.looseObject({ workers: z.array(Worker).default([]) });
/** ADP's documented example pages by 100; larger `$top` values are not promised (§4.2). */
const MAX_TOP = 100;

/**
 * One page of `GET /hr/v2/workers` by `$top`/`$skip`. A 204 (No Content) is ADP's answer past the
 * last page: an empty last page, not an error. A short page is the last one, so the 204 is only
 * met when the count is an exact multiple of the page size.
 */
export async function pullWorkers(client: AdpClient, request: PullRequest): Promise<PullPage> {
  const top = Math.min(Math.max(1, request.pageSize ?? MAX_TOP), MAX_TOP);
  const skip = typeof request.cursor?.['skip'] === 'number' ? request.cursor['skip'] : 0;
  const response = await client.http.get('/hr/v2/workers', { $top: top, $skip: skip });
  if (response.status === 204) return { records: [], next: null };
  const records: VendorRecord[] = Workers.parse(response.data).workers;
  return { records, next: records.length < top ? null : { skip: skip + records.length } };
}

/** Workers by AOID, one GET each; an AOID ADP does not know (404, or a 204) is left out. */
export async function fetchWorkers(client: AdpClient, ids: readonly string[]): Promise<VendorRecord[]> {
  const out: VendorRecord[] = [];
  for (const aoid of ids) {
    try {
      const response = await client.http.get(`/hr/v2/workers/${encodeURIComponent(aoid)}`);
      if (response.status === 204) continue;
      out.push(...Workers.parse(response.data).workers.filter((w) => w.associateOID === aoid));
    } catch (err) {
      if (err instanceof NotFoundError) continue;
      throw err;
    }
  }
  return out;
}
