import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { Keyring, SECRET_KEY_ENV, SecretKeyError } from '../lib/secret-box.ts';
import { CrosswalkConfig, type SystemConfig } from './schema.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration mistake, located: the key and what was expected. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    readonly problems: ReadonlyArray<{ key: string; message: string }>,
    readonly file: string,
  ) {
    super(`${file}: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
  }
}

export interface LoadedConfig extends CrosswalkConfig {
  /** The file it came from, or '(defaults)'. */
  readonly source: string;
  /** Where relative paths resolve from. */
  readonly root: string;
  readonly redisUrl: string | null;
  readonly adminToken: string | null;
  readonly logLevel: string;
  /**
   * The key ring that seals connector secrets at rest, from CROSSWALK_SECRET_KEY; absent when the
   * variable is not set (`resolveSecretKey` then generates one for an all-loopback demo, or refuses).
   */
  readonly secretKey?: Keyring;
  /**
   * Where the hub keeps its files when the database is PostgreSQL (document blobs, a demo's
   * generated key): CROSSWALK_FILES, else `data/` under the config's root. A SQLite hub keeps them
   * beside its file. Every host of a many-host hub must see the same directory (a shared volume).
   */
  readonly filesDir?: string;
}

export const DEFAULT_CONFIG_FILE = 'crosswalk.config.yaml';

/**
 * Reads `crosswalk.config.yaml` (or CROSSWALK_CONFIG) and the environment, validates both with zod
 * and resolves paths. Environment: CROSSWALK_DB, REDIS_URL, CROSSWALK_QUEUE_PREFIX, PORT,
 * CROSSWALK_ADMIN_TOKEN, CROSSWALK_SECRET_KEY, CROSSWALK_FILES, LOG_LEVEL.
 */
export function loadConfig(options: { file?: string; cwd?: string; env?: Env } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env['CROSSWALK_CONFIG'] ?? DEFAULT_CONFIG_FILE;
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let raw: unknown = {};
  let source = '(defaults)';
  if (existsSync(path)) {
    const doc = parseDocument(readFileSync(path, 'utf8'));
    if (doc.errors.length > 0) {
      throw new ConfigFileError(doc.errors.map((e) => ({ key: `line ${e.linePos?.[0]?.line ?? '?'}`, message: e.message })), file);
    }
    raw = doc.toJS() ?? {};
    source = file;
  } else if (options.file !== undefined || env['CROSSWALK_CONFIG'] !== undefined) {
    throw new ConfigFileError([{ key: '(file)', message: `not found at ${path}` }], file);
  }
  const parsed = CrosswalkConfig.safeParse(raw);
  if (!parsed.success) throw new ConfigFileError(describe(parsed.error), source);
  const config = parsed.data;
  const root = source === '(defaults)' ? cwd : dirname(path);

  const port = env['PORT'];
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigFileError([{ key: 'PORT', message: `expected a port number, got "${port}"` }], 'environment');
    config.http.port = n;
  }
  const ids = new Set<string>();
  for (const [i, system] of config.systems.entries()) {
    if (ids.has(system.id)) throw new ConfigFileError([{ key: `systems[${i}].id`, message: `duplicate system id "${system.id}"` }], source);
    ids.add(system.id);
  }
  const secretKey = readSecretKey(env[SECRET_KEY_ENV]);
  const redisUrl = env['REDIS_URL'] && env['REDIS_URL'].length > 0 ? env['REDIS_URL'] : null;
  if (config.queue.driver === 'bullmq' && redisUrl === null) {
    throw new ConfigFileError([{ key: 'queue.driver', message: 'bullmq needs REDIS_URL in the environment' }], source);
  }
  return {
    ...config,
    database: env['CROSSWALK_DB'] ?? resolveFrom(root, config.database),
    filesDir: resolveFrom(root, env['CROSSWALK_FILES'] ?? 'data'),
    mappings: resolveFrom(root, config.mappings),
    queue: {
      ...config.queue,
      driver: config.queue.driver ?? (redisUrl ? 'bullmq' : 'inline'),
      // Several hubs (or test runs) on one Redis without a config file each.
      prefix: env['CROSSWALK_QUEUE_PREFIX'] || config.queue.prefix,
    },
    source,
    root,
    redisUrl,
    adminToken: env['CROSSWALK_ADMIN_TOKEN'] ?? null,
    logLevel: env['LOG_LEVEL'] ?? 'info',
    ...(secretKey && { secretKey }),
  };
}

function readSecretKey(value: string | undefined): Keyring | null {
  if (value === undefined || value.trim() === '') return null;
  try {
    return Keyring.parse(value, SECRET_KEY_ENV);
  } catch (err) {
    if (err instanceof SecretKeyError) throw new ConfigFileError([{ key: SECRET_KEY_ENV, message: err.detail }], 'environment');
    throw err;
  }
}

function resolveFrom(root: string, path: string): string {
  return path === ':memory:' || isAbsolute(path) || /^postgres(ql)?:\/\//i.test(path) ? path : resolve(root, path);
}

function describe(error: z.ZodError): Array<{ key: string; message: string }> {
  return error.issues.map((issue) => ({
    key: issue.path.length > 0 ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : '(root)',
    message: issue.message,
  }));
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * The environment a system's credentials are read from: the real one, over the config's demo
 * credentials when (and only when) every system is on loopback — the demo runs with no set-up and
 * a real deployment cannot fall back to them.
 */
export function systemSecretsEnv(config: LoadedConfig, env: Env = process.env): Env {
  return config.systems.length > 0 && everySystemOnLoopback(config) ? { ...config.demoSecrets, ...env } : env;
}

/** True when no configured system is reached outside this machine (the demo and local work); true for none. */
export function everySystemOnLoopback(config: { readonly systems: ReadonlyArray<{ readonly baseUrl: string }> }): boolean {
  return config.systems.every((s) => LOOPBACK.test(new URL(s.baseUrl).hostname));
}

export function findSystem(config: LoadedConfig, id: string): SystemConfig {
  const system = config.systems.find((s) => s.id === id);
  if (!system) {
    const known = config.systems.map((s) => s.id).join(', ') || 'none';
    throw new ConfigFileError([{ key: 'systems', message: `no system "${id}" (configured: ${known})` }], config.source);
  }
  return system;
}

/**
 * The folder the hub keeps its own files in (mail spool, a demo's generated key, document blobs):
 * beside a SQLite file, or the files directory for PostgreSQL, which has no folder of its own.
 */
export function filesRoot(config: Pick<LoadedConfig, 'database' | 'filesDir'>): string {
  if (/^postgres(ql)?:\/\//i.test(config.database)) return config.filesDir ?? resolve('data');
  return config.database === ':memory:' || config.database.startsWith('file:') ? '.' : dirname(config.database);
}
