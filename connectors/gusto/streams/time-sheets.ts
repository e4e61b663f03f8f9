import type { PullPage, PullRequest, VendorRecord } from '../../kit/index.ts';
import { pathOf, type GustoClient } from '../client.ts';
import { ENTITY } from '../manifest.ts';
import { TimeSheet, TimeSheets } from '../schemas.ts';
import { fetchEach } from './one-by-one.ts';
import { pullFrom } from './paging.ts';

/** Time sheets of the company's employees (Time Tracking API), every status. */
export function pullTimeSheets(client: GustoClient, request: PullRequest): Promise<PullPage> {
  return pullFrom(
    client, ENTITY.timeSheets, request,
    {
      path: async () => pathOf`/v1/companies/${await client.companyUuid()}/time_tracking/time_sheets`,
      query: { entity_type: 'Employee' },
      parse: (data) => TimeSheets.parse(data),
    },
    (ids) => fetchTimeSheets(client, ids),
  );
}

export function fetchTimeSheets(client: GustoClient, ids: readonly string[]): Promise<VendorRecord[]> {
  return fetchEach(ids, async (id) => TimeSheet.parse((await client.http.get(pathOf`/v1/time_tracking/time_sheets/${id}`)).data));
}
