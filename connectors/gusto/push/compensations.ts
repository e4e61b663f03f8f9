import type { PushRequest, PushResult } from '../../kit/index.ts';
import { pathOf, type GustoClient } from '../client.ts';
import { Compensation } from '../schemas.ts';
import { changedKeys, externalIdOf, parentId, versionOf, withoutKeys } from './common.ts';

/*
 * An assignment rate is a compensation of the assignment's job (`related.assignmentId`): the rate
 * as a decimal string ("24.50") from an effective date. Gusto gives a new job a $0.00 hourly
 * compensation from its hire date, set with `PUT /v1/compensations/{uuid}` (with its version);
 * a later rate (a raise) is a new effective-dated compensation, `POST /v1/jobs/{uuid}/compensations`.
 * So a create first reads the job's compensations: one with the same effective date, or the
 * untouched $0.00 placeholder, is updated; otherwise one is added. A retried create therefore
 * finds what the first attempt wrote.
 */

export async function pushCompensation(client: GustoClient, request: PushRequest): Promise<PushResult> {
  const body = withoutKeys(request.body, ['job_uuid', 'uuid', 'version']);
  if (request.op === 'update') {
    const uuid = externalIdOf(client, request);
    return update(client, Compensation.parse((await client.http.get(pathOf`/v1/compensations/${uuid}`)).data), body);
  }
  const jobUuid = parentId(client, request, 'assignmentId', 'job_uuid', 'job');
  const existing = Compensation.array().parse((await client.http.get(pathOf`/v1/jobs/${jobUuid}/compensations`)).data);
  const target = existing.find((comp) => comp.effective_date === body['effective_date']) ?? (existing.length === 1 && isZero(existing[0]?.rate) ? existing[0] : undefined);
  if (target !== undefined) return update(client, target, body);
  const created = Compensation.parse(
    (await client.http.request({ method: 'POST', path: pathOf`/v1/jobs/${jobUuid}/compensations`, body: { payment_unit: 'Hour', ...body } })).data,
  );
  return confirm(client, created.uuid);
}

async function update(client: GustoClient, current: Compensation, body: Record<string, unknown>): Promise<PushResult> {
  const changes = changedKeys(current, body);
  if (Object.keys(changes).length > 0) {
    await client.http.request({ method: 'PUT', path: pathOf`/v1/compensations/${current.uuid}`, body: { ...changes, version: current.version } });
  }
  return confirm(client, current.uuid);
}

async function confirm(client: GustoClient, uuid: string): Promise<PushResult> {
  const confirmed = Compensation.parse((await client.http.get(pathOf`/v1/compensations/${uuid}`)).data);
  return { externalId: uuid, confirmed, meta: { ...versionOf(confirmed), ...(confirmed.job_uuid === undefined ? {} : { jobUuid: confirmed.job_uuid }) } };
}

function isZero(rate: string | undefined): boolean {
  return rate !== undefined && Number(rate) === 0;
}
