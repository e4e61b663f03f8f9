import type { VendorRecord } from '../kit/index.ts';

/** Hours one payroll pays one employee on one job, by the canonical time entry's kinds of hours. */
export interface PaidHours {
  readonly payrollUuid: string;
  readonly processed: boolean;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly employeeUuid: string;
  readonly jobUuid: string | null;
  readonly regularHours: number;
  readonly overtimeHours: number;
  readonly doubleTimeHours: number;
}

/** Gusto's hourly compensation names (payloads/gusto-payroll.json) → the time entry's fields. */
const KIND: Readonly<Record<string, keyof Pick<PaidHours, 'regularHours' | 'overtimeHours' | 'doubleTimeHours'>>> = {
  'regular hours': 'regularHours',
  regular: 'regularHours',
  overtime: 'overtimeHours',
  'double overtime': 'doubleTimeHours',
  'double time': 'doubleTimeHours',
};

/**
 * What a payroll (as the show endpoint, or the listing with `include=employee_compensations`,
 * returns it) paid, per employee and job: for reconciling hours paid with hours approved. Hours are
 * decimal strings at Gusto ("40.000"); they are summed in thousandths so no float error creeps in.
 * Other hourly kinds (holiday, PTO) are not time entry hours and are left out; so are excluded
 * employees.
 */
export function paidHours(payroll: VendorRecord): PaidHours[] {
  const uuid = text(payroll['uuid']) ?? text(payroll['payroll_uuid']) ?? '';
  const period = isRecord(payroll['pay_period']) ? payroll['pay_period'] : {};
  const lines = new Map<string, { employeeUuid: string; jobUuid: string | null; milli: Record<string, number> }>();
  for (const comp of Array.isArray(payroll['employee_compensations']) ? payroll['employee_compensations'] : []) {
    if (!isRecord(comp) || comp['excluded'] === true) continue;
    const employeeUuid = text(comp['employee_uuid']);
    if (employeeUuid === undefined) continue;
    for (const hourly of Array.isArray(comp['hourly_compensations']) ? comp['hourly_compensations'] : []) {
      if (!isRecord(hourly)) continue;
      const kind = KIND[(text(hourly['name']) ?? '').trim().toLowerCase()];
      const milli = thousandths(hourly['hours']);
      if (kind === undefined || milli === null) continue;
      const jobUuid = text(hourly['job_uuid']) ?? null;
      const key = `${employeeUuid}|${jobUuid ?? ''}`;
      const line = lines.get(key) ?? { employeeUuid, jobUuid, milli: { regularHours: 0, overtimeHours: 0, doubleTimeHours: 0 } };
      line.milli[kind] = (line.milli[kind] ?? 0) + milli;
      lines.set(key, line);
    }
  }
  return [...lines.values()].map((line) => ({
    payrollUuid: uuid,
    processed: payroll['processed'] === true,
    periodStart: text(period['start_date']) ?? null,
    periodEnd: text(period['end_date']) ?? null,
    employeeUuid: line.employeeUuid,
    jobUuid: line.jobUuid,
    regularHours: (line.milli['regularHours'] ?? 0) / 1000,
    overtimeHours: (line.milli['overtimeHours'] ?? 0) / 1000,
    doubleTimeHours: (line.milli['doubleTimeHours'] ?? 0) / 1000,
  }));
}

/** "40.000" or 40 → 40000; anything else null. */
function thousandths(value: unknown): number | null {
  const textValue = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  // A leading minus: an adjustment sheet that took hours back (the hub's corrections after payroll).
  const match = /^(-?)(\d+)(?:\.(\d{1,3})\d*)?$/.exec(textValue);
  if (!match) return null;
  const milli = Number(match[2]) * 1000 + Number((match[3] ?? '').padEnd(3, '0'));
  return match[1] === '-' ? -milli : milli;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
