import { isJobName } from '../../jobs/catalog.ts';
import type { Handlers, JobContext } from '../../jobs/context.ts';
import type { Hub } from '../hub.ts';
import { classifyJobError, type FailureKind } from './classify.ts';
import { JobPayloadError, parsePayload, retryDelayMs, type JobSpecOverrides, resolveSpec } from './jobs.ts';
import { errField, type QueueLogger } from './logger.ts';
import type { FailedJob } from './types.ts';

/** A try that ran past its job's `timeoutMs`: abandoned (its signal aborted) and retried. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly job: string, readonly timeoutMs: number) {
    super(`${job} ran longer than ${timeoutMs} ms`);
  }
}

/** One try of one job, as a driver hands it over. */
export interface AttemptJob {
  readonly name: string;
  readonly jobId: string;
  readonly data: unknown;
  /** 1-based. */
  readonly attempt: number;
  /** Total tries this job was queued with. */
  readonly attempts: number;
  progress(value: Readonly<Record<string, number | string>>): Promise<void>;
  /** Fires when the driver wants the job to stop (shutdown, cancellation). */
  readonly signal?: AbortSignal;
}

export interface AttemptDeps {
  readonly handlers: Handlers;
  readonly hub: Hub;
  readonly logger: QueueLogger;
  readonly overrides: JobSpecOverrides;
  readonly enqueue: JobContext['enqueue'];
  readonly onFailed: ((job: FailedJob) => Promise<void>) | undefined;
  readonly random: () => number;
}

export type AttemptOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number; readonly error: unknown }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: unknown }
  | { readonly kind: 'failed'; readonly failure: FailureKind; readonly error: unknown };

/** The handler map as the runtime calls it: the payload has just been parsed by this job's schema. */
type AnyHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * Runs one try: parses the payload with the catalog schema, calls the handler with its context under
 * the job's timeout, and classifies what happened. Both drivers share it, so inline and BullMQ
 * steer errors identically; the driver only carries out the outcome. A job that will not be tried
 * again is reported to `onFailed` here, before the driver records the failure.
 */
export async function runAttempt(job: AttemptJob, deps: AttemptDeps): Promise<AttemptOutcome> {
  const log = deps.logger.child({ job: job.name, jobId: job.jobId, attempt: job.attempt });
  const outcome = await tryOnce(job, deps);
  switch (outcome.kind) {
    case 'completed':
      log.debug('job completed');
      break;
    case 'rate_limited':
      log.warn({ retryAfterMs: outcome.retryAfterMs, err: errField(outcome.error) }, 'rate limited: pausing the system queue');
      break;
    case 'retry':
      log.warn({ delayMs: outcome.delayMs, err: errField(outcome.error) }, 'job failed; will retry');
      break;
    case 'failed':
      log.error({ failure: outcome.failure, err: errField(outcome.error) }, 'job failed for good');
      await reportFailed(job, outcome.failure, outcome.error, deps, log);
      break;
  }
  return outcome;
}

async function tryOnce(job: AttemptJob, deps: AttemptDeps): Promise<AttemptOutcome> {
  if (!isJobName(job.name)) {
    return { kind: 'failed', failure: 'config_error', error: new JobPayloadError(job.name, [{ path: '', message: 'unknown job' }]) };
  }
  let payload: unknown;
  try {
    payload = parsePayload(job.name, job.data);
  } catch (err) {
    return { kind: 'failed', failure: 'config_error', error: err };
  }
  const spec = resolveSpec(job.name, deps.overrides);
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(job.signal?.reason);
  if (job.signal?.aborted === true) onOuterAbort();
  else job.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const ctx: JobContext = {
    hub: deps.hub,
    jobId: job.jobId,
    attempt: job.attempt,
    finalAttempt: job.attempt >= job.attempts,
    enqueue: deps.enqueue,
    progress: (value) => job.progress(value),
    signal: controller.signal,
  };
  const handler = deps.handlers[job.name] as AnyHandler;
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = handler(payload, ctx);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new JobTimeoutError(job.name, spec.timeoutMs);
        controller.abort(err);
        reject(err);
      }, spec.timeoutMs);
    });
    // The handler may still be running after a timeout; its eventual rejection must not surface
    // as an unhandled one.
    run.catch(() => undefined);
    await Promise.race([run, timedOut]);
    return { kind: 'completed' };
  } catch (err) {
    return decide(job, err, spec.backoffMs, deps.random);
  } finally {
    clearTimeout(timer);
    job.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function decide(job: AttemptJob, err: unknown, backoffMs: number, random: () => number): AttemptOutcome {
  const c = classifyJobError(err);
  if (c.kind === 'unrecoverable') return { kind: 'failed', failure: 'config_error', error: err };
  if (c.kind === 'rate_limited') return { kind: 'rate_limited', retryAfterMs: c.retryAfterMs, error: err };
  if (job.attempt >= job.attempts) return { kind: 'failed', failure: 'system_error', error: err };
  return { kind: 'retry', delayMs: retryDelayMs(job.attempt, backoffMs, c.minDelayMs, random), error: err };
}

async function reportFailed(job: AttemptJob, failure: FailureKind, error: unknown, deps: AttemptDeps, log: QueueLogger): Promise<void> {
  if (!deps.onFailed || !isJobName(job.name)) return;
  let payload: unknown = job.data;
  let system = '';
  try {
    payload = parsePayload(job.name, job.data);
  } catch {
    // Report the raw data: ops need to see what could not be parsed.
  }
  const s = (payload as { system?: unknown } | null)?.system;
  if (typeof s === 'string') system = s;
  const failed: FailedJob = { name: job.name, jobId: job.jobId, system, payload, attempt: job.attempt, failure, error };
  try {
    await deps.onFailed(failed);
  } catch (err) {
    log.error({ err: errField(err) }, 'onFailed hook threw; the job is recorded as failed in the queue only');
  }
}
