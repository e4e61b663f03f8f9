import { hash } from 'node:crypto';
import type { IncomingRecord } from './types.ts';

/**
 * Hash of an incoming record as the source sent it (after mapping, before references resolve).
 * An identical record from the same system costs a lookup and nothing else. Field order is not
 * part of the record: the same values in another order hash the same.
 *
 * This runs for every record of every pull, import and reconciliation, so it builds one string
 * with plain concatenation (strings through JSON.stringify for unambiguous escaping) and hashes
 * it one-shot.
 */
export function hashIncoming(record: IncomingRecord): string {
  const values = record.values;
  const fields = sortedFields(values);
  let text = '';
  for (const field of fields) {
    const v = values[field];
    if (v === null || v === undefined) text += `${field}=;`;
    else if (typeof v === 'object') text += `${field}=@${JSON.stringify(v.ref.system)}|${JSON.stringify(v.ref.externalId)};`;
    else if (typeof v === 'number') text += `${field}=#${v};`;
    else text += `${field}=${JSON.stringify(v)};`;
  }
  if (record.deleted) text += '\u0000deleted';
  // Link bookkeeping (an ADP file number) is part of what was seen: a change to it must be kept.
  if (record.linkMeta !== undefined) text += `\u0000keep:${JSON.stringify(record.linkMeta)}`;
  // An identity decision made by ops (`crosswalk links link`) is new information about the record.
  if (record.match?.canonicalId) text += `\u0000canonical:${record.match.canonicalId}`;
  return hash('sha1', text, 'base64');
}

/**
 * The record's field names in sorted order. The records of one batch come from one mapping and
 * list their fields in the same order, so the sorted order of the previous record is reused when
 * the names match one for one (sorting per record was a third of this function's allocation).
 */
let lastKeys: string[] = [];
let lastSorted: string[] = [];
function sortedFields(values: Readonly<Record<string, unknown>>): readonly string[] {
  const keys = Object.keys(values);
  if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i])) return lastSorted;
  lastKeys = keys;
  lastSorted = [...keys].sort();
  return lastSorted;
}
