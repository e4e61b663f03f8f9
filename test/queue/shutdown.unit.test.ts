import { afterEach, describe, expect, it } from 'vitest';
import { installShutdown, type Closeable } from '../../src/queue/index.ts';
import { captureLogger, sleep, waitFor } from './support.ts';

// SIGUSR2 stands in for SIGTERM: emitting it on `process` runs the handlers without a real signal.
const SIGNAL = 'SIGUSR2' as const;
const uninstalls: Array<() => void> = [];
afterEach(() => {
  for (const u of uninstalls.splice(0)) u();
});

function setup(closeables: Closeable[], timeoutMs = 1_000) {
  const exits: number[] = [];
  const logger = captureLogger();
  uninstalls.push(installShutdown(closeables, logger, { signals: [SIGNAL], exit: (code) => void exits.push(code), timeoutMs }));
  return { exits, logger };
}

describe('installShutdown', () => {
  it('closes everything in order on the first signal and exits 0', async () => {
    const order: string[] = [];
    const closeable = (name: string, ms: number): Closeable => ({ name, close: async () => { await sleep(ms); order.push(name); } });
    const { exits } = setup([closeable('scheduler', 20), closeable('driver', 5), closeable('store', 0)]);
    process.emit(SIGNAL, SIGNAL);
    await waitFor('exit', () => exits.length > 0);
    expect(order).toEqual(['scheduler', 'driver', 'store']);
    expect(exits).toEqual([0]);
  });

  it('keeps closing after one fails, and then exits 1', async () => {
    const closed: string[] = [];
    const { exits, logger } = setup([
      { name: 'relay', close: async () => Promise.reject(new Error('boom')) },
      { name: 'driver', close: async () => void closed.push('driver') },
    ]);
    process.emit(SIGNAL, SIGNAL);
    await waitFor('exit', () => exits.length > 0);
    expect(closed).toEqual(['driver']);
    expect(exits).toEqual([1]);
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'close failed')).toBe(true);
  });

  it('exits 1 at once on a second signal, and on its timeout', async () => {
    const { exits } = setup([{ name: 'stuck', close: () => new Promise<void>(() => undefined) }], 60);
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(exits).toEqual([1]);
    await waitFor('the timeout', () => exits.length === 2);
    expect(exits).toEqual([1, 1]);
  });

  it('removes its handlers when uninstalled', () => {
    const before = process.listenerCount(SIGNAL);
    setup([]);
    expect(process.listenerCount(SIGNAL)).toBe(before + 1);
    uninstalls.pop()?.();
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });
});
