import { Worker } from 'node:worker_threads';
import type { InboxRow } from '../types.ts';
import { headersJson, INBOX_EXISTING_SQL, INBOX_INSERT_SQL } from '../repos/inbox-repo.ts';

export type NewInboxRow = Omit<InboxRow, 'status' | 'attempts' | 'lastError' | 'processedAt' | 'headers'> & { readonly headers?: InboxRow['headers'] };
export interface InboxInsert {
  readonly inserted: boolean;
  readonly id: string;
}

interface Waiting {
  readonly row: NewInboxRow;
  resolve(result: InboxInsert): void;
  reject(err: unknown): void;
}

type Reply = { ids: string[]; inserted: boolean[] } | { error: { message: string; code: string | null } };

export interface InboxWriterOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Rows per commit at most. @defaultValue 500 */
  readonly maxBatch?: number;
}

/**
 * Durable inbox inserts, group-committed on a worker thread with its own connection (decision 0010).
 *
 * A `synchronous=FULL` commit spends most of its time in fsync; better-sqlite3 is synchronous, so on
 * the main thread that time blocks every other request (about a fifth of the ingest route's main
 * thread, profiled). Here the main thread only posts rows and resolves promises; the fsync
 * overlaps with reading, verifying and answering the next deliveries.
 *
 * Flush policy: one batch in flight at a time. Rows that arrive while a commit runs wait for it and
 * go together in the next one, so the batch size follows the load with no timer: an idle writer
 * commits a lone delivery at the end of the current event-loop turn (no fixed window to sit out),
 * a busy one pays one fsync per batch.
 *
 * Each promise settles only after the worker's COMMIT returned, i.e. after the row is durable: the
 * caller may acknowledge on resolve. A failed batch rejects every row of it.
 */
export class InboxWriter {
  private worker: Worker | null = null;
  private queued: Waiting[] = [];
  private inFlight: Waiting[] | null = null;
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: InboxWriterOptions) {}

  insert(row: NewInboxRow): Promise<InboxInsert> {
    if (this.closed) return Promise.reject(new Error('the inbox writer is closed'));
    return new Promise((resolve, reject) => {
      this.queued.push({ row, resolve, reject });
      if (this.inFlight || this.scheduled) return;
      this.scheduled = true;
      // The end of this turn, not now: the deliveries parsed in the same turn share the commit.
      setImmediate(() => {
        this.scheduled = false;
        this.send();
      });
    });
  }

  /** Rejects what has not been sent, lets the batch in flight finish, then stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(this.queued.splice(0), new Error('the inbox writer is closed'));
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true });
    await exited;
  }

  private send(): void {
    if (this.inFlight || this.queued.length === 0) return;
    const batch = this.queued.splice(0, this.options.maxBatch ?? 500);
    this.inFlight = batch;
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      this.inFlight = null;
      this.failAll(batch, err);
      return;
    }
    // Held by the thread only while a commit is pending, so an idle writer never keeps a process alive.
    worker.ref();
    worker.postMessage({
      rows: batch.map(({ row: r }) => [r.id, r.system, r.eventId, r.kind, r.entity, r.externalId, r.payload, r.receivedAt, headersJson(r.headers)]),
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./inbox-writer.worker.js', import.meta.url), {
      workerData: { path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs, insertSql: INBOX_INSERT_SQL, existingSql: INBOX_EXISTING_SQL },
    });
    worker.on('message', (reply: Reply) => this.onReply(reply));
    // A thread that dies takes its batch with it (nothing of it was acknowledged); the next batch
    // starts a new one.
    const lost = (err: unknown) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const batch = this.inFlight;
      this.inFlight = null;
      if (batch) this.failAll(batch, err);
      if (!this.closed) this.send();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the inbox writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: Reply): void {
    const batch = this.inFlight;
    this.inFlight = null;
    this.worker?.unref();
    if (batch) {
      if ('error' in reply) {
        const err = Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
        this.failAll(batch, err);
      } else {
        for (let i = 0; i < batch.length; i++) {
          (batch[i] as Waiting).resolve({ inserted: reply.inserted[i] === true, id: reply.ids[i] as string });
        }
      }
    }
    // What arrived during that commit goes now, as one batch: the group commit.
    if (!this.closed) this.send();
  }

  private failAll(batch: readonly Waiting[], err: unknown): void {
    for (const w of batch) w.reject(err);
  }
}
