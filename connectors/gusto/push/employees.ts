import { ConnectorConfigError, type PushRequest, type PushResult } from '../../kit/index.ts';
import { MAX_PER_PAGE, pathOf, type GustoClient } from '../client.ts';
import { Employee, Employees } from '../schemas.ts';
import { changedKeys, externalIdOf, versionOf, withoutKeys } from './common.ts';

/*
 * Employees: created under the company (names, email, phone: never SSN or date of birth) and
 * updated with the current `version` (optimistic locking: a stale version is a 409, which the kit
 * raises as `VersionConflictError`; the hub re-reads, merges and pushes again).
 *
 * The version sent is the one read just before the write, not one kept on the link: the hub does
 * not refresh link bookkeeping when it merges an inbound change, so a kept version would be stale
 * after the first Gusto-side edit and every later push would conflict. The lock still protects
 * against a change landing between our read and our write.
 *
 * Gusto has no idempotency key for creates. Before creating, the employee is looked for by email
 * (Gusto refuses a second employee with the same email): a create retried after a lost answer, or
 * an employee that already existed before the hub, is adopted instead of duplicated.
 */

export async function pushEmployee(client: GustoClient, request: PushRequest): Promise<PushResult> {
  const body = withoutKeys(request.body, ['uuid', 'version']);
  if (request.op === 'update') return updateEmployee(client, externalIdOf(client, request), body);
  const email = typeof body['email'] === 'string' ? body['email'] : null;
  const existing = email === null ? null : await findByEmail(client, email);
  if (existing !== null) return updateEmployee(client, existing.uuid, body, existing);
  let uuid: string;
  try {
    const company = await client.companyUuid();
    const response = await client.http.request({ method: 'POST', path: pathOf`/v1/companies/${company}/employees`, body });
    uuid = Employee.parse(response.data).uuid;
  } catch (err: unknown) {
    // Created meanwhile by someone else (or by our own earlier attempt): adopt it.
    const raced = email !== null && err instanceof ConnectorConfigError && err.status === 422 && /already been taken/i.test(err.vendorMessage ?? '');
    const found = raced ? await findByEmail(client, email) : null;
    if (found === null) throw err;
    return updateEmployee(client, found.uuid, body, found);
  }
  return confirm(client, uuid);
}

async function updateEmployee(client: GustoClient, uuid: string, body: Record<string, unknown>, known?: Employee): Promise<PushResult> {
  const current = known ?? (await readEmployee(client, uuid));
  const changes = changedKeys(current, body);
  if (Object.keys(changes).length > 0) {
    await client.http.request({ method: 'PUT', path: pathOf`/v1/employees/${uuid}`, body: { ...changes, version: current.version } });
  }
  return confirm(client, uuid);
}

/** Read-after-write: the employee as Gusto now holds it. */
async function confirm(client: GustoClient, uuid: string): Promise<PushResult> {
  const confirmed = await readEmployee(client, uuid);
  return { externalId: uuid, confirmed, meta: versionOf(confirmed) };
}

async function readEmployee(client: GustoClient, uuid: string): Promise<Employee> {
  return Employee.parse((await client.http.get(pathOf`/v1/employees/${uuid}`, { include: 'custom_fields' })).data);
}

async function findByEmail(client: GustoClient, email: string): Promise<Employee | null> {
  const company = await client.companyUuid();
  const wanted = email.trim().toLowerCase();
  for (let page = 1; ; page++) {
    const result = await client.listPage(pathOf`/v1/companies/${company}/employees`, page, MAX_PER_PAGE, { search_term: wanted, include: 'custom_fields' });
    const employees = Employees.parse(result.data);
    const match = employees.find((employee) => employee.email?.trim().toLowerCase() === wanted);
    if (match !== undefined) return match;
    if (employees.length < MAX_PER_PAGE || (result.totalPages !== null && page >= result.totalPages)) return null;
  }
}
