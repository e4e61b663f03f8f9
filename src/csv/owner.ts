import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** After this long without a heartbeat an import on another host counts as abandoned. */
export const STALE_AFTER_MS = 10 * 60_000;

/**
 * This process's incarnation: a container restarted after a kill often gets the same host name and
 * the same pid (1), so those two alone would take the dead import for a live one.
 */
const INSTANCE = randomUUID().slice(0, 8);

/** This process as an import owner: `host:pid:instance`. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}:${INSTANCE}`;
}

/**
 * Whether the process that owns a running import is still at it. On this host the answer is
 * exact (signal 0 asks the kernel; our own pid with another instance id is a dead predecessor); on
 * another host the heartbeat decides.
 */
export function ownerAlive(owner: string | null, heartbeatAt: string | null, now: string): boolean {
  if (owner !== null) {
    const parts = owner.split(':');
    const instance = parts.pop();
    const pid = Number(parts.pop());
    const host = parts.join(':');
    if (host === hostname() && Number.isInteger(pid) && pid > 0) {
      if (pid === process.pid) return instance === INSTANCE;
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
