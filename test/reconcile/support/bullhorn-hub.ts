import { sqliteOf } from '../../support/temp-store.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { credentialEnvVar, GuardRegistry, type HttpOptions } from '../../../connectors/kit/index.ts';
import type { JobInput, JobName } from '../../../jobs/catalog.ts';
import type { Handler, JobContext } from '../../../jobs/context.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { Hub } from '../../../src/hub.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { tempDir } from '../../support/temp-store.ts';
import { ensureStagingTable } from './schema.ts';

// No vitest import here: the SIGKILL test's worker process loads this file outside the test runner.

/**
 * Bullhorn mappings for these tests only (the shipped ones live in mappings/bullhorn/ and may
 * change): Candidate → candidate, with Bullhorn's soft-delete flag and modified time.
 */
export const BULLHORN_MAPPINGS: Readonly<Record<string, string>> = {
  'bullhorn/candidate.yaml': `vendor: bullhorn
entity: Candidate
canonical: candidate
key: id
modifiedAt: { from: dateLastModified, transform: { date: { format: epoch-ms } } }
deleted: { from: isDeleted, equals: true }
fields:
  - { target: firstName, from: firstName, owner: bullhorn }
  - { target: lastName, from: lastName, owner: bullhorn }
  - { target: email, from: email, owner: bullhorn }
  - { target: phone, from: phone, owner: shared }
  - target: status
    from: status
    owner: bullhorn
    transform: { enum: { map: { Active: active, Placed: placed, Inactive: inactive }, default: active } }
`,
};

export interface BullhornHub {
  readonly hub: Hub;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * A hub with one system, `bullhorn`, pointed at the emulator, its credentials handed in through the
 * `env` option; the mappings above written to a temp folder. `database` lets a second hub open the
 * same store (the CLI starts its own worker).
 */
/** Where a hub finds the emulator: its address and the API user it accepts. */
export interface EmulatorTarget {
  readonly baseUrl: string;
  readonly credentials: { readonly clientId: string; readonly clientSecret: string; readonly username: string; readonly password: string };
}

export function bullhornHub(target: EmulatorTarget, options: { dir?: string; http?: HttpOptions; reconcile?: Record<string, number> } = {}): BullhornHub {
  const temp = options.dir === undefined ? tempDir() : null;
  const dir = options.dir ?? (temp as { dir: string }).dir;
  for (const [path, text] of Object.entries(BULLHORN_MAPPINGS)) {
    const file = join(dir, 'mappings', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const parsed = CrosswalkConfig.parse({
    database: join(dir, 'hub.sqlite'),
    mappings: join(dir, 'mappings'),
    queue: { driver: 'inline' },
    reconcile: options.reconcile ?? {},
    systems: [{ id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: target.baseUrl }],
  });
  const config: LoadedConfig = { ...parsed, source: '(test)', root: dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
  const c = target.credentials;
  const env = {
    [credentialEnvVar('bullhorn', 'CLIENT_ID')]: c.clientId,
    [credentialEnvVar('bullhorn', 'CLIENT_SECRET')]: c.clientSecret,
    [credentialEnvVar('bullhorn', 'USERNAME')]: c.username,
    [credentialEnvVar('bullhorn', 'PASSWORD')]: c.password,
  };
  // Limiter and breaker of its own: a breaker opened by one test's failing listing must not refuse the next test's requests.
  const hub = new Hub(config, { logger: silentLogger(), env, http: { guards: new GuardRegistry(), ...options.http } });
  ensureStagingTable(sqliteOf(hub.store()));
  return {
    hub,
    dir,
    async close() {
      await hub.close();
      temp?.dispose();
    },
  };
}

interface QueuedJob {
  readonly name: JobName;
  readonly payload: unknown;
  readonly jobId: string;
}

/**
 * A queue of one, by hand: runs reconcile.run jobs one after another the way a worker would, with
 * the handler under test, and stops after `maxJobs` (a worker killed there: whatever was queued is
 * lost, as with Redis gone). Returns what was still queued.
 */
export async function runJobs(
  hub: Hub,
  handler: Handler<'reconcile.run'>,
  first: JobInput<'reconcile.run'> & { runId?: string | null; page?: number | null },
  options: { maxJobs?: number; jobId?: string; finalAttempt?: boolean } = {},
): Promise<{ jobs: number; left: QueuedJob[] }> {
  const queue: QueuedJob[] = [{ name: 'reconcile.run', payload: first, jobId: options.jobId ?? 'reconcile:test' }];
  let jobs = 0;
  while (queue.length > 0) {
    if (options.maxJobs !== undefined && jobs >= options.maxJobs) break;
    const job = queue.shift() as QueuedJob;
    const p = job.payload as JobInput<'reconcile.run'>;
    const ctx: JobContext = {
      hub,
      jobId: job.jobId,
      attempt: 1,
      finalAttempt: options.finalAttempt ?? false,
      signal: new AbortController().signal,
      enqueue: async <K extends JobName>(name: K, payload: JobInput<K>, opts: { jobId: string }) => {
        if (!queue.some((q) => q.jobId === opts.jobId)) queue.push({ name, payload, jobId: opts.jobId });
      },
      progress: async () => undefined,
    };
    jobs++;
    await handler({ system: p.system, entity: p.entity, runId: p.runId ?? null, page: p.page ?? null, then: p.then ?? [] }, ctx);
  }
  return { jobs, left: queue };
}
