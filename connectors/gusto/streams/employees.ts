import type { PullPage, PullRequest, VendorRecord } from '../../kit/index.ts';
import { MAX_PER_PAGE, pathOf, type GustoClient } from '../client.ts';
import { ENTITY } from '../manifest.ts';
import { Employees } from '../schemas.ts';
import { pullFrom } from './paging.ts';

/*
 * Employees: a full pull lists every employee of the company, terminated ones included (the hub
 * decides what a termination means). `include=custom_fields` always, so a record reads the same
 * whether it came from a listing, a fetch by id or a push's read-back.
 */

const INCLUDE = 'custom_fields';

export function pullEmployees(client: GustoClient, request: PullRequest): Promise<PullPage> {
  return pullFrom(
    client, ENTITY.employees, request,
    { path: async () => pathOf`/v1/companies/${await client.companyUuid()}/employees`, query: { include: INCLUDE }, parse: (data) => Employees.parse(data) },
    (ids) => fetchEmployees(client, ids),
  );
}

/** By uuid, 100 at a time through the listing's `uuids` filter; unknown uuids are simply absent. */
export async function fetchEmployees(client: GustoClient, ids: readonly string[]): Promise<VendorRecord[]> {
  const company = await client.companyUuid();
  const wanted = [...new Set(ids)];
  const out: VendorRecord[] = [];
  for (let i = 0; i < wanted.length; i += MAX_PER_PAGE) {
    const chunk = wanted.slice(i, i + MAX_PER_PAGE);
    const page = await client.listPage(pathOf`/v1/companies/${company}/employees`, 1, MAX_PER_PAGE, { uuids: chunk.join(','), include: INCLUDE });
    const found = new Set(chunk);
    out.push(...Employees.parse(page.data).filter((employee) => found.has(employee.uuid)));
  }
  return out;
}
