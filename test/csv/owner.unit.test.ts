import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentOwner, ownerAlive, STALE_AFTER_MS } from '../../src/csv/owner.ts';

const NOW = '2026-11-20T09:00:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

describe('import owners', () => {
  it('this process is alive; an earlier incarnation with the same pid (a restarted container) is not', () => {
    expect(ownerAlive(currentOwner(), NOW, NOW)).toBe(true);
    expect(ownerAlive(`${hostname()}:${process.pid}:0000dead`, NOW, NOW)).toBe(false);
  });

  it('a process of this host that has exited is dead, whatever its heartbeat says', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(child.stdout.toString('utf8'));
    expect(ownerAlive(`${hostname()}:${pid}:abcd1234`, NOW, NOW)).toBe(false);
  });

  it('on another host the heartbeat decides', () => {
    expect(ownerAlive('elsewhere:42:abcd1234', ago(60_000), NOW)).toBe(true);
    expect(ownerAlive('elsewhere:42:abcd1234', ago(STALE_AFTER_MS + 1), NOW)).toBe(false);
    expect(ownerAlive(null, null, NOW)).toBe(false);
  });
});
