import type { PushRequest, PushResult } from '../../kit/index.ts';
import { pathOf, type GustoClient } from '../client.ts';
import { Job, Jobs } from '../schemas.ts';
import { changedKeys, externalIdOf, parentId, versionOf, withoutKeys } from './common.ts';

/*
 * An assignment is a Gusto job under the candidate's employee: `POST /v1/employees/{uuid}/jobs`
 * (title, hire_date), updated with the job's current version. The employee comes from the link of
 * the assignment's candidate (`related.candidateId`). The result's meta carries `employeeUuid`:
 * a time sheet for the assignment needs it and gets it from this link.
 *
 * No idempotency key: before creating, the employee's jobs are read and one with the same title
 * and hire date is adopted (a retried create, or a job that existed before the hub).
 */

export async function pushJob(client: GustoClient, request: PushRequest): Promise<PushResult> {
  const body = withoutKeys(request.body, ['employee_uuid', 'uuid', 'version']);
  if (request.op === 'update') {
    const uuid = externalIdOf(client, request);
    const current = Job.parse((await client.http.get(pathOf`/v1/jobs/${uuid}`)).data);
    const changes = changedKeys(current, body);
    if (Object.keys(changes).length > 0) await client.http.request({ method: 'PUT', path: pathOf`/v1/jobs/${uuid}`, body: { ...changes, version: current.version } });
    return confirm(client, uuid);
  }
  const employeeUuid = parentId(client, request, 'candidateId', 'employee_uuid', 'employee');
  const jobs = Jobs.parse((await client.http.get(pathOf`/v1/employees/${employeeUuid}/jobs`)).data);
  const same = jobs.find((job) => job.title === body['title'] && job.hire_date === body['hire_date']);
  if (same !== undefined) return confirm(client, same.uuid);
  const created = Job.parse((await client.http.request({ method: 'POST', path: pathOf`/v1/employees/${employeeUuid}/jobs`, body })).data);
  return confirm(client, created.uuid);
}

async function confirm(client: GustoClient, uuid: string): Promise<PushResult> {
  const confirmed = Job.parse((await client.http.get(pathOf`/v1/jobs/${uuid}`)).data);
  return { externalId: uuid, confirmed, meta: { ...versionOf(confirmed), ...(confirmed.employee_uuid === undefined ? {} : { employeeUuid: confirmed.employee_uuid }) } };
}
