import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gusto, paidHours } from '../../../connectors/gusto/index.ts';
import { buildTimeSheetBody, stableKey } from '../../../connectors/gusto/push/time-sheet-body.ts';
import { memoryState, silentLogger } from '../../../connectors/kit/index.ts';
import { loadMappingSources, type CompiledMapping } from '../../../src/mapping/index.ts';
import type { Scalar } from '../../../src/store/index.ts';

/**
 * Gusto's documented payloads (copied into golden/, invented people; the employee's date of birth
 * blanked, as the hub holds none) through the Gusto mapping
 * files and the connector's own conversions, compared with plain expected JSON files next to
 * them. `UPDATE_GOLDEN=1` rewrites the expected files; review the diff before keeping it.
 */

const GOLDEN = join(import.meta.dirname, 'golden');
const MAPPINGS = join(import.meta.dirname, '../../../mappings/gusto');

const { registry, errors } = loadMappingSources(
  'mappings',
  readdirSync(MAPPINGS).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: `gusto/${f}`, text: readFileSync(join(MAPPINGS, f), 'utf8') })),
  [{ id: 'gusto', connector: 'gusto' }, { id: 'bullhorn', connector: 'bullhorn' }],
);

function payload(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(GOLDEN, name), 'utf8')) as Record<string, unknown>;
}

function expectGolden(name: string, actual: unknown): void {
  const file = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  if (!existsSync(file)) throw new Error(`${name} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

function mapping(entity: string): CompiledMapping {
  const found = registry.get('gusto', entity);
  if (!found) throw new Error(`no gusto mapping for ${entity}`);
  return found;
}

const employee = payload('gusto-employee.json');
const job = (employee['jobs'] as Array<Record<string, unknown>>)[0] ?? {};
const EMPLOYEE_UUID = String(employee['uuid']);
const JOB_UUID = String(job['uuid']);
/** Canonical ids of the records the payloads are about (as the hub would hold them). */
const refs: Record<string, string> = { 'candidate|cand-roz': EMPLOYEE_UUID, 'assignment|asg-917': JOB_UUID };
const resolve = (entity: string, id: string): string | null => refs[`${entity}|${id}`] ?? null;

describe('gusto mappings against the documented payloads', () => {
  it('load without errors', () => {
    expect(errors.map(String)).toEqual([]);
  });

  it('employee → candidate (names and email, matched by email; no SSN or date of birth read)', () => {
    const incoming = mapping('candidate').toIncoming(employee);
    expectGolden('employee.incoming.json', incoming);
    expect(JSON.stringify(incoming)).not.toMatch(/date_of_birth|dateOfBirth|ssn/i);
  });

  it('candidate → employee body', () => {
    const candidate: Record<string, Scalar> = {
      firstName: 'Rosalind', lastName: 'Featherstone', email: 'roz.featherstone@example.com', phone: '(404) 555-0136',
      city: 'Atlanta', state: 'GA', status: 'placed', employeeType: 'w2',
    };
    expectGolden('employee.outbound.json', mapping('candidate').toVendor(candidate, resolve));
  });

  it('assignment → job body under the candidate\'s employee, and the job read back', () => {
    const assignment: Record<string, Scalar> = {
      candidateId: 'cand-roz', requisitionId: 'req-1', worksiteId: 'ws-1', approverContactId: 'ct-1', title: 'Medical Assistant',
      startDate: '2025-06-16', endDate: null, status: 'active',
    };
    expectGolden('job.outbound.json', mapping('assignment').toVendor(assignment, resolve));
    expectGolden('job.incoming.json', mapping('assignment').toIncoming(job));
  });

  it('assignment rate → compensation body (pay rate as a decimal string; bill rates never go to payroll)', () => {
    const rate: Record<string, Scalar> = {
      assignmentId: 'asg-917', effectiveFrom: '2025-06-16', payRateCents: 2450, billRateCents: 3675,
      otPayRateCents: 3675, otBillRateCents: 5513, dtPayRateCents: null, dtBillRateCents: null,
    };
    const body = mapping('assignment_rate').toVendor(rate, resolve);
    expectGolden('compensation.outbound.json', body);
    expect(JSON.stringify(body)).not.toMatch(/36\.75|55\.13/);
  });

  it('approved time entry → the documented time sheet create body', () => {
    const entry: Record<string, Scalar> = {
      assignmentId: 'asg-917', workDate: '2025-07-08', regularHours: 8, overtimeHours: 0.5, doubleTimeHours: 0, status: 'approved',
      approvedById: 'ct-1', approvedAt: '2025-07-14T15:00:00.000Z', note: null,
    };
    const mapped = mapping('time_entry').toVendor(entry, resolve);
    expectGolden('time-sheet.mapped.json', mapped);
    if (!mapped.ok) throw new Error(mapped.error);
    const built = buildTimeSheetBody(mapped.body, {
      employeeUuid: EMPLOYEE_UUID, jobUuid: JOB_UUID, timeZone: 'America/New_York', portalTimeEntryId: stableKey('TE-000551'),
    });
    if (!built.ok) throw new Error(built.reason);
    // The documented request itself is the expected body.
    expect(built.body).toEqual(payload('gusto-time-sheet-create-request.json'));
    expect(built.workDate).toBe('2025-07-08');
  });

  it('webhook event → change event', () => {
    const instance = gusto.create({
      systemId: 'gusto', baseUrl: 'http://127.0.0.1:9', state: memoryState(), logger: silentLogger,
      credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r', verificationToken: 'v' },
    });
    const raw = readFileSync(join(GOLDEN, 'gusto-webhook-event.json'));
    expectGolden('webhook-event.change.json', instance.parseWebhook?.(raw, {}));
  });

  it('payroll → hours paid per employee and job', () => {
    expectGolden('payroll.paid-hours.json', paidHours(payload('gusto-payroll.json')));
  });
});
