import { ConnectorConfigError, type PushRequest, type PushResult } from '../../kit/index.ts';
import type { GustoClient } from '../client.ts';
import { ENTITY } from '../manifest.ts';
import { pushCompensation } from './compensations.ts';
import { pushEmployee } from './employees.ts';
import { pushJob } from './jobs.ts';
import { pushTimeSheet } from './time-sheets.ts';

/**
 * Writes one record and reads it back (`confirmed`, with the new `version` in `meta`). A 409 is a
 * `VersionConflictError`; a 422 is a `ConnectorConfigError` carrying Gusto's key, category and
 * message (see errors.ts); a write that may have landed (no answer, 5xx) is a `TransientError`
 * with `mayHaveApplied`, and the next attempt finds it before creating anything.
 */
export async function push(client: GustoClient, request: PushRequest): Promise<PushResult> {
  switch (request.entity) {
    case ENTITY.employees:
      return pushEmployee(client, request);
    case ENTITY.jobs:
      return pushJob(client, request);
    case ENTITY.compensations:
      return pushCompensation(client, request);
    case ENTITY.timeSheets:
      return pushTimeSheet(client, request);
    default:
      throw ConnectorConfigError.forSystem(client.ctx.systemId, `Gusto ${request.entity} cannot be written by the hub`, 'misconfigured');
  }
}
