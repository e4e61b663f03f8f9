import type { ImportProgress } from './import.ts';

/**
 * A progress line on stderr, redrawn in place at most a few times a second, and only when stderr
 * is a terminal: piped or logged output stays clean.
 */
export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { update(p: ImportProgress): void; done(): void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const t = Date.now();
      if (t - last < 250) return;
      last = t;
      const pct = p.bytes > 0 ? Math.min(100, Math.floor((p.bytesRead / p.bytes) * 100)) : 0;
      const rate = Math.round(p.rows / Math.max(0.001, (t - started) / 1000));
      const errors = p.errors > 0 ? `, ${p.errors.toLocaleString('en-US')} problems` : '';
      stream.write(`\r${label}: ${String(pct).padStart(3)}%  ${p.rows.toLocaleString('en-US')} rows (${rate.toLocaleString('en-US')}/s)${errors}\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
