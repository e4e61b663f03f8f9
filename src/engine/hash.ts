import { createHash } from 'node:crypto';
import type { IncomingRecord } from './types.ts';

/**
 * Hash of an incoming record as the source sent it (after mapping, before references resolve).
 * An identical record from the same system costs a lookup and nothing else.
 */
export function hashIncoming(record: IncomingRecord): string {
  const hash = createHash('sha1');
  hash.update(JSON.stringify(record.values));
  if (record.deleted) hash.update('\u0000deleted');
  return hash.digest('base64');
}
