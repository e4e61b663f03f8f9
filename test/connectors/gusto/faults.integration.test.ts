import { describe, expect, it } from 'vitest';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import type { RequestStats } from '../../../connectors/kit/index.ts';
import type { GustoEmulatorOptions } from '../../../fixtures/gusto/index.ts';
import { countRows } from '../../support/temp-store.ts';
import { startHarness, type GustoHarness } from './support/hub.ts';

/**
 * `sync gusto` while the vendor misbehaves mid-run: each scenario starts from a freshly seeded hub
 * and a fresh emulator serving 25 employees a page, so the fault lands between pages of one run.
 * Every time the run must succeed with every employee linked once and nothing else written.
 */

const dataset = sampleDataset();

async function syncUnder(
  fault: (h: GustoHarness) => void,
  emulator: GustoEmulatorOptions = {},
): Promise<{ h: GustoHarness; stats: RequestStats | undefined }> {
  const h = await startHarness(dataset, { maxPerPage: 25, ...emulator });
  await h.seed();
  fault(h);
  const candidates = countRows(h.store, 'candidates');
  const runs = await h.sync();
  expect(runs.map((r) => r.status)).toEqual(['succeeded']);
  expect(runs[0]?.counts['pages']).toBe(Math.ceil(h.gusto.control.count('employees') / 25));

  const employees = h.gusto.control.employees();
  const withEmail = employees.filter((e) => typeof e['email'] === 'string').length;
  expect(countRows(h.store, 'candidates')).toBe(candidates);
  expect(countRows(h.store, 'links', `system = 'gusto' AND state = 'linked'`)).toBe(withEmail);
  expect(countRows(h.store, 'links', `system = 'gusto' AND state = 'parked'`)).toBe(employees.length - withEmail);
  expect(countRows(h.store, 'links', `system = 'gusto'`)).toBe(employees.length);
  // One ledger row per matched employee, none twice.
  expect(countRows(h.store, 'ledger', `system = 'gusto' AND direction = 'in'`)).toBe(withEmail);
  const distinct = h.store.db.prepare(`SELECT count(DISTINCT external_id) FROM ledger WHERE system = 'gusto'`).pluck().get();
  expect(distinct).toBe(withEmail);
  return { h, stats: h.hub.connector('gusto').requestStats?.() };
}

/** Runs `action` when the `n`th employees listing request arrives (before the emulator answers it). */
function onListing(h: GustoHarness, n: number, action: () => void): void {
  let seen = 0;
  h.gusto.onRequest((method, path) => {
    if (method === 'GET' && path.endsWith('/employees') && ++seen === n) action();
  });
}

describe('sync gusto under faults', () => {
  it('waits out real 429s (Retry-After and X-RateLimit-Reset) and finishes', async () => {
    const { h, stats } = await syncUnder(() => undefined, { rateLimit: 4, rateLimitWindowMs: 1_500 });
    try {
      expect(stats?.rateLimited).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('retries through a burst of 5xx answers', async () => {
    const { h, stats } = await syncUnder((harness) => onListing(harness, 2, () => harness.gusto.serverErrorNext(3, 502)));
    try {
      expect(stats?.retries).toBeGreaterThanOrEqual(3);
    } finally {
      await h.close();
    }
  });

  it('refreshes an access token that expires mid-run, keeping the rotated refresh token', async () => {
    const { h, stats } = await syncUnder((harness) => onListing(harness, 3, () => harness.gusto.control.expireTokens()));
    try {
      expect(stats?.authRefreshes).toBe(1);
      const stored = JSON.parse((await h.state.get('oauth.tokens')) ?? '{}') as { refreshToken?: string };
      expect(stored.refreshToken).toMatch(/\S/);
      expect(stored.refreshToken).not.toBe(h.gusto.credentials['refreshToken']);
    } finally {
      await h.close();
    }
  });

  it('re-reads a page whose connection dropped mid-response', async () => {
    const { h, stats } = await syncUnder((harness) => onListing(harness, 2, () => harness.gusto.control.faults.set({ dropConnectionOnRequest: 1 })));
    try {
      expect(stats?.retries).toBeGreaterThanOrEqual(1);
    } finally {
      await h.close();
    }
  });
});
