import { randomFillSync } from 'node:crypto';

/**
 * A new canonical or row id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits —
 * so ids sort by creation time and inserts stay at the end of the B-tree.
 *
 * Written here rather than taken from a package because it runs for every record of every batch:
 * this version draws randomness from a pooled buffer and formats through a byte→hex table, about a
 * tenth of the allocation of a general-purpose UUID object. Within one millisecond the 12-bit
 * `rand_a` field counts up (RFC 9562 method 1), so ids made in the same millisecond still sort in
 * the order they were made.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_IDS = 512;
const pool = Buffer.allocUnsafe(POOL_IDS * 10);
let poolAt = POOL_IDS;
let lastMs = -1;
let counter = 0;

export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond rather than lose the order.
      ms = lastMs + 1;
      counter = 0;
    }
  } else {
    counter = randomCounterStart();
  }
  lastMs = ms;
  if (poolAt === POOL_IDS) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = poolAt * 10;
  poolAt++;
  const hi = Math.floor(ms / 0x1000000);
  const lo = ms % 0x1000000;
  return (
    HEX[(hi >>> 16) & 0xff]! + HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + HEX[(lo >>> 16) & 0xff]! + '-' +
    HEX[(lo >>> 8) & 0xff]! + HEX[lo & 0xff]! + '-' +
    HEX[0x70 | (counter >>> 8)]! + HEX[counter & 0xff]! + '-' +
    HEX[0x80 | (pool[r]! & 0x3f)]! + HEX[pool[r + 1]!]! + '-' +
    HEX[pool[r + 2]!]! + HEX[pool[r + 3]!]! + HEX[pool[r + 4]!]! + HEX[pool[r + 5]!]! + HEX[pool[r + 6]!]! + HEX[pool[r + 7]!]!
  );
}

/** Starts each millisecond's counter at a random point in its lower half, leaving room to count up. */
function randomCounterStart(): number {
  if (poolAt === POOL_IDS) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = poolAt * 10 + 8;
  return ((pool[r]! << 8) | pool[r + 1]!) & 0x7ff;
}
