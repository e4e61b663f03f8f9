/**
 * Runs `sweep` now and then again `intervalMs` after each one ends, until stopped; `stop` waits for
 * the sweep in flight. The sweep handles its own errors (a loop never dies of one). Shared by the
 * relays (queue work, notifications) that keep SQLite's pending rows moving.
 */
export class SweepLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly sweep: () => Promise<void>,
    private readonly intervalMs: number,
    /** Let the process exit while only this loop waits. @defaultValue false */
    private readonly unref = false,
  ) {}

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async tick(): Promise<void> {
    this.running = this.sweep();
    await this.running;
    this.running = null;
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, this.intervalMs);
    if (this.unref) this.timer.unref();
  }
}
