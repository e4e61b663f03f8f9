import type { InboxRow, Store } from '../store/index.ts';

type NewInboxRow = Omit<InboxRow, 'status' | 'attempts' | 'lastError' | 'processedAt' | 'headers'> & { readonly headers?: InboxRow['headers'] };

interface Waiting {
  readonly row: NewInboxRow;
  resolve(result: { inserted: boolean; id: string }): void;
  reject(err: unknown): void;
}

/**
 * Group commit for the inbox: deliveries that arrive while a durable commit is being prepared share
 * the next one. Every delivery is still acknowledged only after the commit that holds its row,
 * but a burst pays one `synchronous=FULL` fsync per batch instead of one per delivery — the fsync, not the insert, is the ceiling of a one-commit-per-request route.
 * A store on a file commits on its inbox writer thread instead (decision 0010); this on-thread
 * batcher remains for in-memory stores, which a second connection cannot reach.
 */
export class InboxBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly options: { readonly maxBatch?: number; readonly windowMs?: number } = {},
  ) {}

  insert(row: NewInboxRow): Promise<{ inserted: boolean; id: string }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (this.waiting.length >= (this.options.maxBatch ?? 500)) this.flushSoon(true);
      else this.flushSoon(false);
    });
  }

  private flushSoon(now: boolean): void {
    if (now) {
      void this.flush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // A short window (default 1 ms) lets the deliveries already on the wire join this commit: the
    // fsync costs the same for one row or five hundred, so a burst is acknowledged in a few commits.
    setTimeout(() => {
      this.scheduled = false;
      void this.flush();
    }, this.options.windowMs ?? 1);
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    try {
      const results = await this.store.unitOfWork(async (tx) => {
        const out: Array<{ inserted: boolean; id: string }> = [];
        for (const w of batch) out.push(await tx.inbox.insert(w.row));
        return out;
      }, { durable: true });
      batch.forEach((w, i) => w.resolve(results[i] as { inserted: boolean; id: string }));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
