import type { ApplyBatch, SyncPolicy } from '../../src/engine/index.ts';
import { entityFields } from '../../src/model/index.ts';
import { allFields, policy } from './policy.ts';

/** The engine's clock in the SIGKILL test: fixed, so a recovered run and a clean run write the same times. */
export const KILL_CLOCK = '2026-05-01T00:00:00.000Z';

/** Clients from the ATS; payroll gets every active one created (so the batch writes outbox rows too). */
export function killPolicy(): SyncPolicy {
  return policy()
    .in('ats', 'client', { fields: allFields(entityFields('client'), 'ats') })
    .out('client', 'payroll', ['name', 'status', 'city'], { kind: 'when', when: { status: ['active'] } })
    .build();
}

/** `count` deterministic client records, a few of them invalid so rejections are part of the batch. */
export function killBatch(count: number): ApplyBatch {
  const cities = ['Akron', 'Dayton', 'Toledo', 'Kent', 'Canton'];
  return {
    system: 'ats',
    entity: 'client',
    runId: 'kill-run',
    records: Array.from({ length: count }, (_, i) => ({
      externalId: `c${String(i).padStart(6, '0')}`,
      sourceModifiedAt: new Date(Date.parse('2026-04-01T00:00:00Z') + i * 1000).toISOString(),
      values: {
        name: `Client ${i}`, status: i % 97 === 0 ? 'bogus' : i % 3 === 0 ? 'prospect' : 'active', phone: null, website: null,
        billingFrequency: 'weekly', addressLine1: `${i} Main St`, city: cities[i % cities.length] ?? null, state: 'OH', postalCode: null,
      },
    })),
  };
}
