import { afterEach, describe, expect, it } from 'vitest';
import { countDataset } from '../../../fixtures/dataset/index.ts';
import { canonicalCount, duplicateLinks, FEEDS, ledgerCreates, linkCount, startHub, type HubHarness } from './hub-support.ts';

/**
 * A full sync of every Bullhorn entity while the vendor misbehaves. Each time the sync must finish
 * with nothing lost and nothing doubled: canonical rows and links equal the seed, no external id
 * or canonical id linked twice, one ledger `create` per record created. The emulator caps pages
 * at 25 records so each entity takes several pages and the faults land mid-run.
 */

let h: HubHarness | null = null;
let timer: NodeJS.Timeout | null = null;
afterEach(async () => {
  if (timer !== null) clearInterval(timer);
  timer = null;
  await h?.close();
  h = null;
});

async function hubWithSmallPages(): Promise<HubHarness> {
  h = await startHub({ emulator: { maxPageSize: 25 } });
  return h;
}

/** Runs `act` once, when the emulator has served more than `after` requests: mid-run, not before it. */
function whenRequests(hub: HubHarness, after: number, act: () => void, times = 1): void {
  let left = times;
  let next = after;
  timer = setInterval(() => {
    if (left > 0 && hub.control.requestCount() > next) {
      act();
      left -= 1;
      next = hub.control.requestCount() + after;
    }
  }, 1);
}

async function expectCompleteAndExact(hub: HubHarness): Promise<void> {
  const runs = await hub.sync();
  expect(runs.map((r) => [r.entity, r.status, r.error]).sort()).toEqual(FEEDS.map((f) => [f.vendor, 'succeeded', null]).sort());
  const counts = countDataset(hub.dataset);
  for (const feed of FEEDS) {
    expect(canonicalCount(hub.store, feed.entity), feed.entity).toBe(counts[feed.count]);
    expect(linkCount(hub.store, feed.entity), `${feed.entity} links`).toBe(counts[feed.count]);
  }
  expect(duplicateLinks(hub.store)).toEqual({ byExternal: 0, byCanonical: 0 });
  expect(ledgerCreates(hub.store)).toBe(FEEDS.reduce((n, f) => n + counts[f.count], 0));
}

describe('bullhorn sync under vendor faults', () => {
  it('a 429 storm: waited out, nothing lost or doubled', async () => {
    const hub = await hubWithSmallPages();
    // Every request answers 429 for a second and a half of the emulator's clock, three times over.
    whenRequests(hub, 10, () => hub.control.faults.set({ rateLimitStorm: { durationMs: 1_500 } }), 3);
    await expectCompleteAndExact(hub);
    expect(hub.control.stats().byStatus['429'] ?? 0).toBeGreaterThan(0);
    expect(hub.hub.connector('bullhorn').requestStats?.().rateLimited ?? 0).toBeGreaterThan(0);
  });

  it('5xx bursts: retried, nothing lost or doubled', async () => {
    const hub = await hubWithSmallPages();
    hub.control.faults.set({ errorRate: 0.25, errorStatus: 503 });
    await expectCompleteAndExact(hub);
    expect(hub.control.stats().byStatus['503'] ?? 0).toBeGreaterThan(5);
  });

  it('sessions, access tokens (and once refresh tokens) ending mid-run: re-login, nothing lost or doubled', async () => {
    const hub = await hubWithSmallPages();
    let round = 0;
    whenRequests(hub, 15, () => hub.control.faults.expireAllSessions({ includeRefreshTokens: (round += 1) === 2 }), 3);
    await expectCompleteAndExact(hub);
    expect(hub.hub.connector('bullhorn').requestStats?.().authRefreshes).toBe(3);
  });

  it('connections dropped mid-page: retried, nothing lost or doubled', async () => {
    const hub = await hubWithSmallPages();
    whenRequests(hub, 8, () => hub.control.faults.set({ dropConnection: { onRequest: 1 } }), 4);
    await expectCompleteAndExact(hub);
    expect(hub.control.stats().droppedConnections).toBe(4);
  });
});
