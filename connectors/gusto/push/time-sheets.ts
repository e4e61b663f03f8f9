import { ConnectorConfigError, type PushRequest, type PushResult } from '../../kit/index.ts';
import { MAX_PER_PAGE, pathOf, type GustoClient } from '../client.ts';
import { Job, TimeSheet, TimeSheets } from '../schemas.ts';
import { externalIdOf, parentId, versionOf } from './common.ts';
import { buildTimeSheetBody, DEFAULT_TIME_ZONE, stableKey } from './time-sheet-body.ts';

/*
 * An approved time entry becomes one Gusto time sheet, exactly once. The Time Tracking API takes
 * no idempotency header, so the create carries the hub's key in `metadata.portal_time_entry_id`
 * and, before every create, the employee's sheets around the work date are searched for it: a
 * create that landed before a timeout, a reset or a 5xx is found and returned instead of made
 * again. The employee is the one the assignment's job link names (`related.assignmentId.meta.
 * employeeUuid`); without it, the job is read.
 */

export async function pushTimeSheet(client: GustoClient, request: PushRequest): Promise<PushResult> {
  if (request.op === 'update') return updateTimeSheet(client, request);
  const jobUuid = parentId(client, request, 'assignmentId', 'job_uuid', 'assignment (job)');
  const employeeUuid = await employeeOf(client, request, jobUuid);
  const key = stableKey(request.idempotencyKey);
  const built = build(client, request.body, { employeeUuid, jobUuid, key });
  const earlier = await findByKey(client, employeeUuid, built.workDate, key);
  if (earlier !== null) return { externalId: earlier.uuid, confirmed: earlier, meta: { ...versionOf(earlier), employeeUuid } };
  const company = await client.companyUuid();
  const created = TimeSheet.parse((await client.http.request({ method: 'POST', path: pathOf`/v1/companies/${company}/time_tracking/time_sheets`, body: built.body })).data);
  return confirm(client, created.uuid, employeeUuid);
}

/**
 * An update carries only the changed fields: they are laid over the sheet as Gusto holds it
 * (entries by pay classification), the shift end is worked out again, and the whole sheet is
 * written with its current version.
 */
async function updateTimeSheet(client: GustoClient, request: PushRequest): Promise<PushResult> {
  const uuid = externalIdOf(client, request);
  const current = TimeSheet.parse((await client.http.get(pathOf`/v1/time_tracking/time_sheets/${uuid}`)).data);
  const jobUuid = request.related?.['assignmentId']?.externalId ?? text(request.body['job_uuid']) ?? text(current['job_uuid']);
  if (jobUuid === undefined) throw ConnectorConfigError.forSystem(client.ctx.systemId, `time sheet ${uuid} has no job`, 'misconfigured');
  const employeeUuid = current.entity_uuid ?? (await employeeOf(client, request, jobUuid));
  const key = text(current.metadata?.['portal_time_entry_id']) ?? stableKey(request.idempotencyKey);
  const merged: Record<string, unknown> = {
    shift_started_at: current['shift_started_at'],
    time_zone: current['time_zone'],
    metadata: current.metadata ?? {},
    ...request.body,
    entries: mergeEntries(current['entries'], request.body['entries']),
  };
  const built = build(client, merged, { employeeUuid, jobUuid, key });
  const { entity_uuid: _entity, entity_type: _type, ...changes } = built.body;
  await client.http.request({ method: 'PUT', path: pathOf`/v1/time_tracking/time_sheets/${uuid}`, body: { ...changes, version: current.version } });
  return confirm(client, uuid, employeeUuid);
}

/** The sheet's entries with the pushed ones replacing those of the same pay classification. */
function mergeEntries(held: unknown, pushed: unknown): unknown[] {
  const byClass = new Map<string, unknown>();
  const classOf = (entry: unknown): string => {
    const value = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['pay_classification'] : undefined;
    return typeof value === 'string' ? value.toLowerCase() : '';
  };
  for (const entry of Array.isArray(held) ? held : []) byClass.set(classOf(entry), entry);
  for (const entry of Array.isArray(pushed) ? pushed : []) byClass.set(classOf(entry), entry);
  return [...byClass.values()];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function build(client: GustoClient, mapped: Readonly<Record<string, unknown>>, ids: { employeeUuid: string; jobUuid: string; key: string }): { body: Record<string, unknown>; workDate: string } {
  const built = buildTimeSheetBody(mapped, {
    employeeUuid: ids.employeeUuid, jobUuid: ids.jobUuid, portalTimeEntryId: ids.key,
    timeZone: client.ctx.credentials['timeZone'] ?? DEFAULT_TIME_ZONE,
  });
  if (!built.ok) throw ConnectorConfigError.forSystem(client.ctx.systemId, `time sheet cannot be built: ${built.reason}`, 'misconfigured');
  return built;
}

async function employeeOf(client: GustoClient, request: PushRequest, jobUuid: string): Promise<string> {
  const fromLink = request.related?.['assignmentId']?.meta['employeeUuid'];
  if (typeof fromLink === 'string' && fromLink !== '') return fromLink;
  const job = Job.parse((await client.http.get(pathOf`/v1/jobs/${jobUuid}`)).data);
  if (job.employee_uuid === undefined) throw ConnectorConfigError.forSystem(client.ctx.systemId, `job ${jobUuid} names no employee`, 'misconfigured');
  return job.employee_uuid;
}

/** The employee's sheet carrying this key, looked for a day either side of the work date (zones). */
async function findByKey(client: GustoClient, employeeUuid: string, workDate: string, key: string): Promise<(TimeSheet & { uuid: string }) | null> {
  const company = await client.companyUuid();
  const day = Date.parse(`${workDate}T00:00:00Z`);
  const query = { entity_type: 'Employee', entity_uuids: employeeUuid, after: isoDay(day - 86_400_000), before: isoDay(day + 86_400_000) };
  for (let page = 1; ; page++) {
    const result = await client.listPage(pathOf`/v1/companies/${company}/time_tracking/time_sheets`, page, MAX_PER_PAGE, query);
    const sheets = TimeSheets.parse(result.data);
    const match = sheets.find((sheet) => sheet.metadata?.['portal_time_entry_id'] === key);
    if (match !== undefined) return match;
    if (sheets.length < MAX_PER_PAGE || (result.totalPages !== null && page >= result.totalPages)) return null;
  }
}

async function confirm(client: GustoClient, uuid: string, employeeUuid: string): Promise<PushResult> {
  const confirmed = TimeSheet.parse((await client.http.get(pathOf`/v1/time_tracking/time_sheets/${uuid}`)).data);
  return { externalId: uuid, confirmed, meta: { ...versionOf(confirmed), employeeUuid } };
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
