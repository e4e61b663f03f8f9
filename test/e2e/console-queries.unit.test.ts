import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnything, linkSystems } from '../../src/http/console/queries/search.ts';
import { exceptionSources } from '../../src/http/console/queries/exceptions.ts';
import { contactView, provenance } from '../../src/http/console/queries/record.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { seedConsoleWorld, type ConsoleWorld } from './support/console.ts';
import { CONTACT_EMAIL, PLACEMENT_ID, seedScreens, type ScreensWorld } from './support/console-screens.ts';

let t: TempStore;
let w: ConsoleWorld;
let s: ScreensWorld;
beforeAll(async () => {
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  s = await seedScreens(t.store, w);
});
afterAll(() => t.dispose());

describe('the console query functions', () => {
  it('lists the systems holding links by skipping along the key', async () => {
    expect(await linkSystems(t.store)).toEqual(['ats', 'bullhorn', 'payroll']);
  });

  it('finds by external id (a Bullhorn placement lands on its assignment), canonical id, run id, e-mail and name prefix', async () => {
    expect((await findAnything(t.store, PLACEMENT_ID)).map((h) => h.href)).toEqual([`/console/records/assignment/${w.assignmentId}`]);
    expect((await findAnything(t.store, w.clientId)).map((h) => h.href)).toEqual([`/console/records/client/${w.clientId}`]);
    expect((await findAnything(t.store, w.reconcileRunId)).map((h) => h.href)).toEqual([`/console/runs/${w.reconcileRunId}`]);
    expect((await findAnything(t.store, CONTACT_EMAIL.toUpperCase())).map((h) => h.href)).toEqual([`/console/records/contact/${s.contactId}`]);
    expect((await findAnything(t.store, 'Twin')).map((h) => h.label).sort()).toEqual(['Twin One', 'Twin Two']);
    expect((await findAnything(t.store, 'evt-broken-1')).map((h) => h.kind)).toEqual(['inbox delivery']);
    // LIKE wildcards typed by the user match themselves only.
    expect(await findAnything(t.store, '%_')).toEqual([]);
    expect(await findAnything(t.store, '   ')).toEqual([]);
  });

  it('derives each field\'s provenance from the ledger: the system, or the person who decided', async () => {
    const origin = await provenance(t.store, 'client', w.clientId);
    expect(origin.get('phone')).toMatchObject({ by: 'payroll', value: '555-0200' });
    expect(origin.get('name')).toMatchObject({ by: 'ats' });
    const rate = await provenance(t.store, 'assignment_rate', w.rateId);
    expect(rate.get('payRateCents')).toMatchObject({ by: 'ops:seed', value: 2500 });
  });

  it('shows a contact no pay rate, and bill rates only with a billing role', () => {
    const view = contactView('assignment_rate');
    expect(view.plain.has('payRateCents')).toBe(false);
    expect(view.plain.has('billRateCents')).toBe(false);
    expect(view.billing.has('billRateCents')).toBe(true);
  });

  it('lists every exception kind with a count and a cursor', async () => {
    const kinds = exceptionSources.map((x) => x.kind);
    expect(kinds).toEqual(['time_exceptions', 'identity_review', 'held_records', 'parked_records', 'rejected_records', 'rejected_rows']);
    const identity = exceptionSources.find((x) => x.kind === 'identity_review');
    if (!identity) throw new Error('no source');
    expect(await identity.count(t.store)).toBe(1);
    // Nothing waits on a missing approver or a cutoff in this world.
    expect(await exceptionSources.find((x) => x.kind === 'time_exceptions')?.count(t.store)).toBe(0);
    const held = exceptionSources.find((x) => x.kind === 'held_records');
    const first = await held?.list(t.store, { limit: 1 });
    expect(first?.rows[0]?.what).toBe('assignment a-held');
    expect(first?.rows[0]?.actions.map((a) => a.label)).toEqual(['re-evaluate on next delivery']);
  });
});
