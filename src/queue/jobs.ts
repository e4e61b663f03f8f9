import { catalog, isJobName, type JobInput, type JobName, type JobPayload, type JobSpec } from '../../jobs/catalog.ts';

/** Per-job changes to the catalog's numbers: ops tuning, and tests that cannot wait 5 s for a retry. */
export type JobSpecOverrides = Partial<Record<JobName, Partial<Pick<JobSpec, 'attempts' | 'backoffMs' | 'timeoutMs' | 'priority'>>>>;

export interface ResolvedSpec {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly priority: number;
}

export function resolveSpec(name: JobName, overrides: JobSpecOverrides = {}): ResolvedSpec {
  const base = catalog[name];
  const over = overrides[name] ?? {};
  return {
    attempts: over.attempts ?? base.attempts,
    backoffMs: over.backoffMs ?? base.backoffMs,
    timeoutMs: over.timeoutMs ?? base.timeoutMs,
    priority: over.priority ?? base.priority,
  };
}

/** A payload that does not match its job's schema: a bug in the caller, never retried. */
export class JobPayloadError extends Error {
  override readonly name = 'JobPayloadError';
  readonly unrecoverable = true;
  constructor(
    readonly job: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(`invalid payload for ${job}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** A job id the queue cannot carry. */
export class JobIdError extends Error {
  override readonly name = 'JobIdError';
  readonly unrecoverable = true;
}

/** Parses a payload with its job's schema (defaults applied); throws `JobPayloadError`. */
export function parsePayload<K extends JobName>(name: K, payload: unknown): JobPayload<K>;
export function parsePayload(name: string, payload: unknown): unknown;
export function parsePayload(name: string, payload: unknown): unknown {
  if (!isJobName(name)) throw new JobPayloadError(name, [{ path: '', message: `unknown job "${name}"` }]);
  const parsed = catalog[name].schema.safeParse(payload);
  if (!parsed.success) {
    throw new JobPayloadError(
      name,
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** Every catalog payload names its system; the system picks the queue. */
export function systemOf(payload: unknown): string {
  const system = (payload as { system?: unknown } | null)?.system;
  if (typeof system !== 'string' || system === '') throw new JobPayloadError('(any)', [{ path: 'system', message: 'missing' }]);
  return system;
}

/**
 * Checks a job id against the rules both drivers share. BullMQ refuses ids that are bare integers;
 * ids use `:` as their separator, which the BullMQ driver maps to `|` (BullMQ refuses most ids
 * with a colon), so `|` itself is reserved.
 */
export function checkJobId(jobId: string): void {
  if (jobId === '') throw new JobIdError('a job id must not be empty');
  if (`${Number.parseInt(jobId, 10)}` === jobId) throw new JobIdError(`job id "${jobId}" is a bare integer (BullMQ refuses those)`);
  if (jobId.includes('|')) throw new JobIdError(`job id "${jobId}" contains "|", which the queue reserves`);
}

/** A job's name, payload and id, as `enqueueBulk` takes them. */
export type EnqueueItem = {
  [K in JobName]: { readonly name: K; readonly payload: JobInput<K>; readonly options: { readonly jobId: string; readonly delayMs?: number } };
}[JobName];

/** What the drivers hold after validation. */
export interface ValidJob {
  readonly name: JobName;
  readonly system: string;
  readonly data: unknown;
  readonly jobId: string;
  readonly delayMs: number;
}

export function validateJob(name: string, payload: unknown, options: { readonly jobId: string; readonly delayMs?: number }): ValidJob {
  const data = parsePayload(name, payload);
  checkJobId(options.jobId);
  const delayMs = options.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new JobIdError(`delayMs must be a finite number ≥ 0, got ${delayMs}`);
  return { name: name as JobName, system: systemOf(data), data, jobId: options.jobId, delayMs: Math.round(delayMs) };
}

/**
 * Longest wait between two tries. The catalog's largest base (10 s) doubled five times is already
 * over five minutes; beyond this a retry is better left to the relay and ops than to the queue.
 */
export const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * Delay before the retry that follows failed try number `attempt` (1-based): exponential from
 * `backoffMs` with equal jitter, i.e. uniform in [ceiling/2, ceiling). Equal rather than full
 * jitter keeps a floor, so a retry never fires at once against a vendor that just failed; the
 * jitter still spreads the retries of a batch that failed together. Never sooner than `minDelayMs`.
 */
export function retryDelayMs(attempt: number, backoffMs: number, minDelayMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(Math.round(ceiling / 2 + (r * ceiling) / 2), Math.round(minDelayMs));
}
