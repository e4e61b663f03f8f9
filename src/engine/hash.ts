import { createHash } from 'node:crypto';
import { isRef, type IncomingRecord, type IncomingValue } from './types.ts';

/**
 * Hash of an incoming record as the source sent it (after mapping, before references resolve).
 * An identical record from the same system costs a lookup and nothing else. Field order is not
 * part of the record: the same values in another order (a CSV with its columns moved) hash the same.
 */
export function hashIncoming(record: IncomingRecord): string {
  const hash = createHash('sha1');
  const fields = Object.keys(record.values).sort();
  hash.update(JSON.stringify(fields.map((f) => [f, stable(record.values[f])])));
  if (record.deleted) hash.update('\u0000deleted');
  return hash.digest('base64');
}

function stable(value: IncomingValue | undefined): unknown {
  return isRef(value) ? { ref: [value.ref.system, value.ref.externalId] } : (value ?? null);
}
