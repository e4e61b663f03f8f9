import { afterEach, describe, expect, it } from 'vitest';
import { adp } from '../../../connectors/adp/index.ts';
import { ConnectorConfigError, GuardRegistry, memoryState, silentLogger, type ConnectorInstance, type ConnectorState, type PushRequest } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startAdpEmulator, type RunningAdpEmulator } from '../../../fixtures/adp/index.ts';

/**
 * Approved time as ADP pay data input over real HTTPS with mutual TLS: a retried push never pays
 * twice (a response lost after the write, a replay with the same key, a process that died between
 * the send and its confirmation), the read-back catches a batch that holds something else, and the
 * firm's earning codes come from the system's options.
 */
const dataset = sampleDataset();
let emulator: RunningAdpEmulator | null = null;
afterEach(async () => {
  await emulator?.close();
  emulator = null;
});

let serial = 0;
async function open(state: ConnectorState = memoryState(), options: Record<string, string> = {}): Promise<{ emu: RunningAdpEmulator; connector: ConnectorInstance; aoid: string; group: string; file: string }> {
  const emu = emulator ?? (await startAdpEmulator({ dataset }));
  emulator = emu;
  const connector = connect(emu, state, options);
  const [worker] = emu.control.workers();
  const assignment = (worker?.['workAssignments'] as Array<Record<string, string>> | undefined)?.[0];
  if (!worker || !assignment?.['payrollGroupCode'] || !assignment['payrollFileNumber']) throw new Error('no worker seeded');
  return { emu, connector, aoid: worker.associateOID, group: assignment['payrollGroupCode'], file: assignment['payrollFileNumber'] };
}

function connect(emu: RunningAdpEmulator, state: ConnectorState, options: Record<string, string> = {}): ConnectorInstance {
  return adp.create({
    systemId: `adp-pay-${++serial}`, baseUrl: emu.baseUrl, credentials: emu.credentials, state, logger: silentLogger, options,
    http: { guards: new GuardRegistry(), retry: { baseDelayMs: 10, maxRetries: 2, maxRetryAfterMs: 5_000 }, rateLimit: { requests: 1000, windowMs: 1000 }, timeoutMs: 5_000 },
  });
}

function entry(aoid: string, workDate: string, regular: number, overtime = 0, doubleTime = 0, key = `key-${aoid}-${workDate}`): PushRequest {
  return {
    entity: 'payDataInputs', op: 'create', idempotencyKey: key, meta: {},
    body: { workDate, hours: { regular, overtime, doubleTime } },
    related: { assignmentId: { externalId: aoid, meta: {} } },
  };
}

const hours = (emu: RunningAdpEmulator, group: string, job: string, aoid: string) =>
  emu.control.payData(group, job, aoid).reduce<Record<string, number>>((acc, l) => ({ ...acc, [l.earningCode]: (acc[l.earningCode] ?? 0) + l.numberOfHours }), {});

describe('ADP pay data input', () => {
  it('earnings by code land in the worker\'s weekly batch with the file number read from the worker, and two days add up', async () => {
    const { emu, connector, aoid, group, file } = await open();
    const first = await connector.push(entry(aoid, '2026-11-16', 8, 2));
    await connector.push(entry(aoid, '2026-11-21', 6, 0, 1)); // a Saturday: the same Sunday-to-Saturday week
    expect(first.externalId).toBe(`${group}~crosswalk-week-2026-11-15~${aoid}~2026-11-16`);
    expect(first.meta).toMatchObject({ sent: { R: 8, O: 2 }, payrollFileNumber: file, payrollGroupCode: group });
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 14, O: 2, D: 1 });
    await connector.push(entry(aoid, '2026-11-22', 4)); // Sunday: the next period's batch
    expect(hours(emu, group, 'crosswalk-week-2026-11-22', aoid)).toEqual({ R: 4 });
  });

  it('a response lost after ADP applied the modify: the read-back shows it landed, nothing is sent twice', async () => {
    const { emu, connector, aoid, group } = await open();
    emu.control.payDataFaults.dropResponseAfterApplyNext = 1;
    await connector.push(entry(aoid, '2026-11-17', 8, 1));
    expect(emu.control.payDataFaults.dropResponseAfterApplyNext, 'the response was dropped').toBe(0);
    expect(emu.control.payDataStats.modifies).toBe(1);
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 8, O: 1 });
  });

  it('the same push again (a queue retry, a replay, a new process with the same durable state) sends nothing', async () => {
    const state = memoryState();
    const { emu, connector, aoid, group } = await open(state);
    await connector.push(entry(aoid, '2026-11-17', 8));
    await connector.push(entry(aoid, '2026-11-17', 8));
    await connect(emu, state).push(entry(aoid, '2026-11-17', 8));
    expect(emu.control.payDataStats.modifies).toBe(1);
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 8 });
  });

  it('a process that died between the send and its confirmation: the retry finds the send landed, or sends it once if it did not', async () => {
    const state = memoryState();
    const { emu, aoid, group } = await open(state);
    // The first attempt saved what it was about to add and died: once after the send landed …
    await state.set('payData.pending.landed', JSON.stringify({ before: {}, adding: { R: 7 } }));
    await connect(emu, memoryState()).push(entry(aoid, '2026-11-18', 7, 0, 0, 'other')); // ADP now holds R 7 (as if the dead attempt sent it)
    await connect(emu, state).push(entry(aoid, '2026-11-18', 7, 0, 0, 'landed'));
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 7 });
    // … and once before it: the batch still holds the before-totals, so it is sent now.
    await state.set('payData.pending.unsent', JSON.stringify({ before: { R: 7 }, adding: { R: 3 } }));
    await connect(emu, state).push(entry(aoid, '2026-11-19', 3, 0, 0, 'unsent'));
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 10 });
  });

  it('ADP holding other hours than were sent is a clear failure (parked), and a retry does not send again', async () => {
    const state = memoryState();
    const { emu, connector, aoid, group } = await open(state);
    emu.control.payDataFaults.skewNextHours = 0.5;
    const err = await connector.push(entry(aoid, '2026-11-17', 8)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect(String(err)).toMatch(/holds R 8\.5h after the send, expected R 8h/);
    const again = await connector.push(entry(aoid, '2026-11-17', 8)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConnectorConfigError);
    expect(emu.control.payDataStats.modifies).toBe(1);
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 8.5 });
  });

  it('an update sends the difference from what was sent; concurrent days of one worker are taken one at a time', async () => {
    const { emu, connector, aoid, group } = await open();
    const created = await connector.push(entry(aoid, '2026-11-17', 8, 2));
    await Promise.all([connector.push(entry(aoid, '2026-11-18', 8)), connector.push(entry(aoid, '2026-11-19', 8)), connector.push(entry(aoid, '2026-11-20', 8))]);
    await connector.push({ ...entry(aoid, '2026-11-17', 7.5, 0, 0, 'update-1'), op: 'update', externalId: created.externalId, meta: created.meta ?? {} });
    expect(hours(emu, group, 'crosswalk-week-2026-11-15', aoid)).toEqual({ R: 31.5, O: 0 });
  });

  it('the firm\'s earning codes come from the options; a code ADP does not know is refused with ADP\'s reason, and a bad option names itself', async () => {
    const { emu, aoid } = await open(memoryState(), { earningCodeRegular: 'REG' });
    const err = await connect(emu, memoryState(), { earningCodeRegular: 'REG' }).push(entry(aoid, '2026-11-17', 8)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect(String(err)).toMatch(/earning code REG is not set up/);
    const bad = await connect(emu, memoryState(), { payPeriodStartsOn: 'someday' }).push(entry(aoid, '2026-11-17', 8)).catch((e: unknown) => e);
    expect(String(bad)).toMatch(/options\.payPeriodStartsOn/);
    expect(emu.control.payDataStats.modifies).toBe(0);
  });

  it('a worker the push cannot name (the candidate not linked to ADP) is a config error before any call', async () => {
    const { emu, connector } = await open();
    const err = await connector.push({ entity: 'payDataInputs', op: 'create', idempotencyKey: 'k', meta: {}, body: { workDate: '2026-11-17', hours: { regular: 8 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect(String(err)).toMatch(/names no ADP worker/);
    expect(emu.control.stats.requests).toBe(0);
  });
});
