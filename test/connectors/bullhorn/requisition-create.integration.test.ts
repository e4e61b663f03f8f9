import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLocalChange, RefusedError } from '../../../src/engine/index.ts';
import { nowIso } from '../../../src/lib/time.ts';
import { canonicalIdOf, startHub, type HubHarness } from './hub-support.ts';

/**
 * Opening a requisition in the portal with the shipped mappings (mappings/bullhorn/requisition.yaml,
 * every field owned by Bullhorn, `push.create: always`): the engine takes the create as the route
 * does, and the outbox creates the JobOrder in Bullhorn and links it. Later portal edits of the
 * Bullhorn-owned fields are still refused.
 */

let h: HubHarness;
beforeAll(async () => {
  h = await startHub();
  await h.sync();
}, 120_000);
afterAll(async () => h.close());

interface Parties {
  readonly clientId: string;
  readonly worksiteId: string;
  readonly requestedById: string;
}

/** A client, one of its worksites and one of its contacts, as a synced JobOrder ties them. */
function parties(): Parties {
  const row = h.store.db
    .prepare('SELECT client_id AS clientId, worksite_id AS worksiteId, requested_by_id AS requestedById FROM requisitions WHERE worksite_id IS NOT NULL AND requested_by_id IS NOT NULL LIMIT 1')
    .get() as Parties | undefined;
  if (!row) throw new Error('the sample dataset synced no requisition with a worksite and a requester');
  return row;
}

/** What `POST /api/v1/requisitions` hands the engine. */
function open(p: Parties, title: string) {
  return h.store.unitOfWork((tx) =>
    applyLocalChange(
      tx,
      h.hub.registry(),
      {
        entity: 'requisition',
        changes: {
          clientId: p.clientId, worksiteId: p.worksiteId, requestedById: p.requestedById, title, status: 'open',
          employmentType: 'contract', openings: 3, startDate: '2026-09-01', endDate: null, payRateCents: null, billRateCents: 4250,
        },
        actor: `contact:${p.requestedById}`,
      },
      nowIso(),
    ),
  );
}

describe('a requisition opened in the portal', () => {
  it('is created locally with one outbox create, and reaches Bullhorn as a JobOrder, linked, with its client, contact and location', async () => {
    const p = parties();
    const before = h.control.count('JobOrder');
    const { canonicalId, changed } = await open(p, 'Cold Storage Picker');
    expect(changed).toContain('title');
    const pending = await h.store.repos.outbox.list({ system: 'bullhorn', canonicalId, limit: 10 });
    expect(pending.map((r) => [r.entity, r.op, r.status])).toEqual([['requisition', 'create', 'pending']]);
    await h.pushPending();

    expect(h.control.count('JobOrder')).toBe(before + 1);
    const link = await h.store.repos.links.forCanonical('bullhorn', 'requisition', canonicalId);
    expect(link).toMatchObject({ state: 'linked', canonicalId });
    const job = h.control.get('JobOrder', Number(link?.externalId));
    expect(job).toMatchObject({
      title: 'Cold Storage Picker', status: 'Accepting Candidates', employmentType: 'Contract', numOpenings: 3, clientBillRate: 42.5,
      clientCorporation: { id: Number((await h.store.repos.links.forCanonical('bullhorn', 'client', p.clientId))?.externalId) },
      clientContact: { id: Number((await h.store.repos.links.forCanonical('bullhorn', 'contact', p.requestedById))?.externalId) },
      location: { id: Number((await h.store.repos.links.forCanonical('bullhorn', 'worksite', p.worksiteId))?.externalId) },
    });
    const outbox = await h.store.repos.outbox.list({ system: 'bullhorn', canonicalId, limit: 10 });
    expect(outbox.map((r) => r.status)).toEqual(['done']);
    const ledger = await h.store.repos.ledger.query({ canonicalId, limit: 10 });
    expect(ledger.map((e) => [e.direction, e.action, e.outcome]).sort()).toEqual([['local', 'create', 'applied'], ['out', 'create', 'applied']]);
    expect(canonicalIdOf(h.store, 'requisition', Number(link?.externalId))).toBe(canonicalId);
  });

  it('is not created twice when the next sync reads the JobOrder back', async () => {
    const p = parties();
    const { canonicalId } = await open(p, 'Dock Lead');
    await h.pushPending();
    const count = h.store.db.prepare('SELECT count(*) FROM requisitions').pluck().get() as number;
    await h.sync({ only: 'JobOrder' });
    expect(h.store.db.prepare('SELECT count(*) FROM requisitions').pluck().get()).toBe(count);
    expect((await h.store.repos.canonical.get('requisition', canonicalId))?.fields['title']).toBe('Dock Lead');
  });

  it('still refuses a later portal edit of a Bullhorn-owned field', async () => {
    const { canonicalId } = await open(parties(), 'Yard Spotter');
    const err = await h.store
      .unitOfWork((tx) => applyLocalChange(tx, h.hub.registry(), { entity: 'requisition', canonicalId, changes: { title: 'Yard Jockey' }, actor: 'contact:x' }, nowIso()))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(err).toMatchObject({ code: 'refused', message: 'requisition.title is owned by bullhorn; change it there' });
  });
});
