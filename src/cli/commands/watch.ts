import type { Hub } from '../../hub.ts';
import type { RunKind, RunRow } from '../../store/index.ts';

/**
 * Follows the runs a command started until each expected entity's run has finished, drawing a
 * progress line on a terminal (stderr) and staying silent otherwise.
 */
export async function watchRuns(
  hub: Hub,
  options: { kind: RunKind; system: string; since: string; expect: readonly string[]; json: boolean; timeoutMs?: number },
): Promise<RunRow[]> {
  const tty = process.stderr.isTTY && !options.json;
  const deadline = Date.now() + (options.timeoutMs ?? 6 * 3_600_000);
  const queue = hub.queue();
  let runs: RunRow[] = [];
  for (;;) {
    runs = (await hub.store().repos.runs.list({ kind: options.kind, system: options.system, limit: 200 }))
      .filter((r) => r.startedAt >= options.since)
      .reverse();
    if (tty) drawProgress(runs);
    const finished = options.expect.every((entity) => runs.some((r) => r.entity === entity && r.status !== 'running'));
    const failed = runs.some((r) => r.status === 'failed');
    if (finished || failed) break;
    if (queue.kind === 'inline') {
      // Inline: when the queue is idle and runs are still missing, the chain stopped (a failure).
      const stats = await queue.stats();
      const busy = Object.values(stats).some((c) => c.waiting + c.active + c.delayed > 0);
      if (!busy) {
        runs = (await hub.store().repos.runs.list({ kind: options.kind, system: options.system, limit: 200 })).filter((r) => r.startedAt >= options.since).reverse();
        break;
      }
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (tty) process.stderr.write('\r\x1b[2K');
  return runs;
}

function drawProgress(runs: readonly RunRow[]): void {
  const current = runs.find((r) => r.status === 'running') ?? runs[runs.length - 1];
  if (!current) return;
  const c = current.counts;
  const total = (current.cursor as { total?: number } | null)?.total;
  const line = `${current.system} ${current.entity ?? ''}: ${c['pulled'] ?? c['seen'] ?? 0}${total ? `/${total}` : ''} read, ${c['created'] ?? 0} created, ${c['updated'] ?? 0} updated, ${c['unchanged'] ?? 0} unchanged, ${c['conflicts'] ?? 0} conflicts, ${c['rejected'] ?? 0} rejected`;
  process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
}
