import { sqliteOf } from '../../../support/temp-store.ts';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GuardRegistry, type HttpOptions } from '../../../../connectors/kit/index.ts';
import type { Dataset } from '../../../../fixtures/dataset/index.ts';
import type { GustoEmulatorOptions } from '../../../../fixtures/gusto/index.ts';
import type { LoadedConfig } from '../../../../src/config/index.ts';
import { Hub } from '../../../../src/hub.ts';
import { newId } from '../../../../src/lib/ids.ts';
import { silentLogger } from '../../../../src/lib/logger.ts';
import { nowIso } from '../../../../src/lib/time.ts';
import type { EntityName } from '../../../../src/model/index.ts';
import type { ConnectorState } from '../../../../connectors/kit/index.ts';
import type { OutboxRow, RunRow, SqliteStore } from '../../../../src/store/index.ts';
import { tempDir } from '../../../support/temp-store.ts';
import { startGusto, type GustoUnderTest } from './emulator.ts';

/**
 * A hub on a temp SQLite file with the inline queue, the Gusto emulator, and the Bullhorn side
 * seeded through the engine (system `bullhorn`, with its links) from the dataset — the state a
 * Bullhorn sync would leave, without depending on the Bullhorn connector. The mappings are this
 * repo's `mappings/gusto/*.yaml` plus minimal Bullhorn files that declare the owners
 * `mappings/bullhorn/*.yaml` declare (the engine needs inbound rules for `bullhorn` to apply the seed).
 */

const REPO = join(import.meta.dirname, '../../../..');

const BULLHORN_STUBS: Readonly<Record<string, string>> = {
  'candidate.yaml': `vendor: bullhorn
entity: Candidate
canonical: candidate
key: id
fields:
${['firstName', 'lastName', 'email', 'phone', 'city', 'state', 'status', 'employeeType'].map((f) => `  - { target: ${f}, from: ${f}, owner: bullhorn }`).join('\n')}
`,
  'placement.yaml': `vendor: bullhorn
entity: Placement
canonical: assignment
key: id
fields:
  - { target: candidateId, from: candidate.id, transform: { ref: { entity: candidate } }, owner: bullhorn }
${['title', 'startDate', 'endDate', 'status'].map((f) => `  - { target: ${f}, from: ${f}, owner: bullhorn }`).join('\n')}
`,
  'placement-rate.yaml': `vendor: bullhorn
entity: PlacementRateCard
canonical: assignment_rate
key: id
fields:
  - { target: assignmentId, from: placement.id, transform: { ref: { entity: assignment } }, owner: bullhorn }
  - { target: effectiveFrom, from: effectiveFrom, owner: bullhorn }
${['payRateCents', 'billRateCents', 'otPayRateCents', 'otBillRateCents', 'dtPayRateCents', 'dtBillRateCents'].map((f) => `  - { target: ${f}, from: ${f}, transform: { money: { unit: cents } }, owner: bullhorn }`).join('\n')}
`,
};

/** Fast retries; a guard registry of its own so no other test's breaker or limiter leaks in. */
export function testHttp(): HttpOptions {
  return { timeoutMs: 5_000, retry: { maxRetries: 5, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 5_000, retryAfterPadMs: 50 }, guards: new GuardRegistry() };
}

export interface GustoHarness {
  readonly hub: Hub;
  readonly store: SqliteStore;
  readonly gusto: GustoUnderTest;
  /** The connector state the hub keeps for system `gusto` (SQLite). */
  readonly state: ConnectorState;
  /** dataset key → canonical id, for what `seed` applied. */
  readonly ids: Map<string, string>;
  /** Candidates, assignments and rates of the dataset, applied through the engine as Bullhorn's. */
  seed(): Promise<void>;
  /** `sync gusto`: a pull of every Gusto entity with a mapping, through the queue; returns its runs. */
  sync(options?: { full?: boolean }): Promise<RunRow[]>;
  /** Runs `sync.push` for outbox rows and waits for the queue (retries included) to drain. */
  push(rows: readonly OutboxRow[]): Promise<void>;
  outbox(entity: EntityName, canonicalId: string): Promise<OutboxRow[]>;
  close(): Promise<void>;
}

export async function startHarness(dataset: Dataset, emulator: GustoEmulatorOptions = {}): Promise<GustoHarness> {
  const gusto = await startGusto({ dataset, ...emulator });
  const temp = tempDir();
  const mappings = join(temp.dir, 'mappings');
  mkdirSync(join(mappings, 'gusto'), { recursive: true });
  mkdirSync(join(mappings, 'bullhorn'));
  for (const file of readdirSync(join(REPO, 'mappings/gusto'))) copyFileSync(join(REPO, 'mappings/gusto', file), join(mappings, 'gusto', file));
  for (const [file, text] of Object.entries(BULLHORN_STUBS)) writeFileSync(join(mappings, 'bullhorn', file), text);

  const system = { secrets: {}, schedules: {}, options: {} };
  const config: LoadedConfig = {
    database: join(temp.dir, 'crosswalk.sqlite'),
    mappings,
    queue: { driver: 'inline', prefix: 'crosswalk-test', concurrency: 1 },
    http: { host: '127.0.0.1', port: 0, webhookBodyLimit: 1_048_576, uploadBodyLimit: 1_048_576 },
    reconcile: { shrinkThreshold: 0.5, graceDays: 7 },
    access: { auditRetentionDays: 400, idempotencyHours: 24 },
    invoicing: { source: 'hub', clients: {} },
    systems: [
      { id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: 'http://127.0.0.1:9', ...system },
      { id: 'gusto', connector: 'gusto', kind: 'payroll', baseUrl: gusto.baseUrl, ...system },
    ],
    demoSecrets: {},
    source: '(test)',
    root: temp.dir,
    redisUrl: null,
    adminToken: 'gusto-test-admin-token',
    logLevel: 'silent',
  };
  const env = {
    CROSSWALK_GUSTO_CLIENT_ID: gusto.credentials['clientId'],
    CROSSWALK_GUSTO_CLIENT_SECRET: gusto.credentials['clientSecret'],
    CROSSWALK_GUSTO_REFRESH_TOKEN: gusto.credentials['refreshToken'],
    CROSSWALK_GUSTO_API_TOKEN: gusto.credentials['apiToken'],
  };
  const hub = new Hub(config, { env, http: testHttp(), logger: silentLogger() });
  const store = sqliteOf(hub.store());
  await hub.work();
  const ids = new Map<string, string>();
  const state: ConnectorState = {
    get: (key) => store.repos.state.get('gusto', key),
    set: (key, value) => store.unitOfWork((tx) => tx.state.set('gusto', key, value, nowIso())),
  };

  async function canonicalIds(entity: EntityName, keys: readonly string[]): Promise<void> {
    const links = await store.repos.links.getMany('bullhorn', entity, keys);
    for (const [key, link] of links) if (link.canonicalId !== null) ids.set(key, link.canonicalId);
  }

  return {
    hub, store, gusto, state, ids,
    async seed() {
      const engine = hub.engine();
      const at = '2026-11-20T08:00:00.000Z';
      const ref = (externalId: string) => ({ ref: { system: 'bullhorn', externalId } });
      await engine.apply({
        system: 'bullhorn', entity: 'candidate',
        records: dataset.candidates.map(({ key, firstName, lastName, email, phone, city, state: st, status, employeeType }) => ({
          externalId: key, sourceModifiedAt: at, values: { firstName, lastName, email, phone, city, state: st, status, employeeType },
        })),
      });
      await engine.apply({
        system: 'bullhorn', entity: 'assignment',
        records: dataset.assignments.map((a) => ({
          externalId: a.key, sourceModifiedAt: at, values: { candidateId: ref(a.candidateId), title: a.title, startDate: a.startDate, endDate: a.endDate, status: a.status },
        })),
      });
      await engine.apply({
        system: 'bullhorn', entity: 'assignment_rate',
        records: dataset.assignmentRates.map((r) => ({
          externalId: r.key, sourceModifiedAt: at,
          values: {
            assignmentId: ref(r.assignmentId), effectiveFrom: r.effectiveFrom, payRateCents: r.payRateCents, billRateCents: r.billRateCents,
            otPayRateCents: r.otPayRateCents, otBillRateCents: r.otBillRateCents, dtPayRateCents: r.dtPayRateCents, dtBillRateCents: r.dtBillRateCents,
          },
        })),
      });
      await canonicalIds('candidate', dataset.candidates.map((c) => c.key));
      await canonicalIds('assignment', dataset.assignments.map((a) => a.key));
      await canonicalIds('assignment_rate', dataset.assignmentRates.map((r) => r.key));
    },
    async sync(options = {}) {
      const started = nowIso();
      const [first, ...then] = hub.pullOrder('gusto') as [string, ...string[]];
      await hub.queue().enqueue('sync.pull', { system: 'gusto', entity: first, full: options.full ?? false, then }, { jobId: `pull:gusto:test:${newId()}` });
      await hub.queue().drain({ timeoutMs: 60_000 });
      return (await store.repos.runs.list({ kind: 'pull', system: 'gusto', limit: 100 })).filter((run) => run.startedAt >= started);
    },
    async push(rows) {
      for (const row of rows) await hub.queue().enqueue('sync.push', { system: 'gusto', outboxId: row.id }, { jobId: `outbox:${row.id}:test` });
      await hub.queue().drain({ timeoutMs: 60_000 });
    },
    outbox: (entity, canonicalId) => store.repos.outbox.list({ system: 'gusto', entity, canonicalId, limit: 100 }),
    async close() {
      await hub.close();
      await gusto.close();
      temp.dispose();
    },
  };
}
