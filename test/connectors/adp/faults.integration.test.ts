import { afterEach, describe, expect, it } from 'vitest';
import { adp } from '../../../connectors/adp/index.ts';
import { ConnectorConfigError, createHttpClient, TransientError, GuardRegistry, memoryState, silentLogger, type ConnectorInstance, type ConnectorState, type PageCursor } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startAdpEmulator, type RunningAdpEmulator, type StartAdpOptions } from '../../../fixtures/adp/index.ts';

/**
 * ADP's bad input over real HTTPS: client certificates missing, wrong or untrusted, a token that
 * expires mid-run, the 204 where a page was expected, and the event queue acknowledged only after
 * the hub's commit (twice is fine; a message the hub cannot read does not block the queue).
 */
const dataset = sampleDataset();
let emulator: RunningAdpEmulator | null = null;
afterEach(async () => {
  await emulator?.close();
  emulator = null;
});

let serial = 0;
async function open(options: Partial<StartAdpOptions> = {}, credentials: (good: Readonly<Record<string, string>>) => Record<string, string> = (g) => ({ ...g }), state: ConnectorState = memoryState()): Promise<{ emu: RunningAdpEmulator; connector: ConnectorInstance }> {
  const emu = await startAdpEmulator({ dataset, ...options });
  emulator = emu;
  const connector = adp.create({
    systemId: `adp-faults-${++serial}`, baseUrl: emu.baseUrl, credentials: credentials(emu.credentials), state, logger: silentLogger,
    http: { guards: new GuardRegistry(), retry: { baseDelayMs: 10, maxRetries: 2, maxRetryAfterMs: 5_000 }, rateLimit: { requests: 1000, windowMs: 1000 } },
  });
  return { emu, connector };
}

async function pullAll(connector: ConnectorInstance, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: PageCursor | null = null;
  do {
    const page: Awaited<ReturnType<ConnectorInstance['pullPage']>> = await connector.pullPage({ entity: 'workers', since: null, cursor, pageSize });
    ids.push(...page.records.map((r) => String(r['associateOID'])));
    cursor = page.next;
  } while (cursor !== null);
  return ids;
}

describe('ADP mutual TLS', () => {
  it('no client certificate: refused in the handshake, a config error (bad credentials), not retried', async () => {
    const { emu } = await open({ refuseInHandshake: true });
    const http = createHttpClient({
      systemId: 'adp-no-cert', baseUrl: emu.baseUrl, rateLimit: adp.manifest.rateLimit, logger: silentLogger, tls: { ca: emu.pki.ca },
      options: { guards: new GuardRegistry(), retry: { baseDelayMs: 10 } },
    });
    const err = await http.get('/hr/v2/workers').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).reason).toBe('bad_credentials');
    expect(http.stats().retries).toBe(0);
    // And the connector itself will not start without one.
    expect(() => adp.create({ systemId: 'x', baseUrl: emu.baseUrl, credentials: { ...emu.credentials, certificate: '' }, state: memoryState(), logger: silentLogger })).toThrow(/certificate/);
  });

  it('a certificate the handshake refuses: no token issued; a bare reset is network trouble to us (retried, then transient)', async () => {
    const { emu } = await open({ refuseInHandshake: true });
    // Our key with a certificate ADP never signed: the handshake's alert, or ADP's 401 after it.
    const connector = adp.create({
      systemId: 'adp-rogue-hs', baseUrl: emu.baseUrl, credentials: { ...emu.credentials, certificate: emu.pki.rogue.cert, privateKey: emu.pki.rogue.key }, state: memoryState(), logger: silentLogger,
      http: { guards: new GuardRegistry(), retry: { baseDelayMs: 10, maxRetries: 1 } },
    });
    const err = await connector.pullPage({ entity: 'workers', since: null, cursor: null }).catch((e: unknown) => e);
    // Node reports the server's "unknown CA" alert as ECONNRESET when it races the client's first
    // write (usually), or as the alert itself (then a config error).
    if (err instanceof ConnectorConfigError) expect(err.reason).toBe('bad_credentials');
    else {
      expect(err).toBeInstanceOf(TransientError);
      expect((err as TransientError).code).toBe('ECONNRESET');
    }
    expect(emu.control.stats.tokens).toBe(0);
  });

  it('a certificate ADP did not sign is refused (401 after the handshake): a config error, no token issued', async () => {
    const { emu, connector } = await open();
    const rogue = adp.create({
      systemId: 'adp-rogue', baseUrl: emu.baseUrl, credentials: { ...emu.credentials, certificate: emu.pki.rogue.cert, privateKey: emu.pki.rogue.key }, state: memoryState(), logger: silentLogger,
      http: { guards: new GuardRegistry() },
    });
    const err = await rogue.pullPage({ entity: 'workers', since: null, cursor: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect(String((err as Error).message)).toMatch(/client certificate required/);
    expect(emu.control.stats.tokens).toBe(0);
    // The right certificate still works.
    expect((await connector.pullPage({ entity: 'workers', since: null, cursor: null, pageSize: 5 })).records).toHaveLength(5);
  });

  it('a server certificate from a CA we do not trust is a config error', async () => {
    const { connector } = await open({}, (g) => ({ ...g, caCertificate: '' }));
    const err = await connector.pullPage({ entity: 'workers', since: null, cursor: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).reason).toBe('misconfigured');
  });
});

describe('ADP workers', () => {
  it('a token that expires mid-run is renewed once and the pull goes on', async () => {
    const { emu, connector } = await open();
    const first = await connector.pullPage({ entity: 'workers', since: null, cursor: null, pageSize: 10 });
    emu.control.expireTokens();
    const rest = await pullAll(connector, 10);
    expect(emu.control.stats.tokens).toBe(2);
    expect(first.records).toHaveLength(10);
    expect(new Set(rest).size).toBe(emu.control.workers().length);
  });

  it('a 204 where a page was expected ends the listing (a count that is a multiple of the page size)', async () => {
    const { emu, connector } = await open();
    const total = emu.control.workers().length;
    const divisor = [25, 20, 10, 5, 4, 2, 1].find((d) => total % d === 0) ?? 1;
    const ids = await pullAll(connector, divisor);
    expect(ids).toHaveLength(total);
    const past = await connector.pullPage({ entity: 'workers', since: null, cursor: { skip: total }, pageSize: divisor });
    expect(past).toEqual({ records: [], next: null });
  });

  it('a refused client secret is bad credentials at the token endpoint', async () => {
    const { connector } = await open({}, (g) => ({ ...g, clientSecret: 'nope' }));
    const err = await connector.pullPage({ entity: 'workers', since: null, cursor: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).reason).toBe('bad_credentials');
  });
});

describe('ADP event notifications', () => {
  it('a message is deleted only once the hub says it wrote it; a poll that died reads it again; acknowledged twice is fine', async () => {
    const state = memoryState();
    const { emu, connector } = await open({}, (g) => ({ ...g }), state);
    const [a, b] = emu.control.workers();
    if (!a || !b) throw new Error('workers');
    emu.control.editWorker(a.associateOID, { givenName: 'Ann' });
    emu.control.editWorker(b.associateOID, { email: 'b@example.test' });
    const first = await connector.pollEvents?.();
    expect(first?.events.map((e) => e.externalId)).toEqual([a.associateOID]);
    // The hub died before its commit: the next poll (last written batch unchanged) reads the same message.
    const again = await connector.pollEvents?.(undefined, undefined);
    expect(again?.batchId).toBe(first?.batchId);
    expect(again?.events.map((e) => e.eventId)).toEqual(first?.events.map((e) => e.eventId));
    expect(emu.control.queued()).toHaveLength(2);
    // Written: the next poll acknowledges it and reads the next message.
    const next = await connector.pollEvents?.(undefined, first?.batchId ?? '');
    expect(emu.control.queued()).toHaveLength(1);
    expect(next?.events.map((e) => e.externalId)).toEqual([b.associateOID]);
    // Acknowledging the same message again (another process, a lost state): a 404, taken as done.
    const otherProcess = adp.create({ systemId: 'adp-other', baseUrl: emu.baseUrl, credentials: emu.credentials, state: memoryState(), logger: silentLogger });
    await expect(otherProcess.pollEvents?.(undefined, first?.batchId ?? '')).resolves.toMatchObject({ batchId: next?.batchId });
    expect(emu.control.stats.deletes).toBe(1);
    const last = await connector.pollEvents?.(undefined, next?.batchId ?? '');
    expect(last).toEqual({ batchId: null, events: [] });
    expect(emu.control.queued()).toEqual([]);
  });

  it('a message the hub cannot read yields no events, and is still acknowledged after the next commit', async () => {
    const { emu, connector } = await open();
    emu.control.queueRaw({ events: [{ eventID: 'e-1', eventNameCode: { codeValue: 'payroll-instructions.change' }, data: {} }] });
    const batch = await connector.pollEvents?.();
    expect(batch?.events).toEqual([]);
    expect(batch?.batchId).not.toBeNull();
    await connector.pollEvents?.(undefined, batch?.batchId ?? '');
    expect(emu.control.queued()).toEqual([]);
  });
});
