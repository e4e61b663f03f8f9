import type { VendorRecord } from '../../kit/index.ts';
import { pathOf, type GustoClient } from '../client.ts';
import { Compensation, Job } from '../schemas.ts';
import { fetchEach } from './one-by-one.ts';

/*
 * Jobs and compensations are written, not pulled (their changes arrive as `employee.updated` and
 * the employee nests them); reading them by id serves a push's re-read after a version conflict.
 */

export function fetchJobs(client: GustoClient, ids: readonly string[]): Promise<VendorRecord[]> {
  return fetchEach(ids, async (id) => Job.parse((await client.http.get(pathOf`/v1/jobs/${id}`)).data));
}

export function fetchCompensations(client: GustoClient, ids: readonly string[]): Promise<VendorRecord[]> {
  return fetchEach(ids, async (id) => Compensation.parse((await client.http.get(pathOf`/v1/compensations/${id}`)).data));
}
