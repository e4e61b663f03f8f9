import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { greenhouse } from '../../../connectors/greenhouse/index.ts';
import { GuardRegistry, memoryState, silentLogger, TransientError, type ConnectorInstance, type PageCursor } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGreenhouseEmulator, type RunningGreenhouseEmulator } from '../../../fixtures/greenhouse/index.ts';

/** Greenhouse's bad input over real HTTP: Link headers damaged or lost, the budget spent, a 429 with Retry-After. */
const dataset = sampleDataset();
let emulator: RunningGreenhouseEmulator;
let connector: ConnectorInstance;

async function open(rateLimit = 1000): Promise<void> {
  emulator = await startGreenhouseEmulator({ dataset, rateLimit });
  connector = greenhouse.create({
    systemId: `greenhouse-faults-${rateLimit}`, baseUrl: emulator.baseUrl, credentials: emulator.credentials, state: memoryState(), logger: silentLogger,
    // Fresh limiters per test, fast retries.
    http: { guards: new GuardRegistry(), retry: { baseDelayMs: 10, maxRetryAfterMs: 5_000 } },
  });
}
beforeEach(async () => open());
afterEach(async () => emulator.close());

/** Every id of a listing, page by page, each page retried (as the job would be) on a transient error. */
async function pullAll(entity: string, pageSize: number, from: PageCursor | null = null): Promise<{ ids: number[]; retried: number }> {
  const ids: number[] = [];
  let cursor: PageCursor | null = from;
  let retried = 0;
  for (;;) {
    let page;
    try {
      page = await connector.pullPage({ entity, since: null, cursor, pageSize });
    } catch (err) {
      if (!(err instanceof TransientError) || retried > 5) throw err;
      retried++;
      continue;
    }
    ids.push(...page.records.map((r) => Number(r['id'])));
    if (page.next === null) return { ids, retried };
    // Cursors travel through the queue as JSON.
    cursor = JSON.parse(JSON.stringify(page.next)) as PageCursor;
  }
}

describe('Greenhouse bad input', () => {
  it('a Link header that does not parse fails the page (retryable), and the retry completes the listing exactly once', async () => {
    emulator.control.faults.malformedLinkNext = 1;
    await expect(connector.pullPage({ entity: 'candidates', since: null, cursor: null, pageSize: 50 })).rejects.toThrow(/Link header that does not parse/);
    const { ids, retried } = await pullAll('candidates', 50);
    expect(retried).toBe(0);
    expect(new Set(ids).size).toBe(dataset.candidates.length);
  });

  it('a later page that lost its Link header is retried, never taken for the end of the listing', async () => {
    const first = await connector.pullPage({ entity: 'candidates', since: null, cursor: null, pageSize: 50 });
    expect(first.next).toMatchObject({ classic: true });
    emulator.control.faults.dropLinkNext = 1;
    await expect(connector.pullPage({ entity: 'candidates', since: null, cursor: first.next, pageSize: 50 })).rejects.toBeInstanceOf(TransientError);
    // The job retries the page from the same cursor; the rest of the listing follows, once.
    emulator.control.faults.dropLinkNext = 1;
    const rest = await pullAll('candidates', 50, first.next);
    expect(rest.retried).toBe(1);
    const ids = [...first.records.map((r) => Number(r['id'])), ...rest.ids];
    expect(ids.length).toBe(dataset.candidates.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a next link to another host is refused: credentials never leave the API host', async () => {
    const page = connector.pullPage({ entity: 'jobs', since: null, cursor: { next: 'https://evil.example/v1/jobs?page=1&per_page=10', classic: false }, pageSize: 10 });
    // The cursor is resolved against the base URL: the other host is never called.
    await expect(page).resolves.toBeDefined();
    expect(emulator.control.served.get('/v1/jobs')).toBe(1);
  });

  it('a 429 with Retry-After is waited out; the pull completes', async () => {
    emulator.control.faults.rateLimitNext = 2;
    emulator.control.faults.retryAfterSeconds = 1;
    const started = Date.now();
    const { ids } = await pullAll('jobs', 100);
    expect(ids.length).toBe(dataset.requisitions.length);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(connector.requestStats?.().rateLimited).toBe(2);
  });

  it('the budget in X-RateLimit-Remaining is kept: a spent window is waited out without a 429', async () => {
    await emulator.close();
    await open(3);
    const started = Date.now();
    for (let i = 0; i < 4; i++) await connector.pullPage({ entity: 'jobs', since: null, cursor: null, pageSize: 5 });
    // The third answer said 0 remain: the fourth waited for the window's reset instead of spending a 429.
    expect(connector.requestStats?.().rateLimited).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(1_000);
  }, 30_000);
});
