import type { LinkRow, Store } from '../../../src/store/index.ts';

export const NOW = '2026-03-01T12:00:00.000Z';
export const later = (minutes: number): string => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

export const CLIENT = {
  name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly',
  addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null,
};

export function link(over: Partial<LinkRow> = {}): LinkRow {
  return {
    system: 'ats', entity: 'client', externalId: 'c1', canonicalId: 'client-1', state: 'linked', base: { name: 'x' },
    sourceHash: 'h', sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null,
    seenRunId: null, createdAt: NOW, updatedAt: NOW, ...over,
  };
}

/** Rows in `table`, counted through the store's own runner (both dialects). */
export async function countRows(store: Store, table: string): Promise<number> {
  return (await store.query.value<number>(`SELECT count(*) FROM ${table}`)) ?? 0;
}
