import { hostname } from 'node:os';

/** After this long without a heartbeat an import on another host counts as abandoned. */
export const STALE_AFTER_MS = 10 * 60_000;

/** This process as an import owner: `host:pid`. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Whether the process that owns a running import is still at it. On this host the answer is
 * exact (signal 0 asks the kernel); on another host the heartbeat decides.
 */
export function ownerAlive(owner: string | null, heartbeatAt: string | null, now: string): boolean {
  if (owner !== null) {
    const at = owner.lastIndexOf(':');
    const host = owner.slice(0, at);
    const pid = Number(owner.slice(at + 1));
    if (host === hostname() && Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        // EPERM: the process exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
  }
  if (heartbeatAt === null) return false;
  return Date.parse(now) - Date.parse(heartbeatAt) < STALE_AFTER_MS;
}
