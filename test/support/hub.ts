import { Engine, type SyncPolicy } from '../../src/engine/index.ts';
import { entityFields } from '../../src/model/index.ts';
import type { LedgerEntry, SqliteStore } from '../../src/store/index.ts';
import { allFields, policy, type FieldSpec } from './policy.ts';
import { steppingClock } from './records.ts';

/**
 * The policy most engine tests share. Clients start in the ATS; payroll owns the billing frequency;
 * phone is shared (manual), website shared (`latest`). Payroll hears of active clients (create) and of
 * changes to the fields it carries; the ATS hears back about the fields it maps both ways.
 */
export const CLIENT_OWNERS: Readonly<Record<string, FieldSpec>> = {
  name: 'ats', status: 'ats', phone: 'shared', website: 'shared:latest', billingFrequency: 'payroll',
  addressLine1: 'ats', city: 'ats', state: 'ats', postalCode: 'ats',
};

function pick(owners: Readonly<Record<string, FieldSpec>>, fields: readonly string[]): Record<string, FieldSpec> {
  return Object.fromEntries(fields.map((f) => [f, owners[f] ?? 'ats']));
}

export const PAYROLL_CLIENT_FIELDS = ['name', 'status', 'phone', 'website', 'billingFrequency', 'city'] as const;

export function standardPolicy(): SyncPolicy {
  const candidateOwners = allFields(entityFields('candidate'), 'ats');
  return policy()
    .in('ats', 'client', { fields: CLIENT_OWNERS })
    .in('payroll', 'client', { fields: pick(CLIENT_OWNERS, PAYROLL_CLIENT_FIELDS) })
    .in('ats', 'worksite', { fields: allFields(entityFields('worksite'), 'ats') })
    .in('payroll', 'worksite', { fields: allFields(['clientId', 'name', 'status'], 'ats') })
    .in('ats', 'contact', { fields: allFields(entityFields('contact'), 'ats') })
    .in('ats', 'candidate', { fields: candidateOwners })
    .in('payroll', 'candidate', { fields: pick(candidateOwners, ['firstName', 'lastName', 'email', 'phone', 'status']), byEmail: true })
    .in('csv:legacy', 'candidate', { fields: candidateOwners, byEmail: true, unmatched: 'review' })
    .in('ats', 'assignment', { fields: allFields(entityFields('assignment'), 'ats') })
    .in('timeclock', 'time_entry', { fields: allFields(entityFields('time_entry'), 'timeclock') })
    .out('client', 'ats', ['name', 'phone', 'website', 'billingFrequency'])
    .out('client', 'payroll', ['name', 'status', 'phone', 'billingFrequency', 'city'], { kind: 'when', when: { status: ['active'] } })
    .out('candidate', 'payroll', ['firstName', 'lastName', 'email', 'status'], { kind: 'always' })
    .build();
}

/** An engine on the store with a clock that moves one second per batch. */
export function newEngine(store: SqliteStore, p: SyncPolicy = standardPolicy()): Engine {
  return new Engine(store, { policy: p, now: steppingClock().now });
}

export async function ledgerOf(store: SqliteStore): Promise<LedgerEntry[]> {
  return store.repos.ledger.query({ limit: 100_000 });
}
