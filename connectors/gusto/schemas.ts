import { z } from 'zod';

/*
 * Lenient schemas at the edge (`looseObject`): only the keys the connector itself reads are
 * checked, everything else passes through untouched so a new Gusto field never breaks a sync.
 * Shapes follow docs/vendors.md §5.3 and test/connectors/gusto/golden/gusto-*.json.
 */

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().optional(),
});

export const TokenInfo = z.looseObject({ resource: z.looseObject({ type: z.string().optional(), uuid: z.string().min(1) }) });

export const Employee = z.looseObject({ uuid: z.string().min(1), version: z.string().optional(), email: z.string().nullable().optional() });
export type Employee = z.infer<typeof Employee>;
export const Employees = z.array(Employee);

export const Compensation = z.looseObject({
  uuid: z.string().min(1),
  version: z.string().optional(),
  job_uuid: z.string().optional(),
  rate: z.string().optional(),
  effective_date: z.string().nullable().optional(),
});
export type Compensation = z.infer<typeof Compensation>;

export const Job = z.looseObject({
  uuid: z.string().min(1),
  version: z.string().optional(),
  employee_uuid: z.string().optional(),
  title: z.string().nullable().optional(),
  hire_date: z.string().nullable().optional(),
  compensations: z.array(Compensation).optional(),
});
export type Job = z.infer<typeof Job>;
export const Jobs = z.array(Job);

export const TimeSheet = z.looseObject({
  uuid: z.string().min(1),
  version: z.string().optional(),
  entity_uuid: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type TimeSheet = z.infer<typeof TimeSheet>;
export const TimeSheets = z.array(TimeSheet);

export const Payroll = z.looseObject({ uuid: z.string().optional(), payroll_uuid: z.string().optional() });
export const Payrolls = z.array(Payroll);

/** The webhook body and the events feed share this shape (payloads/gusto-webhook-event.json). */
export const GustoEvent = z.looseObject({
  uuid: z.string().min(1),
  event_type: z.string().min(1),
  entity_type: z.string().min(1),
  entity_uuid: z.string().min(1),
  resource_uuid: z.string().optional(),
  timestamp: z.number().int().nonnegative(),
});
export type GustoEvent = z.infer<typeof GustoEvent>;
export const GustoEvents = z.array(GustoEvent);

export const WebhookSubscription = z.looseObject({ uuid: z.string().min(1), status: z.string().optional() });

/** The unsigned POST Gusto makes to a new subscription's URL: exactly one key. */
export const VerificationBody = z.strictObject({ verification_token: z.string().min(1).max(200) });

/** The object's `uuid`, or the payroll's `payroll_uuid` (payrolls carry both). */
export function recordId(record: Readonly<Record<string, unknown>>): string | null {
  const id = record['uuid'] ?? record['payroll_uuid'];
  return typeof id === 'string' && id !== '' ? id : null;
}
