import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.ts';
import {
  ConnectorConfigError, memoryState, silentLogger, TransientError, type ConnectorInstance, type PushRequest,
} from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';
import { testHttp } from './support/hub.ts';

/** Pushes straight to the connector (no hub): refusals, adoption of what exists, retries, raises, updates. */

const dataset = sampleDataset();
let emulator: GustoUnderTest;
let instance: ConnectorInstance;

beforeEach(async () => {
  emulator = await startGusto({ dataset });
  instance = gusto.create({ systemId: 'gusto-push', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger, http: testHttp() });
});
afterEach(async () => {
  await emulator.close();
});

const push = (request: Omit<PushRequest, 'meta' | 'idempotencyKey'> & Partial<Pick<PushRequest, 'meta' | 'idempotencyKey'>>) =>
  instance.push({ meta: {}, idempotencyKey: 'row-1:0123456789abcdef', ...request });

function seededEmployee(): Record<string, unknown> {
  const employee = emulator.control.employees().find((e) => typeof e['email'] === 'string' && (e['jobs'] as unknown[]).length > 0);
  if (employee === undefined) throw new Error('no seeded employee with a job');
  return employee;
}

describe('gusto pushes', () => {
  it('a 422 is a configuration error carrying Gusto\'s key, category and message', async () => {
    const employee = seededEmployee();
    const err: unknown = await push({ entity: 'jobs', op: 'create', body: { employee_uuid: employee['uuid'], hire_date: '2026-12-01' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).status).toBe(422);
    expect((err as ConnectorConfigError).vendorMessage).toMatch(/title \(invalid_attribute_value\): .*blank/);
  });

  it('a create for an email Gusto already has adopts that employee and brings it up to date', async () => {
    const employee = seededEmployee();
    const count = emulator.control.count('employees');
    const result = await push({ entity: 'employees', op: 'create', body: { first_name: 'Renata', last_name: String(employee['last_name']), email: String(employee['email']).toUpperCase() } });
    expect(result.externalId).toBe(employee['uuid']);
    expect(emulator.control.count('employees')).toBe(count);
    expect(result.confirmed).toMatchObject({ first_name: 'Renata' });
    expect(result.meta).toEqual({ version: emulator.control.getEmployee(result.externalId)?.['version'] });
  });

  it('a create whose answer was lost is found again on the retry, not made twice', async () => {
    const count = emulator.control.count('employees');
    // An SSN-shaped value from the range reserved for examples: the connector must drop the key.
    const body = { first_name: 'Ilse', last_name: 'Brandvold', email: 'ilse.brandvold@example.com', ssn: '987-65-4321' };
    emulator.onRequest((method, path) => {
      if (method === 'POST' && path.endsWith('/employees')) emulator.control.faults.set({ dropConnectionOnRequest: 1 });
    });
    const lost: unknown = await push({ entity: 'employees', op: 'create', body }).catch((e: unknown) => e);
    emulator.onRequest(null);
    expect(lost).toBeInstanceOf(TransientError);
    expect((lost as TransientError).mayHaveApplied).toBe(true);
    const again = await push({ entity: 'employees', op: 'create', body });
    expect(emulator.control.count('employees')).toBe(count + 1);
    expect(emulator.control.getEmployee(again.externalId)).toMatchObject({ first_name: 'Ilse', email: 'ilse.brandvold@example.com' });
    // The SSN never left the hub.
    expect(emulator.control.sensitiveFieldsReceived()).toEqual([]);
  });

  it('a later rate is a new effective-dated compensation, found again rather than added twice', async () => {
    const job = (seededEmployee()['jobs'] as Array<Record<string, unknown>>)[0] ?? {};
    const comps = (job['compensations'] as unknown[]).length;
    const raise = { entity: 'compensations', op: 'create', body: { rate: '31.25', effective_date: '2027-01-04' }, related: { assignmentId: { externalId: String(job['uuid']), meta: {} } } } as const;
    const first = await push(raise);
    const second = await push(raise);
    expect(second.externalId).toBe(first.externalId);
    const after = emulator.control.getJob(String(job['uuid']));
    expect(after?.['compensations']).toHaveLength(comps + 1);
    expect(after?.['rate']).toBe('31.25');
    expect(first.meta).toMatchObject({ jobUuid: job['uuid'] });
  });

  it('a time sheet update lays the changed hours over the sheet and keeps its key', async () => {
    const employee = seededEmployee();
    const job = (employee['jobs'] as Array<Record<string, unknown>>)[0] ?? {};
    const related = { assignmentId: { externalId: String(job['uuid']), meta: { employeeUuid: String(employee['uuid']) } } };
    const created = await push({
      entity: 'time_sheets', op: 'create', related,
      body: { shift_started_at: '2026-11-24', entries: [{ pay_classification: 'Regular', hours_worked: 8 }, { pay_classification: 'Overtime', hours_worked: 1 }] },
    });
    const updated = await push({ entity: 'time_sheets', op: 'update', externalId: created.externalId, related, idempotencyKey: 'row-2:fedcba9876543210', body: { entries: [{ pay_classification: 'Overtime', hours_worked: 2 }] } });
    expect(updated.externalId).toBe(created.externalId);
    const sheet = emulator.control.getTimeSheet(created.externalId);
    expect(sheet?.['entries']).toEqual([{ hours_worked: 8, pay_classification: 'Regular' }, { hours_worked: 2, pay_classification: 'Overtime' }]);
    expect(sheet).toMatchObject({ shift_started_at: '2026-11-24T14:00:00Z', shift_ended_at: '2026-11-25T00:00:00Z', metadata: { portal_time_entry_id: 'row-1' } });
    expect(updated.meta).toMatchObject({ version: sheet?.['version'], employeeUuid: employee['uuid'] });
  });

  it('refuses entities Gusto does not take from the hub', async () => {
    await expect(push({ entity: 'payrolls', op: 'create', body: {} })).rejects.toBeInstanceOf(ConnectorConfigError);
  });
});
