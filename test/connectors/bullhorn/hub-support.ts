import { sqliteOf } from '../../support/temp-store.ts';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GuardRegistry, type HttpOptions } from '../../../connectors/kit/index.ts';
import { startBullhornEmulator, type BullhornControl, type BullhornEmulatorOptions } from '../../../fixtures/bullhorn/index.ts';
import { sampleDataset, type Dataset, type DatasetCounts } from '../../../fixtures/dataset/index.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { Hub } from '../../../src/hub.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { newId } from '../../../src/lib/ids.ts';
import type { EntityName } from '../../../src/model/index.ts';
import type { RunRow, SqliteStore } from '../../../src/store/index.ts';
import { FAST_HTTP } from './support.ts';

/**
 * A hub with one system `bullhorn` on a seeded emulator: a temp SQLite file, the inline queue, the
 * shipped Bullhorn mappings (copied alone, so other vendors' files cannot break these tests) and
 * the emulator's credentials in the hub's environment.
 */

const MAPPINGS = fileURLToPath(new URL('../../../mappings/bullhorn/', import.meta.url));

/** Bullhorn entity → the canonical entity and dataset count it feeds. */
export const FEEDS: ReadonlyArray<{ readonly vendor: string; readonly entity: EntityName; readonly count: keyof DatasetCounts }> = [
  { vendor: 'ClientCorporation', entity: 'client', count: 'clients' },
  { vendor: 'Location', entity: 'worksite', count: 'worksites' },
  { vendor: 'ClientContact', entity: 'contact', count: 'contacts' },
  { vendor: 'JobOrder', entity: 'requisition', count: 'requisitions' },
  { vendor: 'Candidate', entity: 'candidate', count: 'candidates' },
  { vendor: 'JobSubmission', entity: 'submission', count: 'submissions' },
  { vendor: 'Placement', entity: 'assignment', count: 'assignments' },
  { vendor: 'PlacementRateCard', entity: 'assignment_rate', count: 'assignmentRates' },
];

export interface HubHarness {
  readonly hub: Hub;
  readonly store: SqliteStore;
  readonly control: BullhornControl;
  readonly dataset: Dataset;
  /**
   * Runs a sync of every Bullhorn entity (parents first), or of `only`, as `crosswalk sync bullhorn`
   * does, and waits for it and whatever it queued.
   */
  sync(options?: { readonly full?: boolean; readonly only?: string }): Promise<RunRow[]>;
  /** Queues a push for every pending outbox row of the system and waits for them. */
  pushPending(): Promise<void>;
  close(): Promise<void>;
}

export async function startHub(options: { readonly emulator?: BullhornEmulatorOptions; readonly http?: HttpOptions } = {}): Promise<HubHarness> {
  const dataset = options.emulator?.dataset ?? sampleDataset();
  const emu = await startBullhornEmulator({ ...options.emulator, dataset, port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bullhorn-'));
  cpSync(MAPPINGS, join(dir, 'mappings', 'bullhorn'), { recursive: true });
  const parsed = CrosswalkConfig.parse({
    database: join(dir, 'crosswalk.sqlite'),
    mappings: join(dir, 'mappings'),
    queue: { driver: 'inline' },
    systems: [{ id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: emu.baseUrl }],
  });
  const config: LoadedConfig = { ...parsed, queue: { ...parsed.queue, driver: 'inline' }, source: '(test)', root: dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
  const c = emu.control.credentials;
  const env = {
    CROSSWALK_BULLHORN_CLIENT_ID: c.clientId,
    CROSSWALK_BULLHORN_CLIENT_SECRET: c.clientSecret,
    CROSSWALK_BULLHORN_USERNAME: c.username,
    CROSSWALK_BULLHORN_PASSWORD: c.password,
  };
  const http: HttpOptions = { ...FAST_HTTP, ...options.http, retry: { ...FAST_HTTP.retry, ...options.http?.retry }, guards: new GuardRegistry() };
  const hub = new Hub(config, { env, http, logger: silentLogger() });
  await hub.work();

  return {
    hub,
    store: sqliteOf(hub.store()),
    control: emu.control,
    dataset,
    async sync(syncOptions = {}) {
      const started = new Date(Date.now() - 1).toISOString();
      const [first, ...then] = hub.pullOrder('bullhorn', syncOptions.only) as [string, ...string[]];
      await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity: first, full: syncOptions.full ?? false, then }, { jobId: `pull:bullhorn:test:${newId()}` });
      await hub.queue().drain({ timeoutMs: 120_000 });
      const runs = await hub.store().repos.runs.list({ kind: 'pull', system: 'bullhorn', limit: 1_000 });
      return runs.filter((r) => r.startedAt >= started);
    },
    async pushPending() {
      for (const row of await hub.store().repos.outbox.list({ system: 'bullhorn', status: 'pending', limit: 1_000 })) {
        await hub.queue().enqueue('sync.push', { system: 'bullhorn', outboxId: row.id }, { jobId: `push:test:${row.id}:${row.attempts}` });
      }
      await hub.queue().drain({ timeoutMs: 60_000 });
    },
    async close() {
      await hub.close();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Canonical rows per entity, read from the table. */
export function canonicalCount(store: SqliteStore, entity: EntityName): number {
  const table = { client: 'clients', worksite: 'worksites', contact: 'contacts', requisition: 'requisitions', candidate: 'candidates', submission: 'submissions', assignment: 'assignments', assignment_rate: 'assignment_rates' }[entity as string];
  if (table === undefined) throw new Error(`no table for ${entity}`);
  return store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

/** (entity, external id) pairs linked more than once, and canonical ids linked from two external ids. */
export function duplicateLinks(store: SqliteStore): { byExternal: number; byCanonical: number } {
  const byExternal = store.db
    .prepare(`SELECT count(*) FROM (SELECT 1 FROM links WHERE system = 'bullhorn' GROUP BY entity, external_id HAVING count(*) > 1)`)
    .pluck().get() as number;
  const byCanonical = store.db
    .prepare(`SELECT count(*) FROM (SELECT 1 FROM links WHERE system = 'bullhorn' AND canonical_id IS NOT NULL GROUP BY entity, canonical_id HAVING count(*) > 1)`)
    .pluck().get() as number;
  return { byExternal, byCanonical };
}

export function linkCount(store: SqliteStore, entity: EntityName): number {
  return store.db.prepare(`SELECT count(*) FROM links WHERE system = 'bullhorn' AND entity = ? AND state = 'linked'`).pluck().get(entity) as number;
}

/** Ledger rows of inbound creates: one per record created, never more. */
export function ledgerCreates(store: SqliteStore): number {
  return store.db.prepare(`SELECT count(*) FROM ledger WHERE direction = 'in' AND action = 'create' AND outcome = 'applied'`).pluck().get() as number;
}

/** The canonical id a Bullhorn record is linked to. */
export function canonicalIdOf(store: SqliteStore, entity: EntityName, externalId: number): string {
  const id = store.db.prepare(`SELECT canonical_id FROM links WHERE system = 'bullhorn' AND entity = ? AND external_id = ?`).pluck().get(entity, String(externalId));
  if (typeof id !== 'string') throw new Error(`no ${entity} linked to bullhorn ${externalId}`);
  return id;
}
