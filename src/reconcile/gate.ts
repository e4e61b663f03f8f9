import type { EntityGate } from './types.ts';

/**
 * Whether a complete listing may tombstone what it lacks. Never when it listed nothing alive (a
 * source answering an empty list by mistake must not delete everything), and never when it shrank
 * below `(1 − shrinkThreshold)` of the live links we hold: a permission change, a filter or a bug
 * at the source looks exactly like a mass delete, and only a person should decide which it is.
 */
export function decideGate(counts: { staged: number; alive: number; links: number }, shrinkThreshold: number): EntityGate {
  const { staged, alive, links } = counts;
  if (links === 0) return { staged, alive, links, tombstone: true, reason: null };
  if (alive === 0) {
    return { staged, alive, links, tombstone: false, reason: `listing shrank suspiciously: 0 of ${links} (an empty listing) — no tombstones` };
  }
  if (alive < (1 - shrinkThreshold) * links) {
    return { staged, alive, links, tombstone: false, reason: `listing shrank suspiciously: ${alive} of ${links} — no tombstones` };
  }
  return { staged, alive, links, tombstone: true, reason: null };
}
