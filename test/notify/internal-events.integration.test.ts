import { afterEach, describe, expect, it } from 'vitest';
import { applyLocalChange } from '../../src/engine/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import { createSubscription, fanOutAll } from '../../src/notify/index.ts';
import { standardPolicy } from '../support/hub.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { appendEvents } from './support.ts';

/*
 * An event about something internal (an internal document or comment) never reaches a contact —
 * not even one the producer names or a client admin's rule adds — nor a client's own feed; ops and
 * hub-wide subscriptions still hear of it. The client-visible twin reaches all of them.
 */

const temps: TempStore[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.dispose();
});

describe('internal events in the fan-out', () => {
  it('deliver to no contact and no client-scoped subscription; the client-visible twin does', async () => {
    const t = openTempStore();
    temps.push(t);
    const { store } = t;
    const policy = standardPolicy();
    const make = (entity: 'client' | 'contact', changes: Record<string, string | null>) =>
      store.unitOfWork(async (tx) => (await applyLocalChange(tx, policy, { entity, changes, actor: 'seed', overrideOwnership: true }, nowIso())).canonicalId);
    const clientId = await make('client', { name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: null, addressLine1: null, city: null, state: null, postalCode: null });
    const contactId = await make('contact', { clientId, firstName: 'Mira', lastName: 'Okafor', email: 'mira@harbor.example.test', phone: null, title: null, status: 'active' });
    await store.unitOfWork(async (tx) => {
      // A client admin's rule asking for every document and comment of the client.
      for (const eventType of ['document.added', 'comment.added']) {
        await tx.notifications.setRule({ id: `r-${eventType}`, scope: clientId, role: 'addressee', eventType, enabled: true, updatedAt: nowIso(), updatedBy: `contact:${contactId}` });
      }
      await createSubscription(tx, { url: 'https://erp.harbor.example.test/hooks', eventTypes: ['*'], clientId, description: 'client feed' }, 'user:ops', nowIso());
      await createSubscription(tx, { url: 'https://portal.example.test/hooks', eventTypes: ['*'], clientId: null, description: 'portal back end' }, 'user:ops', nowIso());
    });
    const event = (canonicalId: string, visibility: 'internal' | 'client') => ({
      type: 'document.added' as const, entity: 'document', canonicalId, clientId, worksiteId: null, actor: 'user:ops', recipients: [contactId],
      data: { title: `${visibility} memo`, visibility }, at: '2026-03-02T09:00:00.000Z',
    });
    await appendEvents(store, [event('doc-internal', 'internal'), event('doc-client', 'client'), { ...event('c-1', 'internal'), type: 'comment.added' }]);
    await fanOutAll(store);

    const targets = (canonicalId: string) => store.db.prepare('SELECT channel, target FROM notification_deliveries WHERE canonical_id = ? ORDER BY channel, target').all(canonicalId) as Array<{ channel: string; target: string }>;
    const internal = targets('doc-internal');
    expect(internal.filter((d) => d.target.startsWith('contact:'))).toEqual([]);
    expect(internal.filter((d) => d.channel === 'webhook')).toHaveLength(1); // the hub-wide one only
    expect(targets('c-1').filter((d) => d.target.startsWith('contact:'))).toEqual([]);
    const visible = targets('doc-client');
    expect(visible).toContainEqual({ channel: 'email', target: `contact:${contactId}` });
    expect(visible.filter((d) => d.channel === 'webhook')).toHaveLength(2);
  });
});
