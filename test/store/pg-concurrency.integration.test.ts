/**
 * Two hosts, one PostgreSQL (issue 16): two stores on the same schema — two connection pools, as two
 * worker processes have — apply changes to the same canonical record at the same moment. SERIALIZABLE
 * units of work with retry (decision 0024) must lose no update and record a conflict once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { PgStore } from '../../src/store/postgres/pg-store.ts';
import { standardPolicy } from '../support/hub.ts';
import { clientValues, rec } from '../support/records.ts';
import { createSchema, dropSchema, freshSchemaName, TEST_PG_URL } from '../support/stores.ts';

const ROUNDS = 12;
const at = (minute: number) => new Date(Date.parse('2026-04-01T09:00:00.000Z') + minute * 60_000).toISOString();

let schema: string;
let hostA: PgStore;
let hostB: PgStore;
let engineA: Engine;
let engineB: Engine;

beforeAll(async () => {
  schema = freshSchemaName();
  await createSchema(schema);
  const keyring = Keyring.generate();
  hostA = PgStore.open(TEST_PG_URL, { schema, keyring, poolSize: 4 });
  await hostA.ready;
  hostB = PgStore.open(TEST_PG_URL, { schema, keyring, poolSize: 4 });
  await hostB.ready;
  const now = () => new Date().toISOString();
  engineA = new Engine(hostA, { policy: standardPolicy(), now });
  engineB = new Engine(hostB, { policy: standardPolicy(), now });
}, 60_000);

afterAll(async () => {
  await hostA?.close();
  await hostB?.close();
  if (schema) await dropSchema(schema);
});

/** Client `c<n>` from the ATS, matched in payroll as `p<n>`, which owns its billing frequency (monthly). */
async function linkedClient(n: number): Promise<string> {
  await engineA.apply({ system: 'ats', entity: 'client', records: [rec(`c${n}`, clientValues({ billingFrequency: 'weekly' }), { at: at(1) })] });
  await engineA.apply({ system: 'payroll', entity: 'client', records: [rec(`p${n}`, {
    name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'monthly', city: 'Dayton',
  }, { at: at(2), match: { links: [{ system: 'ats', externalId: `c${n}` }] } })] });
  const link = await hostA.repos.links.get('ats', 'client', `c${n}`);
  if (!link?.canonicalId) throw new Error('set-up linked nothing');
  return link.canonicalId;
}

describe('two hosts applying to one record at once (PostgreSQL)', () => {
  it(`loses no update when each host changes a different field of the same client (${ROUNDS} rounds)`, async () => {
    for (let n = 1; n <= ROUNDS; n++) {
      const id = await linkedClient(n);
      // Host A: the ATS renames the client; host B: payroll changes the billing frequency it owns.
      await Promise.all([
        engineA.apply({ system: 'ats', entity: 'client', records: [rec(`c${n}`, clientValues({ name: `Harbor Freight Lines ${n}`, billingFrequency: 'weekly' }), { at: at(3) })] }),
        engineB.apply({ system: 'payroll', entity: 'client', records: [rec(`p${n}`, {
          name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'biweekly', city: 'Dayton',
        }, { at: at(3) })] }),
      ]);
      const row = await hostA.repos.canonical.get('client', id);
      expect(row?.fields, `round ${n}`).toMatchObject({ name: `Harbor Freight Lines ${n}`, billingFrequency: 'biweekly' });
      // Created (1) + payroll match (no change to canonical fields) + two changes: each change bumped it.
      const applied = (await hostA.repos.ledger.query({ limit: 1000 })).filter((e) => e.canonicalId === id && e.outcome === 'applied' && e.action === 'update');
      expect(applied.length, `round ${n}: one applied update per host`).toBeGreaterThanOrEqual(2);
    }
  }, 120_000);

  it(`records a conflict once when both hosts take the same conflicting delivery at the same moment (${ROUNDS} rounds)`, async () => {
    for (let n = 101; n <= 100 + ROUNDS; n++) {
      const id = await linkedClient(n);
      // The ATS sends biweekly for a field payroll owns (monthly): a conflict. Both hosts got the delivery.
      const delivery = () => ({ system: 'ats', entity: 'client' as const, records: [rec(`c${n}`, clientValues({ billingFrequency: 'biweekly' }), { at: at(4) })] });
      await Promise.all([engineA.apply(delivery()), engineB.apply(delivery())]);
      const open = await hostA.repos.conflicts.openFor('client', id);
      expect(open.map((c) => [c.field, c.incoming]), `round ${n}`).toEqual([['billingFrequency', 'biweekly']]);
      const conflictRows = (await hostA.repos.ledger.query({ limit: 10_000 })).filter((e) => e.canonicalId === id && e.outcome === 'conflict');
      expect(conflictRows, `round ${n}: one conflict row in the ledger`).toHaveLength(1);
      expect((await hostA.repos.canonical.get('client', id))?.fields['billingFrequency']).toBe('monthly');
    }
  }, 120_000);
});
