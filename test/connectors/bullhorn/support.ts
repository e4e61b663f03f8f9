import { ENTITY_NAMES } from '../../../connectors/bullhorn/entities.ts';
import { bullhorn } from '../../../connectors/bullhorn/index.ts';
import {
  GuardRegistry, memoryState, silentLogger, type ConnectorInstance, type ConnectorLogger, type HttpOptions, type PageCursor, type VendorRecord,
} from '../../../connectors/kit/index.ts';
import { startBullhornEmulator, type BullhornControl, type BullhornEmulatorOptions } from '../../../fixtures/bullhorn/index.ts';
import { obtainSession, restClient } from '../../../fixtures/bullhorn/testing/client.ts';

/**
 * Makes the event subscription the connector will poll, before a test changes records: Bullhorn
 * queues a change only for subscriptions that exist when it happens (as they do after the
 * connector's first poll in production).
 */
export async function subscribeAhead(baseUrl: string, control: BullhornControl, subscriptionId: string): Promise<void> {
  const rest = restClient(await obtainSession(baseUrl, control.credentials));
  const response = await rest.send('PUT', `event/subscription/${subscriptionId}`, undefined, {
    type: 'entity', names: ENTITY_NAMES.join(','), eventTypes: 'INSERTED,UPDATED,DELETED',
  });
  if (response.status !== 200) throw new Error(`subscribe answered ${response.status}`);
}

/** Retries and backoff short enough for tests; everything else as in production. */
export const FAST_HTTP: HttpOptions = {
  timeoutMs: 5_000,
  retry: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 5_000, retryAfterPadMs: 10 },
};

export interface LiveConnector {
  readonly baseUrl: string;
  readonly control: BullhornControl;
  readonly instance: ConnectorInstance;
  readonly state: ReturnType<typeof memoryState>;
  /** Log lines at warn and above, to check what ops would read. */
  readonly warnings: string[];
  close(): Promise<void>;
}

let systems = 0;

/** A seeded emulator on a free port and a connector instance on it (memory state, fast retries). */
export async function liveConnector(
  options: BullhornEmulatorOptions & { readonly credentials?: Record<string, string>; readonly http?: HttpOptions } = {},
): Promise<LiveConnector> {
  const { credentials, http, ...emulatorOptions } = options;
  const emu = await startBullhornEmulator({ ...emulatorOptions, port: 0 });
  const state = memoryState();
  const warnings: string[] = [];
  const logger: ConnectorLogger = { ...silentLogger, warn: (_obj, msg) => warnings.push(msg ?? ''), error: (_obj, msg) => warnings.push(msg ?? '') };
  systems += 1;
  const instance = bullhorn.create({
    systemId: `bullhorn-test-${systems}`,
    baseUrl: emu.baseUrl,
    credentials: { ...emu.control.credentials, ...credentials },
    state,
    logger,
    http: { ...FAST_HTTP, ...http, guards: new GuardRegistry() },
  });
  return { baseUrl: emu.baseUrl, control: emu.control, instance, state, warnings, close: () => emu.close() };
}

/** Every page of a listing, continuing from JSON round-tripped cursors; `between` runs after each page. */
export async function pullAll(
  instance: ConnectorInstance,
  entity: string,
  options: { readonly since?: string | null; readonly pageSize?: number; readonly between?: (page: number) => void | Promise<void> } = {},
): Promise<{ records: VendorRecord[]; pages: number; cursors: PageCursor[] }> {
  const records: VendorRecord[] = [];
  const cursors: PageCursor[] = [];
  let cursor: PageCursor | null = null;
  let pages = 0;
  do {
    const page = await instance.pullPage({ entity, since: options.since ?? null, cursor, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) });
    records.push(...page.records);
    pages += 1;
    cursor = page.next === null ? null : (JSON.parse(JSON.stringify(page.next)) as PageCursor);
    if (cursor !== null) cursors.push(cursor);
    await options.between?.(pages);
    if (pages > 10_000) throw new Error('pagination does not end');
  } while (cursor !== null);
  return { records, pages, cursors };
}

export function idsOf(records: readonly VendorRecord[]): number[] {
  return records.map((r) => Number(r['id']));
}
