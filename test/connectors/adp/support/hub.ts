import { sqliteOf } from '../../../support/temp-store.ts';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GuardRegistry } from '../../../../connectors/kit/index.ts';
import { startAdpEmulator, type RunningAdpEmulator } from '../../../../fixtures/adp/index.ts';
import type { Dataset } from '../../../../fixtures/dataset/index.ts';
import type { LoadedConfig } from '../../../../src/config/index.ts';
import { Hub } from '../../../../src/hub.ts';
import { newId } from '../../../../src/lib/ids.ts';
import { silentLogger } from '../../../../src/lib/logger.ts';
import type { EntityName } from '../../../../src/model/index.ts';
import type { SqliteStore } from '../../../../src/store/index.ts';
import { tempDir } from '../../../support/temp-store.ts';

/**
 * A hub on a temp SQLite file (inline queue) with two payrolls: ADP on its emulator (mutual TLS)
 * and Gusto on a closed port (nothing may reach it: every push in these tests is ADP's or routed
 * away). The Bullhorn side is seeded through the engine from the dataset with stub mappings that
 * declare Bullhorn's owners. Mappings: this repo's `mappings/adp` and `mappings/gusto`.
 */

const REPO = join(import.meta.dirname, '../../../..');
const STUBS: Readonly<Record<string, string>> = {
  'candidate.yaml': `vendor: bullhorn\nentity: Candidate\ncanonical: candidate\nkey: id\nfields:\n${['firstName', 'lastName', 'email', 'phone', 'status', 'employeeType'].map((f) => `  - { target: ${f}, from: ${f}, owner: bullhorn }`).join('\n')}\n`,
  'placement.yaml': `vendor: bullhorn\nentity: Placement\ncanonical: assignment\nkey: id\nfields:\n  - { target: candidateId, from: candidate.id, transform: { ref: { entity: candidate } }, owner: bullhorn }\n${['title', 'startDate', 'endDate', 'status'].map((f) => `  - { target: ${f}, from: ${f}, owner: bullhorn }`).join('\n')}\n`,
};

export interface AdpHarness {
  readonly hub: Hub;
  readonly store: SqliteStore;
  readonly adp: RunningAdpEmulator;
  /** dataset key → canonical id (candidates and assignments). */
  readonly ids: Map<string, string>;
  /** A full pull of ADP workers through the queue (links them to candidates by email). */
  syncAdp(): Promise<void>;
  /** Runs `sync.push` for every due outbox row of `system` and entity, and waits for the queue. */
  pushAll(system: string, entity: EntityName): Promise<void>;
  close(): Promise<void>;
}

export async function startAdpHarness(dataset: Dataset, payroll?: LoadedConfig['payroll']): Promise<AdpHarness> {
  const adp = await startAdpEmulator({ dataset });
  const temp = tempDir();
  const mappings = join(temp.dir, 'mappings');
  for (const vendor of ['adp', 'gusto']) {
    mkdirSync(join(mappings, vendor), { recursive: true });
    for (const file of readdirSync(join(REPO, 'mappings', vendor))) copyFileSync(join(REPO, 'mappings', vendor, file), join(mappings, vendor, file));
  }
  mkdirSync(join(mappings, 'bullhorn'));
  for (const [file, text] of Object.entries(STUBS)) writeFileSync(join(mappings, 'bullhorn', file), text);
  const system = { secrets: {}, schedules: {}, options: {} };
  const config: LoadedConfig = {
    database: join(temp.dir, 'crosswalk.sqlite'), mappings,
    queue: { driver: 'inline', prefix: 'crosswalk-test', concurrency: 1 },
    http: { host: '127.0.0.1', port: 0, webhookBodyLimit: 1_048_576, uploadBodyLimit: 1_048_576 },
    reconcile: { shrinkThreshold: 0.5, graceDays: 7 },
    access: { auditRetentionDays: 400, idempotencyHours: 24 },
    invoicing: { source: 'hub', clients: {} },
    systems: [
      { id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: 'http://127.0.0.1:9', ...system },
      { id: 'gusto', connector: 'gusto', kind: 'payroll', baseUrl: 'http://127.0.0.1:9', ...system },
      { id: 'adp', connector: 'adp', kind: 'payroll', baseUrl: adp.baseUrl, ...system },
    ],
    ...(payroll !== undefined && { payroll }),
    demoSecrets: {}, source: '(test)', root: temp.dir, redisUrl: null, adminToken: 'adp-test-admin-token', logLevel: 'silent',
  };
  const c = adp.credentials;
  const env: Record<string, string | undefined> = {
    CROSSWALK_ADP_CLIENT_ID: c['clientId'], CROSSWALK_ADP_CLIENT_SECRET: c['clientSecret'], CROSSWALK_ADP_CERTIFICATE: c['certificate'],
    CROSSWALK_ADP_PRIVATE_KEY: c['privateKey'], CROSSWALK_ADP_CA_CERTIFICATE: c['caCertificate'], CROSSWALK_ADP_TOKEN_URL: c['tokenUrl'],
  };
  const hub = new Hub(config, { env, http: { timeoutMs: 5_000, retry: { maxRetries: 2, baseDelayMs: 20, maxDelayMs: 100 }, guards: new GuardRegistry() }, logger: silentLogger() });
  const store = sqliteOf(hub.store());
  await hub.work();
  const ids = new Map<string, string>();

  const at = '2026-11-20T08:00:00.000Z';
  await hub.engine().apply({
    system: 'bullhorn', entity: 'candidate',
    records: dataset.candidates.map(({ key, firstName, lastName, email, phone, status, employeeType }) => ({ externalId: key, sourceModifiedAt: at, values: { firstName, lastName, email, phone, status, employeeType } })),
  });
  await hub.engine().apply({
    system: 'bullhorn', entity: 'assignment',
    records: dataset.assignments.map((a) => ({ externalId: a.key, sourceModifiedAt: at, values: { candidateId: { ref: { system: 'bullhorn', externalId: a.candidateId } }, title: a.title, startDate: a.startDate, endDate: a.endDate, status: a.status } })),
  });
  for (const [entity, keys] of [['candidate', dataset.candidates.map((x) => x.key)], ['assignment', dataset.assignments.map((x) => x.key)]] as const) {
    for (const [key, link] of await store.repos.links.getMany('bullhorn', entity, keys)) if (link.canonicalId !== null) ids.set(key, link.canonicalId);
  }

  return {
    hub, store, adp, ids,
    async syncAdp() {
      await hub.queue().enqueue('sync.pull', { system: 'adp', entity: 'workers', full: true, then: [] }, { jobId: `pull:adp:test:${newId()}` });
      await hub.queue().drain({ timeoutMs: 60_000 });
    },
    async pushAll(system, entity: EntityName) {
      const rows = await store.repos.outbox.list({ system, entity, limit: 10_000 });
      for (const row of rows.filter((r) => r.status === 'pending')) await hub.queue().enqueue('sync.push', { system, outboxId: row.id }, { jobId: `outbox:${row.id}:test:${newId()}` });
      await hub.queue().drain({ timeoutMs: 60_000 });
    },
    async close() {
      await hub.close();
      await adp.close();
      temp.dispose();
    },
  };
}
