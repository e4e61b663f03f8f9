import type { Store } from '../store/index.ts';
import { queueDueDigests } from './digest.ts';
import { DeliverySender, type DrainResult, type SenderOptions } from './deliver.ts';
import { fanOutAll, type FanOutResult } from './fanout.ts';
import { SweepLoop } from '../lib/sweep-loop.ts';

export interface NotificationRelayOptions extends SenderOptions {
  /** Time between sweeps, from the end of the last. @defaultValue 2_000 */
  readonly intervalMs?: number;
  /** How often digests are looked at. @defaultValue 300_000 */
  readonly digestEveryMs?: number;
  /** Close the mailer on stop (when the relay made it). @defaultValue false */
  readonly ownsMailer?: boolean;
  readonly logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface NotifySweep {
  readonly fanOut: FanOutResult;
  readonly digests: number;
  readonly delivered: DrainResult;
}

/**
 * The notification relay, beside the outbox relay and in the same spirit: SQLite is the system of
 * record, the loop only moves it along. Each sweep fans new portal events out into delivery rows
 * (one unit of work per batch, cursor included), queues the digests whose local morning has come,
 * and sends what is due. Runs in `serve` (inline queue mode), `worker` and the demo; several at once
 * are safe (the fan-out is serialised by the write lock, sends by their leases).
 */
export class NotificationRelay {
  readonly sender: DeliverySender;
  private readonly loop: SweepLoop;
  private lastDigestAt = 0;

  constructor(private readonly options: NotificationRelayOptions) {
    this.sender = new DeliverySender(options);
    this.loop = new SweepLoop(() => this.sweepLogged(), options.intervalMs ?? 2_000, true);
  }

  get store(): Store {
    return this.options.store;
  }

  /** One pass: fan out, digests (when due to be looked at), send. */
  async sweep(options: { digests?: boolean } = {}): Promise<NotifySweep> {
    const fanOut = await fanOutAll(this.options.store);
    let digests = 0;
    const now = (this.options.now ?? (() => new Date()))();
    if (options.digests ?? now.getTime() - this.lastDigestAt >= (this.options.digestEveryMs ?? 300_000)) {
      this.lastDigestAt = now.getTime();
      digests = await queueDueDigests(this.options.store, now);
    }
    const delivered = await this.sender.drain();
    return { fanOut, digests, delivered };
  }

  async start(): Promise<void> {
    await this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.options.ownsMailer) this.options.mailer.close();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async sweepLogged(): Promise<void> {
    await this.sweep().then(
      (r) => {
        if (r.fanOut.deliveries > 0 || r.delivered.sent + r.delivered.failed + r.delivered.dead > 0) this.options.logger?.info(r, 'notifications: swept');
      },
      (err: unknown) => this.options.logger?.error({ err }, 'notification sweep failed; trying again next interval'),
    );
  }
}
