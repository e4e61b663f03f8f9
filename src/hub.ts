import { connectorFor, sensitiveHeaders } from '../connectors/index.ts';
import { credentialEnvVar, type Connector, type ConnectorContext, type ConnectorInstance, type ConnectorManifest, type HttpOptions } from '../connectors/kit/index.ts';
import { handlers } from '../jobs/index.ts';
import { resolveSecretKey, systemSecretsEnv, type LoadedConfig, type SystemConfig, type Env } from './config/index.ts';
import { ConfigError, Engine } from './engine/index.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { nowIso } from './lib/time.ts';
import { ENTITY_NAMES } from './model/index.ts';
import { loadMappings, loadMappingSources, type MappingRegistry } from './mapping/index.ts';
import { existsSync } from 'node:fs';
import { createQueueDriver, type BullmqDriverOptions, type FailedJob, type QueueDriver, type RateLimit } from './queue/index.ts';
import { openStore, type Store } from './store/index.ts';

export interface HubOptions {
  readonly logger?: Logger;
  readonly env?: Env;
  /** HTTP overrides for every connector (tests shorten timeouts and backoff). */
  readonly http?: HttpOptions;
  /** BullMQ tuning the config file does not carry (tests shorten the stalled-job takeover). */
  readonly queue?: Pick<BullmqDriverOptions, 'stalled'>;
}

/**
 * The composition root: builds the hub's services from the configuration on first use and closes
 * them in reverse order. The CLI, the HTTP server, workers and the demo all start from one.
 */
export class Hub {
  readonly logger: Logger;
  private storeInstance: Store | null = null;
  private registryInstance: MappingRegistry | null = null;
  private engineInstance: Engine | null = null;
  private queueInstance: QueueDriver | null = null;
  private readonly connectorInstances = new Map<string, ConnectorInstance>();

  constructor(
    readonly config: LoadedConfig,
    private readonly options: HubOptions = {},
  ) {
    this.logger = options.logger ?? createLogger({ level: config.logLevel, redactHeaders: sensitiveHeaders() });
  }

  store(): Store {
    // Refuses to start (ConfigFileError naming CROSSWALK_SECRET_KEY) when secrets could not be sealed.
    this.storeInstance ??= openStore(this.config.database, {
      keyring: resolveSecretKey(this.config),
      ...(this.config.filesDir !== undefined && { filesDir: this.config.filesDir }),
    });
    return this.storeInstance;
  }

  /** The mappings; a file that does not load is a configuration error naming every problem. */
  registry(): MappingRegistry {
    if (!this.registryInstance) {
      const systems = this.config.systems.map((s) => ({ id: s.id, connector: s.connector }));
      // No mappings folder is a hub with no mappings yet (commands that need one say which is missing).
      const { registry, errors } = existsSync(this.config.mappings)
        ? loadMappings(this.config.mappings, systems)
        : loadMappingSources(this.config.mappings, [], systems);
      if (errors.length > 0) {
        throw new ConfigError(`mappings do not load:\n  ${errors.map((e) => e.toString()).join('\n  ')}`);
      }
      this.registryInstance = registry;
    }
    return this.registryInstance;
  }

  policy(): MappingRegistry {
    return this.registry();
  }

  engine(): Engine {
    this.engineInstance ??= new Engine(this.store(), { policy: this.registry() });
    return this.engineInstance;
  }

  system(id: string): SystemConfig {
    const system = this.config.systems.find((s) => s.id === id);
    if (!system) throw new ConfigError(`no system "${id}" in ${this.config.source} (configured: ${this.config.systems.map((s) => s.id).join(', ') || 'none'})`);
    return system;
  }

  manifest(systemId: string): ConnectorManifest {
    const system = this.system(systemId);
    const connector = connectorFor(system.connector);
    if (!connector) throw new ConfigError(`system ${systemId}: unknown connector "${system.connector}"`);
    return connector.manifest;
  }

  /** The connector of a configured system and the context the hub gives it (credentials, state, options). */
  connectorContext(systemId: string): { connector: Connector; ctx: ConnectorContext } {
    const system = this.system(systemId);
    const connector = connectorFor(system.connector);
    if (!connector) throw new ConfigError(`system ${systemId}: unknown connector "${system.connector}"`);
    const env = systemSecretsEnv(this.config, this.options.env ?? process.env);
    const credentials: Record<string, string> = {};
    for (const field of connector.manifest.auth.fields) {
      const name = system.secrets[field.key] ?? credentialEnvVar(system.id, field.env);
      const value = env[name];
      if (value !== undefined && value !== '') credentials[field.key] = value;
    }
    const store = this.store();
    const ctx: ConnectorContext = {
      systemId,
      baseUrl: system.baseUrl,
      credentials,
      options: system.options,
      state: {
        get: (key) => store.repos.state.get(systemId, key),
        set: (key, value) => store.unitOfWork((tx) => tx.state.set(systemId, key, value, nowIso())),
      },
      logger: this.logger.child({ system: systemId }),
      // A configured share of the vendor's limit binds the client as well as the queue.
      ...((this.options.http || system.rateLimit) && {
        http: { ...this.options.http, ...(system.rateLimit && { rateLimit: { requests: system.rateLimit.requests, windowMs: system.rateLimit.perMs } }) },
      }),
    };
    return { connector, ctx };
  }

  /** The connector instance of a configured system, made once per process. */
  connector(systemId: string): ConnectorInstance {
    let instance = this.connectorInstances.get(systemId);
    if (instance) return instance;
    const { connector, ctx } = this.connectorContext(systemId);
    instance = connector.create(ctx);
    this.connectorInstances.set(systemId, instance);
    return instance;
  }

  private readonly queuedRecently = new Map<string, number>();

  /**
   * Remembers a job id queued by this process for a few minutes; false when it already was. Spares
   * re-sending the same push jobs each time due outbox rows are swept (the queue dedupes by job id
   * too, at the cost of a round trip each).
   */
  markQueued(jobId: string, ttlMs = 10 * 60_000): boolean {
    const now = Date.now();
    const until = this.queuedRecently.get(jobId);
    if (until !== undefined && until > now) return false;
    if (this.queuedRecently.size > 100_000) {
      for (const [id, t] of this.queuedRecently) if (t <= now) this.queuedRecently.delete(id);
    }
    this.queuedRecently.set(jobId, now + ttlMs);
    return true;
  }

  /**
   * The vendor entities to read from a system, parents first (by the canonical entity each feeds),
   * so references resolve as they arrive; `only` narrows to one vendor or canonical entity.
   */
  pullOrder(systemId: string, only?: string): string[] {
    const mappings = this.registry().all().filter((m) => m.system === systemId && m.inboundFields().length > 0);
    if (mappings.length === 0) throw new ConfigError(`no mapping reads anything from ${systemId}`);
    const rank = new Map<string, number>();
    for (const m of mappings) rank.set(m.vendorEntity, Math.min(rank.get(m.vendorEntity) ?? Infinity, ENTITY_NAMES.indexOf(m.entity)));
    if (only !== undefined) {
      const vendor = rank.has(only) ? only : mappings.find((m) => m.entity === only)?.vendorEntity;
      if (!vendor) throw new ConfigError(`${systemId} has no mapping for "${only}" (vendor entities: ${[...rank.keys()].join(', ')})`);
      return [vendor];
    }
    return this.system(systemId).entities ?? [...rank.keys()].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  }

  /** Each system's share of its vendor's limit: the config override, else the connector's documented limit. */
  rateLimitFor(systemId: string): RateLimit | undefined {
    const system = this.config.systems.find((s) => s.id === systemId);
    if (!system) return undefined;
    if (system.rateLimit) return { max: system.rateLimit.requests, duration: system.rateLimit.perMs };
    const limit = connectorFor(system.connector)?.manifest.rateLimit;
    return limit ? { max: limit.requests, duration: limit.windowMs } : undefined;
  }

  queue(): QueueDriver {
    if (!this.queueInstance) {
      const common = { logger: this.logger.child({ component: 'queue' }), rateLimitFor: (id: string) => this.rateLimitFor(id) };
      this.queueInstance =
        this.config.queue.driver === 'bullmq' && this.config.redisUrl
          ? createQueueDriver({ driver: 'bullmq', redisUrl: this.config.redisUrl, prefix: this.config.queue.prefix, ...this.options.queue, ...common })
          : createQueueDriver({ driver: 'inline', ...common });
    }
    return this.queueInstance;
  }

  /** Starts processing jobs in this process (the worker, or the inline driver of a CLI command). */
  async work(): Promise<QueueDriver> {
    const queue = this.queue();
    await queue.work(handlers, {
      hub: this,
      systems: this.config.systems.map((s) => s.id),
      concurrency: this.config.queue.concurrency,
      onFailed: (job) => this.recordFailure(job),
    });
    return queue;
  }

  /**
   * A job that will not be tried again leaves its work visible in SQLite (Redis is never the system
   * of record): a pull or reconcile run is marked failed with the error, an inbox row too. Pushes
   * park their own outbox rows on the last attempt.
   */
  private async recordFailure(job: FailedJob): Promise<void> {
    const message = job.error instanceof Error ? job.error.message : String(job.error);
    this.logger.error({ job: job.name, jobId: job.jobId, system: job.system, failure: job.failure, err: job.error }, 'job failed for good');
    const payload = (job.payload ?? {}) as { runId?: string | null; entity?: string; inboxId?: string };
    const store = this.store();
    const now = nowIso();
    if (job.name === 'sync.pull' || job.name === 'reconcile.run') {
      const kind = job.name === 'sync.pull' ? 'pull' : 'reconcile';
      const run = payload.runId ? await store.repos.runs.get(payload.runId) : await store.repos.runs.latestRunning(kind, job.system, payload.entity ?? null);
      if (run?.status === 'running') {
        await store.unitOfWork((tx) => tx.runs.finish(run.id, 'failed', run.report, `${job.failure}: ${message}`, now));
      }
    } else if (job.name === 'webhook.process' && payload.inboxId) {
      const inboxId = payload.inboxId;
      await store.unitOfWork((tx) => tx.inbox.markProcessed(inboxId, 'failed', `${job.failure}: ${message}`, now));
    }
  }

  async close(): Promise<void> {
    await this.queueInstance?.close();
    this.queueInstance = null;
    for (const instance of this.connectorInstances.values()) await instance.close?.();
    this.connectorInstances.clear();
    await this.storeInstance?.close();
    this.storeInstance = null;
  }
}
