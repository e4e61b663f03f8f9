import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../../src/lib/time.ts';
import { createRequest, moveRequest } from '../../../src/requisitions/lifecycle.ts';
import { startHub, type HubHarness } from './hub-support.ts';

/**
 * A requisition request through its lifecycle with the shipped Bullhorn mappings, against the
 * Bullhorn emulator over real HTTP: submitted (no approval needed) it opens and the outbox creates
 * the JobOrder; put on hold in the portal, the JobOrder's status follows (status is shared).
 */

let h: HubHarness;
beforeAll(async () => {
  h = await startHub();
  await h.sync({ only: 'ClientCorporation' });
  await h.sync({ only: 'Location' });
  await h.sync({ only: 'ClientContact' });
}, 120_000);
afterAll(async () => h.close());

describe('a requisition request from the portal', () => {
  it('reaches Bullhorn as a JobOrder when it opens, and its later status moves follow', async () => {
    const p = h.store.db
      .prepare(
        `SELECT w.client_id AS clientId, w.id AS worksiteId, c.id AS contactId FROM worksites w JOIN contacts c ON c.client_id = w.client_id
         JOIN links l ON l.entity = 'contact' AND l.canonical_id = c.id AND l.state = 'linked' LIMIT 1`,
      )
      .get() as { clientId: string; worksiteId: string; contactId: string };
    const policy = h.hub.registry();
    const before = h.control.count('JobOrder');
    const request = await h.store.unitOfWork((tx) =>
      createRequest(tx, { clientId: p.clientId, worksiteId: p.worksiteId, requestedById: p.contactId, fields: { title: 'Cold Storage Picker', openings: 4, billRateMaxCents: 3650 }, actor: `contact:${p.contactId}`, now: nowIso() }),
    );
    const opened = await h.store.unitOfWork((tx) => moveRequest(tx, policy, { id: request.id, to: 'submitted', actor: `contact:${p.contactId}`, now: nowIso() }));
    expect(opened.status).toBe('open');
    await h.pushPending();
    expect(h.control.count('JobOrder')).toBe(before + 1);
    const link = await h.store.repos.links.forCanonical('bullhorn', 'requisition', opened.requisitionId ?? '');
    expect(link).toMatchObject({ state: 'linked' });
    expect(h.control.get('JobOrder', Number(link?.externalId))).toMatchObject({ title: 'Cold Storage Picker', status: 'Accepting Candidates', numOpenings: 4, clientBillRate: 36.5 });

    await h.store.unitOfWork((tx) => moveRequest(tx, policy, { id: request.id, to: 'on_hold', actor: `contact:${p.contactId}`, now: nowIso() }));
    await h.pushPending();
    expect(h.control.get('JobOrder', Number(link?.externalId))).toMatchObject({ status: 'On Hold' });
  });
});
