import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.ts';
import { paidHours } from '../../../connectors/gusto/payroll-hours.ts';
import { ConnectorConfigError, memoryState, silentLogger, type ConnectorInstance, type PushRequest } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';
import { testHttp } from './support/hub.ts';

/** A correction after payroll reaches Gusto as its own sheet carrying the change: what was paid is never edited. */

const dataset = sampleDataset();
let emulator: GustoUnderTest;
let instance: ConnectorInstance;

beforeEach(async () => {
  emulator = await startGusto({ dataset });
  instance = gusto.create({ systemId: 'gusto-adjust', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger, http: testHttp() });
});
afterEach(async () => {
  await emulator.close();
});

const push = (request: Omit<PushRequest, 'meta'>) => instance.push({ meta: {}, ...request });

describe('gusto adjustments', () => {
  it('pays the original, refuses to edit it once paid, and pays the signed delta of the adjustment in a later payroll', async () => {
    const employee = emulator.control.employees().find((e) => typeof e['email'] === 'string' && (e['jobs'] as unknown[]).length > 0);
    if (employee === undefined) throw new Error('no seeded employee with a job');
    const job = (employee['jobs'] as Array<Record<string, unknown>>)[0] ?? {};
    const related = { assignmentId: { externalId: String(job['uuid']), meta: { employeeUuid: String(employee['uuid']) } } };
    // A work date inside the open payroll's period, so the first payroll pays the original.
    const open = emulator.control.payrolls().find((p) => p['processed'] === false);
    const start = (open?.['pay_period'] as Record<string, unknown> | undefined)?.['start_date'];
    const workDate = typeof start === 'string' ? start : '';
    expect(workDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const original = await push({
      entity: 'time_sheets', op: 'create', related, idempotencyKey: 'row-orig:0123456789abcdef',
      body: { shift_started_at: workDate, entries: [{ pay_classification: 'Regular', hours_worked: 8 }] },
    });
    const first = emulator.control.processPayroll({ includeEarlierUnpaid: true });
    expect(emulator.control.timeSheetPayroll(original.externalId)).toBe(first['uuid']);
    // A paid sheet is locked: an edit is refused, which is why a correction is a new sheet.
    await expect(push({ entity: 'time_sheets', op: 'update', externalId: original.externalId, related, idempotencyKey: 'row-edit:0123456789abcdef', body: { entries: [{ pay_classification: 'Regular', hours_worked: 6 }] } })).rejects.toBeInstanceOf(ConnectorConfigError);

    const adjustment = await push({
      entity: 'time_sheets', op: 'create', related, idempotencyKey: 'row-adj:0123456789abcdef',
      body: { shift_started_at: workDate, metadata: { adjusts_time_sheet_uuid: original.externalId }, entries: [{ pay_classification: 'Regular', hours_worked: -2 }, { pay_classification: 'Overtime', hours_worked: 0.5 }] },
    });
    const sheet = emulator.control.getTimeSheet(adjustment.externalId);
    expect(sheet?.['entries']).toEqual([{ hours_worked: -2, pay_classification: 'Regular' }, { hours_worked: 0.5, pay_classification: 'Overtime' }]);
    expect(sheet?.['metadata']).toMatchObject({ adjusts_time_sheet_uuid: original.externalId, portal_time_entry_id: 'row-adj' });
    expect(emulator.control.getTimeSheet(original.externalId)?.['entries']).toEqual([{ hours_worked: 8, pay_classification: 'Regular' }]);

    const second = emulator.control.processPayroll({ includeEarlierUnpaid: true });
    const mine = [first, second].flatMap((p) => paidHours(p)).filter((h) => h.employeeUuid === employee['uuid'] && h.jobUuid === job['uuid']);
    const total = (k: 'regularHours' | 'overtimeHours') => mine.reduce((s, h) => s + h[k], 0);
    expect(total('regularHours')).toBe(6);
    expect(total('overtimeHours')).toBe(0.5);
  });

  it('refuses signed hours on a sheet that adjusts nothing, and an adjustment of an unknown sheet (422 on the field)', async () => {
    const employee = emulator.control.employees().find((e) => typeof e['email'] === 'string' && (e['jobs'] as unknown[]).length > 0);
    const job = ((employee?.['jobs'] as Array<Record<string, unknown>> | undefined) ?? [])[0] ?? {};
    const related = { assignmentId: { externalId: String(job['uuid']), meta: { employeeUuid: String(employee?.['uuid']) } } };
    await expect(push({ entity: 'time_sheets', op: 'create', related, idempotencyKey: 'row-neg:0123456789abcdef', body: { shift_started_at: '2026-11-24', entries: [{ pay_classification: 'Regular', hours_worked: -2 }] } })).rejects.toBeInstanceOf(ConnectorConfigError);
    const err: unknown = await push({
      entity: 'time_sheets', op: 'create', related, idempotencyKey: 'row-unk:0123456789abcdef',
      body: { shift_started_at: '2026-11-24', metadata: { adjusts_time_sheet_uuid: 'no-such-sheet' }, entries: [{ pay_classification: 'Regular', hours_worked: -2 }] },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).vendorMessage).toContain('adjusts_time_sheet_uuid');
  });
});
