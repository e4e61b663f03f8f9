import type { Clock } from '../../connectors/kit/index.ts';

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/** Virtual time for limiter and retry tests: nothing waits for real, `advance` runs due timers in order. */
export class ManualClock implements Clock {
  private t = 0;
  private timers: Timer[] = [];
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const timer: Timer = { at: this.t + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((candidate) => candidate !== timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      }, { once: true });
    });
  };

  /** Moves time forward by `ms`, firing timers one at a time and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = target;
    await settle();
  }
}

/** Lets every pending promise continuation run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Virtual time that moves only when someone sleeps: a sleep advances the clock at once and yields
 * to the event loop, so real HTTP round trips run while retry waits and limiter pauses cost nothing.
 */
export class AutoClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];

  constructor(start = 1_795_000_000_000) {
    this.t = start;
  }

  now = (): number => this.t;

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  advance(ms: number): void {
    this.t += ms;
  }
}
