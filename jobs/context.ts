import type { Hub } from '../src/hub.ts';
import type { JobInput, JobName, JobPayload } from './catalog.ts';

export interface EnqueueOptions {
  /** Derived from a row id or a schedule slot: the same work never runs twice while a job with this id exists. */
  readonly jobId: string;
  readonly delayMs?: number;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  readonly hub: Hub;
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  /** The last try: a handler parks work for ops instead of throwing when it fails now. */
  readonly finalAttempt: boolean;
  enqueue<K extends JobName>(name: K, payload: JobInput<K>, options: EnqueueOptions): Promise<void>;
  /** Fires when the job's time is up or the worker shuts down: pass it to vendor calls. */
  readonly signal: AbortSignal;
  /** Progress for long jobs (BullMQ `updateProgress`; shown by Bull Board and the CLI). */
  progress(value: Readonly<Record<string, number | string>>): Promise<void>;
}

export type Handler<K extends JobName> = (payload: JobPayload<K>, ctx: JobContext) => Promise<void>;
export type Handlers = { readonly [K in JobName]: Handler<K> };
