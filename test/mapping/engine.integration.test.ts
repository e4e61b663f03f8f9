import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { load } from './helpers.ts';
import type { IncomingRecord } from '../../src/engine/index.ts';
import type { CompiledMapping } from '../../src/mapping/index.ts';

/**
 * The registry as the engine's SyncPolicy on a real SQLite store: ownership from the files, identity
 * through another system's id, fan-out to the system that carries a field out.
 */
const FILES = {
  'bullhorn/candidate.yaml': `vendor: bullhorn
entity: Candidate
canonical: candidate
key: id
modifiedAt: { from: dateLastModified, transform: { date: { format: epoch-ms } } }
fields:
  - { target: firstName, from: firstName, owner: bullhorn }
  - { target: lastName, from: lastName, owner: bullhorn }
  - { target: email, from: email, owner: shared }
  - { target: phone, from: mobile }
  - target: status
    from: status
    transform: { enum: { map: { Active: active, Placed: placed }, default: inactive } }
    owner: bullhorn
`,
  'gusto/employee.yaml': `vendor: gusto
entity: employees
canonical: candidate
key: uuid
match:
  links: [{ system: bullhorn, from: 'custom_fields[name=Bullhorn ID].value' }]
fields:
  - { target: firstName, from: first_name, direction: both }
  - { target: phone, from: phone, direction: both }
`,
};

let temp: TempStore | null = null;
afterEach(() => {
  temp?.dispose();
  temp = null;
});

function records(m: CompiledMapping | undefined, raws: readonly unknown[]): IncomingRecord[] {
  if (!m) throw new Error('mapping not loaded');
  return raws.map((raw) => {
    const r = m.toIncoming(raw);
    if (!r.ok) throw new Error(r.error);
    return r.record;
  });
}

describe('mappings driving the merge engine', () => {
  it('creates, matches by link, answers a stale system and fans out', async () => {
    const { registry, errors } = load(FILES);
    expect(errors).toEqual([]);
    temp = openTempStore();
    const db = temp.store.db;
    const engine = new Engine(temp.store, { policy: registry, now: () => '2026-11-25T12:00:00.000Z' });
    const bullhorn = registry.get('bullhorn', 'candidate');
    const marisol = { id: 48213, firstName: 'Marisol', lastName: 'Quintero-Hale', email: 'mq@example.com', mobile: '614-555-0147', status: 'Active', dateLastModified: 1751300000000 };

    const created = await engine.apply({
      system: 'bullhorn',
      entity: 'candidate',
      records: records(bullhorn, [marisol, { id: 48214, firstName: 'Tomas', lastName: 'Lindqvist', email: null, mobile: null, status: 'Weird', dateLastModified: 1751300000000 }]),
    });
    expect(created).toMatchObject({ created: 2, rejected: 0 });
    expect(db.prepare('SELECT first_name AS firstName, status FROM candidates ORDER BY first_name').all()).toEqual([
      { firstName: 'Marisol', status: 'active' },
      { firstName: 'Tomas', status: 'inactive' },
    ]);

    // Gusto's employee carries the Bullhorn id: the same person, not a third candidate. At first
    // contact Gusto owns nothing here, so its differing values are answered, not applied.
    const matched = await engine.apply({
      system: 'gusto',
      entity: 'candidate',
      records: records(registry.get('gusto', 'candidate'), [
        { uuid: 'g-1', first_name: 'Mari', phone: '614-555-0199', custom_fields: [{ name: 'Bullhorn ID', value: '48213' }] },
      ]),
    });
    expect(matched).toMatchObject({ created: 0, unchanged: 0, linked: 1 });
    const ids = db.prepare("SELECT system, canonical_id AS id FROM links WHERE external_id IN ('48213', 'g-1') ORDER BY system").all() as Array<{ id: string }>;
    expect(ids).toHaveLength(2);
    expect(ids[0]?.id).toBe(ids[1]?.id);
    expect(db.prepare('SELECT count(*) FROM candidates').pluck().get()).toBe(2);
    const toGusto = () => db.prepare("SELECT op, fields, reason FROM outbox WHERE system = 'gusto' AND status = 'pending'").all() as Array<{ op: string; fields: string; reason: string }>;
    expect(toGusto().map((o) => [o.op, JSON.parse(o.fields) as unknown, o.reason])).toEqual([['update', ['firstName', 'phone'], 'gusto is behind on firstName, phone']]);

    // Bullhorn owns firstName: its change applies and goes out to Gusto, which carries it out (the
    // pending row for the record absorbs it).
    const renamed = await engine.apply({ system: 'bullhorn', entity: 'candidate', records: records(bullhorn, [{ ...marisol, firstName: 'Marisela', dateLastModified: 1751400000000 }]) });
    expect(renamed).toMatchObject({ updated: 1 });
    expect(toGusto().map((o) => o.reason)).toEqual(['gusto is behind on firstName, phone; bullhorn changed firstName']);
  });

  it('rejects a record the mapping marked invalid, and applies the rest of the batch', async () => {
    const { registry } = load(FILES);
    temp = openTempStore();
    const engine = new Engine(temp.store, { policy: registry });
    const summary = await engine.apply({
      system: 'bullhorn',
      entity: 'candidate',
      records: records(registry.get('bullhorn', 'candidate'), [
        { id: 1, firstName: 'Ana', lastName: 'Ruiz', email: null, mobile: null, status: 'Active', dateLastModified: 'last week' },
        { id: 2, firstName: 'Bo', lastName: 'Lind', email: null, mobile: null, status: 'Active', dateLastModified: 1751300000000 },
      ]),
    });
    expect(summary).toMatchObject({ created: 1, rejected: 1 });
    const reason = temp.store.db.prepare("SELECT reason FROM ledger WHERE outcome = 'rejected'").pluck().get();
    expect(reason).toBe('modifiedAt (from dateLastModified): "last week" is not epoch milliseconds');
  });
});
