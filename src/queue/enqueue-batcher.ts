import type { EnqueueItem } from './jobs.ts';
import type { QueueDriver } from './types.ts';

/**
 * Collects enqueues made in the same turn of the event loop into one `enqueueBulk` (BullMQ addBulk):
 * under a burst of webhooks one Redis round trip carries many jobs. Each caller's promise
 * settles with its batch.
 */
export class EnqueueBatcher {
  private waiting: Array<{ item: EnqueueItem; resolve(): void; reject(err: unknown): void }> = [];
  private scheduled = false;

  constructor(private readonly driver: Pick<QueueDriver, 'enqueueBulk'>) {}

  enqueue(item: EnqueueItem): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      await this.driver.enqueueBulk(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
