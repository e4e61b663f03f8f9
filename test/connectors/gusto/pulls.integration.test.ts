import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gusto, paidHours } from '../../../connectors/gusto/index.ts';
import { memoryState, silentLogger, type ConnectorInstance, type PageCursor, type PullRequest, type VendorRecord } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';
import { testHttp } from './support/hub.ts';

/** Pulls beyond the contract suite: where `since` is served from, and what a payroll page carries. */

const dataset = sampleDataset();
let emulator: GustoUnderTest;
let instance: ConnectorInstance;
let state: ReturnType<typeof memoryState>;
/** The emulator's clock (event timestamps, token lives): tests move it forward. */
let clock = Date.now();

beforeEach(async () => {
  clock = Date.now();
  emulator = await startGusto({ dataset, now: () => clock });
  state = memoryState();
  instance = gusto.create({ systemId: 'gusto-pulls', baseUrl: emulator.baseUrl, credentials: emulator.credentials, state, logger: silentLogger, http: testHttp() });
});
afterEach(async () => {
  await emulator.close();
});

async function pullAll(request: Omit<PullRequest, 'cursor'>): Promise<{ records: VendorRecord[]; pages: number; totals: Array<number | undefined> }> {
  const records: VendorRecord[] = [];
  const totals: Array<number | undefined> = [];
  let cursor: PageCursor | null = null;
  let pages = 0;
  do {
    const page = await instance.pullPage({ ...request, cursor });
    records.push(...page.records);
    totals.push(page.total);
    cursor = page.next === null ? null : (JSON.parse(JSON.stringify(page.next)) as PageCursor);
    pages += 1;
  } while (cursor !== null);
  return { records, pages, totals };
}

const uuids = (records: readonly VendorRecord[]): string[] => records.map((r) => String(r['uuid']));

describe('gusto pulls', () => {
  it('serves a recent `since` from the events feed: the changed records, each once, over several pages', async () => {
    // The emulator's clock stamps the events.
    const since = new Date(clock).toISOString();
    const changed = emulator.control.employees().slice(0, 5).map((e) => String(e['uuid']));
    for (const uuid of changed) emulator.control.editEmployee(uuid, { preferred_first_name: 'One' });
    for (const uuid of changed.slice(0, 2)) emulator.control.editEmployee(uuid, { preferred_first_name: 'Two' });
    const before = emulator.requests.length;
    const { records, pages, totals } = await pullAll({ entity: 'employees', since, pageSize: 2 });
    expect(uuids(records)).toEqual(changed);
    expect(pages).toBe(3);
    expect(totals).toEqual([5, 5, 5]);
    expect(emulator.requests.slice(before).filter((r) => r.endsWith('/employees') && r.startsWith('GET')).length).toBe(3); // fetches by uuid, no listing
    expect(JSON.parse(state.snapshot()['events.anchors.employee'] ?? '[]')).toHaveLength(1);

    // Ten minutes later: the next pull starts after the page it read last time, and sees only what changed since.
    const anchor = (JSON.parse(state.snapshot()['events.anchors.employee'] ?? '[]') as Array<[string, number]>)[0]?.[0];
    expect(anchor).toMatch(/\S/);
    clock += 10 * 60_000;
    const later = new Date(clock - 60_000).toISOString();
    emulator.control.editEmployee(changed[4] ?? '', { preferred_first_name: 'Three' });
    const from = emulator.urls.length;
    expect(uuids((await pullAll({ entity: 'employees', since: later })).records)).toEqual([changed[4]]);
    expect(emulator.urls.slice(from).find((u) => u.startsWith('GET /v1/events'))).toContain(`starting_after_uuid=${anchor}`);
  });

  it('a recent `since` with nothing changed costs one feed read and returns nothing', async () => {
    const before = emulator.requests.length;
    const page = await instance.pullPage({ entity: 'employees', since: new Date().toISOString(), cursor: null });
    expect(page).toEqual({ records: [], next: null, total: 0 });
    expect(emulator.requests.slice(before).filter((r) => r.startsWith('GET /v1/'))).toEqual(['GET /v1/token_info', 'GET /v1/events']);
  });

  it('reads the full listing when `since` is older than the feed reaches', async () => {
    const since = new Date(Date.now() - 40 * 24 * 3_600_000).toISOString();
    const { records } = await pullAll({ entity: 'employees', since });
    expect(records).toHaveLength(emulator.control.count('employees'));
  });

  it('lists payrolls with their compensations, processed and open', async () => {
    const { records } = await pullAll({ entity: 'payrolls', since: null });
    expect(records).toHaveLength(emulator.control.count('payrolls'));
    expect(records.map((r) => r['processed'])).toContain(false);
    const processed = records.find((r) => r['processed'] === true);
    expect(processed?.['employee_compensations']).toBeInstanceOf(Array);
    const hours = paidHours(processed ?? {});
    expect(hours.length).toBeGreaterThan(0);
    expect(hours.reduce((sum, line) => sum + line.regularHours, 0)).toBeGreaterThan(0);
    const [one] = await instance.fetchByIds('payrolls', [String(processed?.['uuid'])]);
    expect(paidHours(one ?? {})).toEqual(hours);
  });
});
