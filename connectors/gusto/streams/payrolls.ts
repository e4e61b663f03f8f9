import type { PullPage, PullRequest, VendorRecord } from '../../kit/index.ts';
import { pathOf, type GustoClient } from '../client.ts';
import { ENTITY } from '../manifest.ts';
import { Payroll, Payrolls } from '../schemas.ts';
import { fetchEach } from './one-by-one.ts';
import { pullFrom } from './paging.ts';

/*
 * Payrolls, read-only, for reconciling hours paid with hours approved: processed and open ones,
 * with `employee_compensations` (hourly compensations per job, hours as decimal strings) and
 * `totals`, which the listing leaves out unless asked.
 */

const LIST_QUERY = { processing_statuses: 'processed,unprocessed', include: 'employee_compensations,totals' };

export function pullPayrolls(client: GustoClient, request: PullRequest): Promise<PullPage> {
  return pullFrom(
    client, ENTITY.payrolls, request,
    { path: async () => pathOf`/v1/companies/${await client.companyUuid()}/payrolls`, query: LIST_QUERY, parse: (data) => Payrolls.parse(data) },
    (ids) => fetchPayrolls(client, ids),
  );
}

export async function fetchPayrolls(client: GustoClient, ids: readonly string[]): Promise<VendorRecord[]> {
  const company = await client.companyUuid();
  return fetchEach(ids, async (id) => Payroll.parse((await client.http.get(pathOf`/v1/companies/${company}/payrolls/${id}`)).data));
}
