import { afterEach, describe, expect, it } from 'vitest';
import { bullhorn } from '../../../connectors/bullhorn/index.ts';
import { ConnectorConfigError, GuardRegistry, silentLogger, TransientError, type ConnectorInstance, type PageCursor } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { obtainSession, restClient } from '../../../fixtures/bullhorn/testing/client.ts';
import { FAST_HTTP, idsOf, liveConnector, pullAll, subscribeAhead, type LiveConnector } from './support.ts';

/**
 * What the contract suite does not reach: paging while records change, the session's refresh
 * rules, the create that landed before its answer was lost, and event batches Bullhorn forgot.
 */

const dataset = sampleDataset();
let live: LiveConnector | null = null;
afterEach(async () => {
  await live?.close();
  live = null;
});

async function start(options: Parameters<typeof liveConnector>[0] = {}): Promise<LiveConnector> {
  live = await liveConnector({ dataset, ...options });
  return live;
}

const modes = (cursors: readonly PageCursor[]) => cursors.map((c) => c['mode']);
const placementIds = (c: LiveConnector) => dataset.assignments.map((a) => c.control.idFor(a.key, 'Placement'));

describe('paging while records change', () => {
  it('a Placement hard-deleted behind the position: the run switches to keyset and skips nothing', async () => {
    const c = await start();
    const before = placementIds(c);
    const { records, cursors } = await pullAll(c.instance, 'Placement', {
      pageSize: 20,
      between: (page) => {
        if (page === 2) c.control.hardDelete('Placement', before[5] ?? 0);
      },
    });
    // Plain offsets would now skip the record that slid into the gap; every id is read exactly once.
    expect(idsOf(records)).toEqual([...before].sort((a, b) => a - b));
    expect(modes(cursors).slice(0, 2)).toEqual(['offset', 'offset']);
    expect(modes(cursors).at(-1)).toBe('keyset');
  });

  it('records edited, soft-deleted or created mid-run are each read once, new ones at the end', async () => {
    const c = await start();
    const candidates = dataset.candidates.map((x) => c.control.idFor(x.key, 'Candidate')).sort((a, b) => a - b);
    let created = 0;
    const { records, cursors } = await pullAll(c.instance, 'Candidate', {
      pageSize: 25,
      between: (page) => {
        if (page !== 1) return;
        c.control.edit('Candidate', candidates[3] ?? 0, { phone: '(312) 555-0101' });
        c.control.edit('Candidate', candidates[60] ?? 0, { phone: '(312) 555-0102' });
        c.control.softDelete('Candidate', candidates[70] ?? 0);
        created = c.control.create('Candidate', { firstName: 'Odalys', lastName: 'Ferreira-Nakamura', status: 'Active' });
      },
    });
    expect(idsOf(records)).toEqual([...candidates, created]);
    expect(new Set(modes(cursors))).toEqual(new Set(['offset']));
    expect(records.find((r) => r['id'] === candidates[70])).toMatchObject({ isDeleted: true });
    expect(records.find((r) => r['id'] === candidates[60])).toMatchObject({ phone: '(312) 555-0102' });
  });

  it('incremental: a record that joins the listing behind the position is left to the next run, nothing repeats', async () => {
    const c = await start();
    const ids = placementIds(c).sort((a, b) => a - b);
    const since = new Date(Date.now() - 1_000).toISOString();
    const changed = ids.filter((_, i) => i % 3 === 0);
    for (const id of changed) c.control.edit('Placement', id, { status: 'Completed' });
    const joiner = ids[1] ?? 0;
    const { records, cursors } = await pullAll(c.instance, 'Placement', {
      since,
      pageSize: 10,
      between: (page) => {
        if (page === 1) c.control.edit('Placement', joiner, { status: 'Terminated' });
      },
    });
    expect(idsOf(records)).toEqual(changed);
    expect(modes(cursors).at(-1)).toBe('keyset');
    // The next run (since = this run's start, as sync.pull keeps it) catches the joiner.
    const next = await pullAll(c.instance, 'Placement', { since, pageSize: 10 });
    expect(idsOf(next.records)).toContain(joiner);
  });

  it('a listing that caps pages below the size asked for is read to its total', async () => {
    const c = await start({ maxPageSize: 7 });
    const { records, pages } = await pullAll(c.instance, 'Placement', { pageSize: 100 });
    expect(idsOf(records)).toEqual(placementIds(c).sort((a, b) => a - b));
    expect(pages).toBeGreaterThan(dataset.assignments.length / 7);
  });

  it('query-listed entities filter on epoch ms (PlacementRateCard)', async () => {
    const c = await start();
    const since = new Date(Date.now() - 1).toISOString();
    const cards = dataset.assignmentRates.slice(0, 3).map((r) => c.control.idFor(r.key, 'PlacementRateCard'));
    for (const id of cards) c.control.edit('PlacementRateCard', id, { effectiveDate: '2026-01-05' });
    const { records } = await pullAll(c.instance, 'PlacementRateCard', { since });
    expect(idsOf(records)).toEqual([...cards].sort((a, b) => a - b));
    expect(records[0]).toHaveProperty('placementRateCardLines');
  });
});

describe('session', () => {
  it('sessions and access tokens ending mid-run: one renewal through the refresh token, the pull completes', async () => {
    const c = await start();
    const { records } = await pullAll(c.instance, 'JobOrder', {
      pageSize: 5,
      between: (page) => {
        if (page === 2) c.control.faults.expireAllSessions();
      },
    });
    expect(records).toHaveLength(dataset.requisitions.length);
    expect(c.instance.requestStats?.().authRefreshes).toBe(1);
  });

  it('each refresh stores the new single-use refresh token; the one it replaced is burnt', async () => {
    const c = await start();
    await c.instance.fetchByIds('Candidate', ['48001']);
    const first = c.state.snapshot()['auth.refreshToken'];
    expect(first).toMatch(/\S/);
    c.control.faults.expireAllSessions();
    await c.instance.fetchByIds('Candidate', ['48001']);
    const second = c.state.snapshot()['auth.refreshToken'];
    expect(second).toMatch(/\S/);
    expect(second).not.toBe(first);
    const reuse = await fetch(`${c.baseUrl}/oauth/token?${new URLSearchParams({
      grant_type: 'refresh_token', refresh_token: first ?? '', client_id: c.control.credentials.clientId, client_secret: c.control.credentials.clientSecret,
    }).toString()}`, { method: 'POST' });
    expect(reuse.status).toBe(400);
  });

  it('a crash while storing the new refresh token: the new access token is never used', async () => {
    const c = await start();
    await c.instance.fetchByIds('Candidate', ['48001']);
    const stored = c.state.snapshot()['auth.refreshToken'];
    const crashing = sharingState(c, { failSetAfter: 0 });
    c.control.faults.expireAllSessions();
    const sessionsBefore = c.control.stats().activeSessions;
    await expect(crashing.fetchByIds('Candidate', ['48001'])).rejects.toThrow(/disk full/);
    // The refresh happened (and spent `stored`), but no REST session was opened with its access token.
    expect(c.control.stats().activeSessions).toBe(sessionsBefore);
    expect(c.state.snapshot()['auth.refreshToken']).toBe(stored);
  });

  it('a refused refresh token falls back to the password', async () => {
    const c = await start();
    await c.instance.fetchByIds('Candidate', ['48001']);
    c.control.faults.expireAllSessions({ includeRefreshTokens: true });
    expect(await c.instance.fetchByIds('Candidate', ['48001'])).toHaveLength(1);
    expect(c.warnings).toContain('bullhorn: refresh token refused; logging in with the password');
  });

  it('concurrent 401s share one renewal', async () => {
    const c = await start();
    await c.instance.fetchByIds('Candidate', ['48001']);
    c.control.faults.expireAllSessions();
    const results = await Promise.all(['48001', '48002', '48003', '48004', '48005'].map((id) => c.instance.fetchByIds('Candidate', [id])));
    expect(results.map((r) => r.length)).toEqual([1, 1, 1, 1, 1]);
    expect(c.instance.requestStats?.().authRefreshes).toBe(1);
  });

  it('bad credentials are a ConnectorConfigError that names neither the password nor the secret', async () => {
    for (const credentials of [{ password: 'not-the-password' }, { clientSecret: 'not-the-secret' }, { clientId: 'not-a-client' }]) {
      const c = await start({ credentials });
      const failure = await c.instance.pullPage({ entity: 'Candidate', since: null, cursor: null }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ConnectorConfigError);
      expect(String(failure)).not.toMatch(/not-the|not-a-client/);
      await c.close();
      live = null;
    }
  });
});

describe('push', () => {
  const jobOrder = (c: LiveConnector) => {
    const client = dataset.clients[0];
    const contact = dataset.contacts.find((x) => x.clientId === client?.key);
    return {
      title: 'Loader — night shift',
      employmentType: 'Contract',
      clientCorporation: { id: c.control.idFor(client?.key ?? '', 'ClientCorporation') },
      clientContact: { id: c.control.idFor(contact?.key ?? '', 'ClientContact') },
    };
  };

  it('a create whose answer was lost is found by its idempotency key, not made twice', async () => {
    const c = await start();
    await c.instance.fetchByIds('JobOrder', ['77001']);
    const before = c.control.count('JobOrder');
    // Request 1 is the look-up by key, request 2 the PUT: it lands, its answer does not.
    c.control.faults.set({ dropConnection: { onRequest: 2 } });
    const request = { entity: 'JobOrder', op: 'create' as const, body: jobOrder(c), idempotencyKey: 'outbox-1:abc', meta: {} };
    const lost = await c.instance.push(request).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(TransientError);
    expect((lost as TransientError).mayHaveApplied).toBe(true);
    expect(c.control.count('JobOrder')).toBe(before + 1);
    const retried = await c.instance.push(request);
    expect(c.control.count('JobOrder')).toBe(before + 1);
    expect(retried.confirmed).toMatchObject({ title: 'Loader — night shift' });
    expect(c.control.get('JobOrder', Number(retried.externalId))).toMatchObject({ customText5: 'outbox-1:abc' });
  });

  it('an update of the approver is read back', async () => {
    const c = await start();
    const placement = dataset.assignments[0];
    const id = c.control.idFor(placement?.key ?? '', 'Placement');
    const other = dataset.contacts.find((x) => x.key !== placement?.approverContactId);
    const contactId = c.control.idFor(other?.key ?? '', 'ClientContact');
    const result = await c.instance.push({ entity: 'Placement', op: 'update', externalId: String(id), body: { approvingClientContact: { id: contactId } }, idempotencyKey: 'k', meta: {} });
    expect(result.externalId).toBe(String(id));
    expect(result.confirmed).toMatchObject({ id, approvingClientContact: { id: contactId } });
    expect(c.control.get('Placement', id)?.['approvingClientContact']).toEqual({ id: contactId });
  });

  it("a refused write is a ConnectorConfigError carrying Bullhorn's words", async () => {
    const c = await start();
    const { clientContact: _missing, ...body } = jobOrder(c);
    const failure = await c.instance.push({ entity: 'JobOrder', op: 'create', body, idempotencyKey: 'k2', meta: {} }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectorConfigError);
    expect((failure as ConnectorConfigError).vendorMessage).toMatch(/clientContact/);
    const gone = await c.instance.push({ entity: 'Placement', op: 'update', externalId: '999999', body: { status: 'Completed' }, idempotencyKey: 'k3', meta: {} }).catch((err: unknown) => err);
    expect(gone).toBeInstanceOf(ConnectorConfigError);
  });

  it('entities the hub does not write are refused before any call', async () => {
    const c = await start();
    c.control.resetRequestCount();
    await expect(c.instance.push({ entity: 'Candidate', op: 'update', externalId: '48001', body: { phone: 'x' }, idempotencyKey: 'k', meta: {} })).rejects.toThrow(ConnectorConfigError);
    expect(c.control.requestCount()).toBe(0);
  });
});

describe('events', () => {
  it('re-reads a batch by requestId; a batch Bullhorn no longer keeps gives a fresh poll instead', async () => {
    const c = await start({ credentials: { subscriptionId: 'events-test' } });
    await subscribeAhead(c.baseUrl, c.control, 'events-test');
    const candidate = c.control.idFor(dataset.candidates[0]?.key ?? '', 'Candidate');
    c.control.edit('Candidate', candidate, { status: 'Placed' });
    const batch = await c.instance.pollEvents?.();
    expect(batch?.events.map((e) => [e.entity, e.externalId, e.kind])).toEqual([['Candidate', String(candidate), 'updated']]);
    const again = await c.instance.pollEvents?.(batch?.batchId ?? '');
    expect(again?.events).toEqual(batch?.events);
    c.control.edit('Candidate', candidate, { status: 'Active' });
    const fresh = await c.instance.pollEvents?.('999999');
    expect(fresh?.events).toHaveLength(1);
    expect(fresh?.events[0]?.eventId).not.toBe(batch?.events[0]?.eventId);
    expect(c.warnings).toContain('bullhorn: event batch can no longer be re-read; polling anew');
  });

  it('a subscription Bullhorn lost is made again', async () => {
    const c = await start({ credentials: { subscriptionId: 'events-lost' } });
    expect((await c.instance.pollEvents?.())?.events).toEqual([]);
    const rest = restClient(await obtainSession(c.baseUrl, c.control.credentials));
    expect((await rest.send('DELETE', 'event/subscription/events-lost')).status).toBe(200);
    expect((await c.instance.pollEvents?.())?.events).toEqual([]);
    const placement = c.control.idFor(dataset.assignments[2]?.key ?? '', 'Placement');
    c.control.hardDelete('Placement', placement);
    c.control.create('Candidate', { firstName: 'Tuyết', lastName: 'Lâm' });
    const batch = await c.instance.pollEvents?.();
    expect(batch?.events.map((e) => [e.entity, e.kind])).toEqual([['Candidate', 'created']]);
  });
});

/** A second connector instance on the same emulator and state, whose state writes fail after `failSetAfter` successes. */
function sharingState(c: LiveConnector, options: { failSetAfter: number }): ConnectorInstance {
  let sets = 0;
  return bullhorn.create({
    systemId: 'bullhorn-crash',
    baseUrl: c.baseUrl,
    credentials: { ...c.control.credentials },
    state: {
      get: (key) => c.state.get(key),
      set: async (key, value) => {
        sets += 1;
        if (sets > options.failSetAfter) throw new Error('disk full');
        await c.state.set(key, value);
      },
    },
    logger: silentLogger,
    http: { ...FAST_HTTP, guards: new GuardRegistry() },
  });
}
