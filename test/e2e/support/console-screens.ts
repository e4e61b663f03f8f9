import { createApiKey } from '../../../src/access/credentials/api-keys.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { newEngine } from '../../support/hub.ts';
import { candidateValues, minute, rec, ref } from '../../support/records.ts';
import { NOW, type ConsoleWorld } from './console.ts';

/** The Bullhorn placement id the find box is given: its link lands on the assignment. */
export const PLACEMENT_ID = '88123';
export const CONTACT_EMAIL = 'pat.quarry@harbor.example.test';
export const TWIN_EMAIL = 'twin.rivers@example.test';

export interface ScreensWorld {
  readonly contactId: string;
  readonly keyId: string;
  readonly reviewId: string;
  readonly failedInboxId: string;
}

/**
 * What the screens beyond the original five need on top of the console world: a Bullhorn placement
 * linked to the assignment, an active client contact (view as), an API key (revoke), an identity
 * review (two candidates share the e-mail a payroll employee carries), a held record (an assignment
 * whose candidate never arrived) and a failed webhook delivery (replay).
 */
export async function seedScreens(store: SqliteStore, w: ConsoleWorld): Promise<ScreensWorld> {
  const engine = newEngine(store, w.policy);
  await engine.apply({ system: 'ats', entity: 'contact', records: [rec('ct1', {
    clientId: ref('ats', 'c1'), firstName: 'Pat', lastName: 'Quarry', email: CONTACT_EMAIL, phone: null, title: 'Plant manager', status: 'active',
  }, { at: minute(20) })] });
  await engine.apply({ system: 'ats', entity: 'candidate', records: [
    rec('t1', candidateValues({ firstName: 'Twin', lastName: 'One', email: TWIN_EMAIL }), { at: minute(21) }),
    rec('t2', candidateValues({ firstName: 'Twin', lastName: 'Two', email: TWIN_EMAIL }), { at: minute(21) }),
  ] });
  await engine.apply({ system: 'payroll', entity: 'candidate', records: [rec('e9', { firstName: 'Twin', lastName: 'One', email: TWIN_EMAIL, status: 'active' }, { at: minute(22) })] });
  await engine.apply({ system: 'ats', entity: 'assignment', records: [rec('a-held', {
    candidateId: ref('ats', 'k-never'), requisitionId: null, worksiteId: null, approverContactId: null, title: 'Night picker', startDate: '2026-03-02', endDate: null, status: 'active',
  }, { at: minute(23) })] });
  const contactId = (await store.repos.links.get('ats', 'contact', 'ct1'))?.canonicalId;
  if (!contactId) throw new Error('set-up created no contact');
  const [review] = await store.repos.identity.list({ status: 'open', limit: 1 });
  if (!review) throw new Error('set-up opened no identity review');
  return store.unitOfWork(async (tx) => {
    const link = await tx.links.get('ats', 'assignment', 'a1');
    if (!link) throw new Error('no assignment link');
    await tx.links.upsertMany([{ ...link, system: 'bullhorn', externalId: PLACEMENT_ID, base: null, sourceHash: null, meta: null }]);
    const key = await createApiKey(tx, { name: 'harbor payroll export', ownerKind: 'user', ownerId: w.opsUserId, role: null, scopes: ['read'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test' }, NOW);
    const { id: failedInboxId } = await tx.inbox.insert({ id: '01900000-0000-7000-8000-0000000000f1', system: 'ats', eventId: 'evt-broken-1', kind: 'webhook', entity: 'candidate', externalId: 'k1', payload: '{"id":"k1"}', receivedAt: NOW });
    await tx.inbox.markProcessed(failedInboxId, 'failed', 'mapping refused: status "??" is not a candidate status', NOW);
    return { contactId, keyId: key.row.id, reviewId: review.id, failedInboxId };
  });
}
