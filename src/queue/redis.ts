import { Redis } from 'ioredis';
import { errField, type QueueLogger } from './logger.ts';

/**
 * A connection for BullMQ. Workers need `maxRetriesPerRequest: null` (their blocking commands must
 * wait out a Redis restart instead of failing; BullMQ refuses a worker connection without it).
 * Queues keep ioredis' default, so an enqueue during an outage fails after a few retries and the
 * caller (a webhook route) can answer 503: the inbox row, not Redis, holds the work.
 */
export function createRedis(url: string, role: 'queue' | 'worker', logger: QueueLogger): Redis {
  // lazyConnect: building a driver opens nothing; the first command (or BullMQ's readiness wait) connects.
  const redis = new Redis(url, role === 'worker' ? { maxRetriesPerRequest: null, lazyConnect: true } : { lazyConnect: true });
  let lastLogged = 0;
  redis.on('error', (err: unknown) => {
    // ioredis repeats the same error on every reconnect attempt; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    logger.warn({ err: errField(err), role }, 'redis connection error');
  });
  return redis;
}

/**
 * BullMQ loses jobs when Redis evicts keys under memory pressure: anything but `noeviction` is a
 * misconfiguration that shows up only as silently missing work. Managed Redis may refuse CONFIG;
 * then we say we could not check.
 */
export async function checkEvictionPolicy(redis: Redis, logger: QueueLogger): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    const policy = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
    if (policy !== 'noeviction') {
      logger.error(
        { maxmemoryPolicy: policy },
        `REDIS maxmemory-policy IS "${policy ?? 'unknown'}", NOT "noeviction": Redis may evict queued jobs under memory pressure. ` +
          'Set `maxmemory-policy noeviction`. Work is not lost (the relay re-creates it from SQLite) but it is delayed.',
      );
    }
    return policy;
  } catch (err) {
    logger.warn({ err: errField(err) }, 'could not read Redis maxmemory-policy (CONFIG refused?): make sure it is noeviction');
    return null;
  }
}

/** Closes a connection we own, quickly: `quit` when connected, `disconnect` otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
