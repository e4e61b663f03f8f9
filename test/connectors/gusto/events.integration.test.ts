import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.ts';
import { memoryState, silentLogger, type ConnectorInstance } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';
import { testHttp } from './support/hub.ts';

/**
 * Gusto's events feed read as an event queue: the feed is not consumed by reading it, so a poll
 * that dies before the hub writes its events must not move the hub's position past them.
 */

const dataset = sampleDataset();
let emulator: GustoUnderTest;
let instance: ConnectorInstance;

beforeAll(async () => {
  emulator = await startGusto({ dataset });
  instance = gusto.create({
    systemId: 'gusto-events', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger, http: testHttp(),
  });
});
afterAll(async () => {
  await instance.close?.();
  await emulator.close();
});

function edit(index: number): string {
  const uuid = String(emulator.control.employees()[index]?.['uuid']);
  emulator.control.editEmployee(uuid, { preferred_first_name: `Poll${index}` });
  return uuid;
}

describe('gusto events feed: the position follows what the hub wrote', () => {
  it('a batch read by a poll that died is read again after the last batch the hub wrote, then not again', async () => {
    const first = edit(1);
    const done = await instance.pollEvents?.();
    expect(done?.events.map((e) => e.externalId)).toContain(first);
    const doneId = done?.batchId ?? undefined;
    expect(doneId).toBeDefined();

    const second = edit(2);
    const lost = await instance.pollEvents?.(undefined, doneId);
    expect(lost?.events.map((e) => e.externalId)).toEqual([second]);
    // The hub never wrote `lost`: told the same last batch, the connector reads those events again.
    const again = await instance.pollEvents?.(undefined, doneId);
    expect(again?.events.map((e) => e.eventId)).toEqual(lost?.events.map((e) => e.eventId));
    expect(again?.events.map((e) => e.externalId)).not.toContain(first);

    const next = await instance.pollEvents?.(undefined, again?.batchId ?? undefined);
    expect(next?.events).toEqual([]);
  });
});
