import { z } from 'zod';
import type { AdpClient } from '../client.ts';

/** Hours by earning code (`{ R: 40, O: 6.5 }`). */
export type Totals = Readonly<Record<string, number>>;

const Earning = z.looseObject({ earningCode: z.looseObject({ codeValue: z.string() }), numberOfHours: z.number() });
const Batch = z.looseObject({
  payDataInput: z.looseObject({
    payeePayInputs: z.array(z.looseObject({
      associateOID: z.string(),
      payrollProfilePayInputs: z.array(z.looseObject({ payInputs: z.array(z.looseObject({ earningInputs: z.array(Earning).default([]) })).default([]) })).default([]),
    })).default([]),
  }),
});

export interface BatchKey {
  readonly payrollGroupCode: string;
  readonly jobId: string;
  readonly associateOID: string;
}

/**
 * What ADP holds for one worker in one pay data batch, summed by earning code. The read endpoint is
 * a guess (connectors/adp/README.md): the doc shows only the modify request. A 204 is an empty batch.
 */
export async function heldTotals(client: AdpClient, key: BatchKey): Promise<Totals> {
  const response = await client.http.get('/payroll/v1/pay-data-input', {
    payrollGroupCode: key.payrollGroupCode, payrollProcessingJobID: key.jobId, associateOID: key.associateOID,
  });
  if (response.status === 204) return {};
  const totals: Record<string, number> = {};
  for (const payee of Batch.parse(response.data).payDataInput.payeePayInputs) {
    if (payee.associateOID !== key.associateOID) continue;
    for (const profile of payee.payrollProfilePayInputs) {
      for (const input of profile.payInputs) {
        for (const e of input.earningInputs) totals[e.earningCode.codeValue] = round((totals[e.earningCode.codeValue] ?? 0) + e.numberOfHours);
      }
    }
  }
  return totals;
}

/** `a + b`, code by code. */
export function plus(a: Totals, b: Totals): Totals {
  const out: Record<string, number> = { ...a };
  for (const [code, hours] of Object.entries(b)) out[code] = round((out[code] ?? 0) + hours);
  return out;
}

/** `a - b`, code by code. */
export function minus(a: Totals, b: Totals): Totals {
  return plus(a, Object.fromEntries(Object.entries(b).map(([code, hours]) => [code, -hours])));
}

/** Equal code by code, a zero counting as absent; hours compared to the hundredth. */
export function sameTotals(a: Totals, b: Totals): boolean {
  const codes = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...codes].every((code) => round(a[code] ?? 0) === round(b[code] ?? 0));
}

export function nonZero(t: Totals): Totals {
  return Object.fromEntries(Object.entries(t).filter(([, hours]) => round(hours) !== 0));
}

export function describeTotals(t: Totals): string {
  const entries = Object.entries(nonZero(t));
  return entries.length === 0 ? 'nothing' : entries.map(([code, hours]) => `${code} ${hours}h`).join(', ');
}

function round(hours: number): number {
  return Math.round(hours * 100) / 100;
}
