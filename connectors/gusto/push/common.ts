import { ConnectorConfigError, type PushRequest, type VendorRecord } from '../../kit/index.ts';
import type { GustoClient } from '../client.ts';

/** Keys never sent to Gusto, whatever a body holds: the hub keeps no such data (CONTRIBUTING). */
const SENSITIVE_KEYS = new Set(['ssn', 'date_of_birth', 'has_ssn', 'bank_accounts', 'bank_account', 'routing_number', 'account_number']);

export function withoutKeys(body: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(body).filter(([key]) => !drop.has(key) && !SENSITIVE_KEYS.has(key)));
}

/**
 * The body's keys whose values differ from the record as Gusto holds it: emails compare without
 * case and phones by their digits (Gusto keeps "4045550136" for "(404) 555-0136"), so a push that
 * changes nothing writes nothing.
 */
export function changedKeys(current: Readonly<Record<string, unknown>>, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!sameValue(key, value, current[key])) out[key] = value;
  }
  return out;
}

function sameValue(key: string, sent: unknown, held: unknown): boolean {
  if (typeof sent === 'string' && typeof held === 'string') {
    if (key.endsWith('email')) return sent.trim().toLowerCase() === held.trim().toLowerCase();
    if (key === 'phone') return sent.replace(/\D/g, '').slice(-10) === held.replace(/\D/g, '').slice(-10);
  }
  return JSON.stringify(sent ?? null) === JSON.stringify(held ?? null);
}

/** The vendor id an update needs. */
export function externalIdOf(client: GustoClient, request: PushRequest): string {
  if (request.externalId === undefined || request.externalId === '') {
    throw ConnectorConfigError.forSystem(client.ctx.systemId, `an update of ${request.entity} needs the Gusto uuid`, 'misconfigured');
  }
  return request.externalId;
}

/**
 * The Gusto id of a record this one hangs under: the hub's `related` entry for the reference field
 * (the link of the referenced record), else the id the mapping wrote into the body.
 */
export function parentId(client: GustoClient, request: PushRequest, field: string, bodyKey: string, what: string): string {
  const fromLink = request.related?.[field]?.externalId;
  const fromBody = request.body[bodyKey];
  const id = fromLink ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (id === undefined || id === '') {
    throw ConnectorConfigError.forSystem(client.ctx.systemId, `${request.entity}: the ${what} is not in Gusto yet (no ${field} link)`, 'misconfigured');
  }
  return id;
}

/** `version` as Gusto sent it, for the link's bookkeeping. */
export function versionOf(record: VendorRecord): Record<string, unknown> {
  return typeof record['version'] === 'string' ? { version: record['version'] } : {};
}
