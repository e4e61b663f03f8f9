import { z } from 'zod';
import { ConnectorConfigError, TransientError, type PushRequest, type PushResult, type VendorRecord } from '../../kit/index.ts';
import type { AdpClient } from '../client.ts';
import { describeTotals, heldTotals, minus, nonZero, plus, sameTotals, type BatchKey, type Totals } from './read-back.ts';
import { payDataSettings, periodStart, type PayDataSettings } from './settings.ts';

/*
 * An approved time entry (one worker-day) becomes earning lines in the worker's pay data batch for
 * its pay period: regular, overtime and double-time hours under the firm's earning codes. ADP's
 * modify only appends (docs/vendors.md §4.3) and keeps no key of ours, so a body sent twice is paid
 * twice. What makes a retry safe is the read-back: before sending, the worker's totals in the batch
 * are read and kept in the connector's durable state under the push's idempotency key together
 * with what this push adds; a retry (after a timeout, a crash, a 5xx) reads the batch again and
 * knows from the totals whether the earlier send landed (held = before + added: done), or not
 * (held = before: send again), or whether something else changed the batch (anything else: parked
 * for ops, never guessed). After every send the batch is read back and must hold exactly
 * before + added; a mismatch is a `ConnectorConfigError` (parked), not a retry.
 *
 * An update sends the difference from what the link says was sent before (negative hours for a
 * correction downwards: a guess, see the README). Pushes for the same worker and batch run one
 * at a time in this process so the before-totals of one are not taken mid-way through another.
 */

const Body = z.looseObject({
  associateOID: z.string().min(1).optional(),
  workDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'workDate must be an ISO date'),
  hours: z.looseObject({ regular: z.number().nullish(), overtime: z.number().nullish(), doubleTime: z.number().nullish() }).optional(),
});
const Sent = z.record(z.string(), z.number());
const Pending = z.union([z.object({ before: Sent, adding: Sent }), z.object({ done: z.literal(true) })]);
const WorkerPayroll = z.looseObject({
  workers: z.array(z.looseObject({
    associateOID: z.string(),
    workAssignments: z.array(z.looseObject({ primaryIndicator: z.boolean().optional(), payrollGroupCode: z.string().optional(), payrollFileNumber: z.string().optional() })).default([]),
  })),
});

const STATE_PREFIX = 'payData.pending.';

export function createPayDataPusher(client: AdpClient): (request: PushRequest) => Promise<PushResult> {
  const queues = new Map<string, Promise<unknown>>();
  /** One at a time per worker and batch; the map forgets a batch once its last push is through. */
  const serially = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const before = queues.get(key) ?? Promise.resolve();
    const next = before.then(run, run);
    const settled = next.then(() => undefined, () => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  };

  return async (request) => {
    const settings = payDataSettings(client.ctx);
    const entry = readEntry(client, request, settings);
    const payroll = await payrollOf(client, request, entry.associateOID);
    const key: BatchKey = { payrollGroupCode: payroll.payrollGroupCode, jobId: entry.jobId, associateOID: entry.associateOID };
    const previouslySent = request.op === 'update' ? Sent.catch({}).parse(request.meta['sent']) : {};
    const adding = nonZero(minus(entry.totals, previouslySent));
    return serially(`${key.payrollGroupCode}|${key.jobId}|${key.associateOID}`, async () => {
      await appendOnce(client, request.idempotencyKey, key, payroll.payrollFileNumber, adding);
      const externalId = request.externalId ?? [key.payrollGroupCode, key.jobId, key.associateOID, entry.workDate].join('~');
      return {
        externalId,
        confirmed: await readBackRecord(client, externalId),
        meta: { sent: entry.totals, associateOID: key.associateOID, payrollGroupCode: key.payrollGroupCode, payrollFileNumber: payroll.payrollFileNumber, payrollProcessingJobID: key.jobId },
      };
    });
  };
}

/**
 * Sends `adding` to the batch unless an earlier attempt with the same key already did, then checks
 * the batch holds exactly what it held before plus `adding`.
 */
async function appendOnce(client: AdpClient, idempotencyKey: string, key: BatchKey, fileNumber: string, adding: Totals): Promise<void> {
  const { state } = client.ctx;
  const stateKey = `${STATE_PREFIX}${idempotencyKey}`;
  const saved = await state.get(stateKey);
  const pending = saved === null ? null : Pending.parse(JSON.parse(saved));
  if (pending !== null && 'done' in pending) return; // confirmed by an earlier attempt
  const held = await heldTotals(client, key);
  let before = held;
  if (pending !== null) {
    if (sameTotals(held, plus(pending.before, pending.adding))) return; // the earlier attempt landed
    if (!sameTotals(held, pending.before)) throw mismatch(client, key, 'before a retry', plus(pending.before, pending.adding), held);
    before = pending.before;
  } else {
    await state.set(stateKey, JSON.stringify({ before, adding }));
  }
  if (Object.keys(adding).length > 0) await send(client, key, fileNumber, before, adding);
  await state.set(stateKey, JSON.stringify({ done: true }));
}

async function send(client: AdpClient, key: BatchKey, fileNumber: string, before: Totals, adding: Totals): Promise<void> {
  try {
    await client.http.request({ method: 'POST', path: '/events/payroll/v1/pay-data-input.modify', body: modifyBody(key, fileNumber, adding) });
  } catch (err) {
    // A send that may have landed: the batch says whether it did.
    if (!(err instanceof TransientError)) throw err;
    const now = await heldTotals(client, key).catch(() => null);
    if (now === null || !sameTotals(now, plus(before, adding))) throw err;
  }
  const after = await heldTotals(client, key);
  if (!sameTotals(after, plus(before, adding))) throw mismatch(client, key, 'after the send', plus(before, adding), after);
}

function modifyBody(key: BatchKey, fileNumber: string, adding: Totals): VendorRecord {
  return {
    events: [{
      data: {
        eventContext: { payrollGroupCode: { codeValue: key.payrollGroupCode }, payrollProcessingJobID: key.jobId },
        transform: {
          payDataInput: {
            payeePayInputs: [{
              associateOID: key.associateOID,
              payNumber: '1',
              payrollProfilePayInputs: [{
                payrollFileNumber: fileNumber,
                payInputs: [{
                  _modificationTypeCode: 'Append',
                  earningInputs: Object.entries(adding).map(([code, hours]) => ({ earnedPayPeriodWeekNumber: 1, earningCode: { codeValue: code }, numberOfHours: hours })),
                }],
              }],
            }],
          },
        },
      },
    }],
  };
}

interface Entry {
  readonly associateOID: string;
  readonly workDate: string;
  readonly jobId: string;
  readonly totals: Totals;
}

function readEntry(client: AdpClient, request: PushRequest, settings: PayDataSettings): Entry {
  const parsed = Body.safeParse(request.body);
  if (!parsed.success) throw ConnectorConfigError.forSystem(client.ctx.systemId, `pay data input cannot be built: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'misconfigured');
  const worker = request.related?.['assignmentId'];
  const fromLink = typeof worker?.meta['associateOID'] === 'string' ? worker.meta['associateOID'] : worker?.externalId;
  const associateOID = fromLink ?? parsed.data.associateOID ?? text(request.meta['associateOID']);
  if (associateOID === undefined) throw ConnectorConfigError.forSystem(client.ctx.systemId, 'pay data input names no ADP worker (associateOID): the worker\'s candidate is not linked to ADP', 'misconfigured');
  const workDate = parsed.data.workDate.slice(0, 10);
  const { regular, overtime, doubleTime } = settings.earningCodes;
  const hours = parsed.data.hours ?? {};
  const totals = nonZero({ [regular]: hours.regular ?? 0, [overtime]: hours.overtime ?? 0, [doubleTime]: hours.doubleTime ?? 0 });
  return { associateOID, workDate, jobId: `${settings.jobIdPrefix}${periodStart(workDate, settings.weekStartsOn)}`, totals };
}

/** The worker's company code and file number: from the link when kept, else read from the worker's primary assignment. */
async function payrollOf(client: AdpClient, request: PushRequest, aoid: string): Promise<{ payrollGroupCode: string; payrollFileNumber: string }> {
  const meta = request.related?.['assignmentId']?.meta ?? {};
  const group = text(meta['payrollGroupCode']) ?? text(request.meta['payrollGroupCode']);
  const file = text(meta['payrollFileNumber']) ?? text(request.meta['payrollFileNumber']);
  if (group !== undefined && file !== undefined) return { payrollGroupCode: group, payrollFileNumber: file };
  const response = await client.http.get(`/hr/v2/workers/${encodeURIComponent(aoid)}`);
  const worker = response.status === 204 ? undefined : WorkerPayroll.parse(response.data).workers.find((w) => w.associateOID === aoid);
  const assignment = worker?.workAssignments.find((a) => a.primaryIndicator === true) ?? worker?.workAssignments[0];
  if (assignment?.payrollGroupCode === undefined || assignment.payrollFileNumber === undefined) {
    throw ConnectorConfigError.forSystem(client.ctx.systemId, `ADP worker ${aoid} has no payroll group code or file number on a work assignment`, 'misconfigured');
  }
  return { payrollGroupCode: assignment.payrollGroupCode, payrollFileNumber: assignment.payrollFileNumber };
}

/**
 * The pushed entry as ADP holds it, for `fetchByIds` and the hub's read-after-write: the worker's
 * totals in the entry's batch (ADP keeps lines per worker and batch, not per day).
 */
export async function readBackRecord(client: AdpClient, externalId: string): Promise<VendorRecord> {
  const [payrollGroupCode, jobId, associateOID, workDate] = externalId.split('~');
  if (payrollGroupCode === undefined || jobId === undefined || associateOID === undefined || workDate === undefined) {
    throw ConnectorConfigError.forSystem(client.ctx.systemId, `${externalId} is not a pay data input id (group~job~aoid~date)`, 'misconfigured');
  }
  const totals = await heldTotals(client, { payrollGroupCode, jobId, associateOID });
  return { id: externalId, associateOID, payrollGroupCode, payrollProcessingJobID: jobId, workDate, batchTotals: totals };
}

function mismatch(client: AdpClient, key: BatchKey, when: string, expected: Totals, held: Totals): ConnectorConfigError {
  return ConnectorConfigError.forSystem(
    client.ctx.systemId,
    `ADP pay data batch ${key.jobId} (group ${key.payrollGroupCode}) for worker ${key.associateOID} holds ${describeTotals(held)} ${when}, expected ${describeTotals(expected)}: not sent again; check the batch in ADP`,
    'rejected',
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
