import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDataset } from '../../../fixtures/dataset/index.ts';
import { applyLocalChange } from '../../../src/engine/index.ts';
import { nowIso } from '../../../src/lib/time.ts';
import type { LedgerEntry } from '../../../src/store/index.ts';
import { canonicalCount, canonicalIdOf, duplicateLinks, FEEDS, ledgerCreates, linkCount, startHub, type HubHarness } from './hub-support.ts';

/**
 * The hub syncing Bullhorn end to end: emulator over HTTP → connector → mappings → merge engine →
 * SQLite, driven by `sync.pull` and `sync.push` jobs on the inline queue. The cases run in order
 * on one hub: each builds on the state the previous one left.
 */

let h: HubHarness;
beforeAll(async () => {
  h = await startHub();
});
afterAll(async () => {
  await h.close();
});

/** A record's ledger rows, newest first. */
const ledgerFor = async (entity: LedgerEntry['entity'], canonicalId: string): Promise<LedgerEntry[]> =>
  (await h.store.repos.ledger.query({ entity, canonicalId, limit: 100 })).reverse();

describe('bullhorn sync through the hub', () => {
  it('a first sync brings every seeded record in, one run per entity, each succeeded', async () => {
    const runs = await h.sync();
    expect(runs.map((r) => [r.entity, r.status]).sort()).toEqual(FEEDS.map((f) => [f.vendor, 'succeeded']).sort());
    const counts = countDataset(h.dataset);
    for (const feed of FEEDS) {
      expect(canonicalCount(h.store, feed.entity), feed.entity).toBe(counts[feed.count]);
      expect(linkCount(h.store, feed.entity), `${feed.entity} links`).toBe(counts[feed.count]);
      expect(h.control.count(feed.vendor as Parameters<typeof h.control.count>[0], { includeDeleted: true })).toBe(counts[feed.count]);
    }
    expect(duplicateLinks(h.store)).toEqual({ byExternal: 0, byCanonical: 0 });
    expect(ledgerCreates(h.store)).toBe(FEEDS.reduce((n, f) => n + counts[f.count], 0));
    const held = h.store.db.prepare(`SELECT count(*) FROM links WHERE state <> 'linked'`).pluck().get();
    expect(held).toBe(0);
  });

  it('a second, full sync reads everything again and changes nothing', async () => {
    const ledgerBefore = await h.store.repos.ledger.count();
    const runs = await h.sync({ full: true });
    expect(runs).toHaveLength(FEEDS.length);
    const counts = countDataset(h.dataset);
    for (const run of runs) {
      const feed = FEEDS.find((f) => f.vendor === run.entity);
      expect(run.status).toBe('succeeded');
      expect(run.counts['pulled'], run.entity ?? '').toBe(feed === undefined ? -1 : counts[feed.count]);
      expect(run.counts['created'] ?? 0).toBe(0);
      expect(run.counts['updated'] ?? 0).toBe(0);
    }
    expect(await h.store.repos.ledger.count()).toBe(ledgerBefore);
  });

  it('an edit in Bullhorn arrives with the next incremental sync, with its ledger diff', async () => {
    const candidate = h.dataset.candidates.find((c) => c.status !== 'inactive' && c.phone !== '(216) 555-0188');
    const id = h.control.idFor(candidate?.key ?? '', 'Candidate');
    h.control.edit('Candidate', id, { phone: '(216) 555-0188', status: 'Inactive' });
    const runs = await h.sync();
    expect(runs.find((r) => r.entity === 'Candidate')?.counts['updated']).toBe(1);
    const canonicalId = canonicalIdOf(h.store, 'candidate', id);
    expect((await h.store.repos.canonical.get('candidate', canonicalId))?.fields).toMatchObject({ phone: '(216) 555-0188', status: 'inactive' });
    const [latest] = await ledgerFor('candidate', canonicalId);
    expect(latest).toMatchObject({ direction: 'in', system: 'bullhorn', action: 'update', outcome: 'applied', externalId: String(id) });
    expect(latest?.diff).toEqual(expect.arrayContaining([
      { field: 'phone', from: candidate?.phone, to: '(216) 555-0188', result: 'applied' },
      { field: 'status', from: candidate?.status, to: 'inactive', result: 'applied' },
    ]));
  });

  it('Bullhorn changing a portal-owned field the portal also changed opens a conflict; alone, it is refused', async () => {
    const [first, second] = h.dataset.contacts;
    const conflicted = h.control.idFor(first?.key ?? '', 'ClientContact');
    const refused = h.control.idFor(second?.key ?? '', 'ClientContact');
    const conflictedId = canonicalIdOf(h.store, 'contact', conflicted);
    const refusedId = canonicalIdOf(h.store, 'contact', refused);
    const refusedPhone = h.control.get('ClientContact', refused)?.['phone'];
    await h.store.unitOfWork((tx) =>
      applyLocalChange(tx, h.hub.registry(), { entity: 'contact', canonicalId: conflictedId, changes: { email: 'portal.choice@client.example' }, actor: 'portal:ops-1' }, nowIso()),
    );
    h.control.edit('ClientContact', conflicted, { email: 'bullhorn.choice@client.example' });
    h.control.edit('ClientContact', refused, { phone: '(216) 555-0177' });
    // Contacts alone, so the pull reads Bullhorn's edits before the portal's pending push can land.
    await h.sync({ only: 'ClientContact' });

    const conflicts = await h.store.repos.conflicts.list({ status: 'open', entity: 'contact', limit: 10 });
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ canonicalId: conflictedId, system: 'bullhorn', field: 'email', current: 'portal.choice@client.example', incoming: 'bullhorn.choice@client.example' });
    expect((await h.store.repos.canonical.get('contact', conflictedId))?.fields['email']).toBe('portal.choice@client.example');

    expect((await h.store.repos.canonical.get('contact', refusedId))?.fields['phone']).toBe(refusedPhone);
    const refusal = (await ledgerFor('contact', refusedId)).find((e) => e.direction === 'in');
    expect(refusal).toMatchObject({ outcome: 'rejected', externalId: String(refused) });
    // The owner's value goes back to Bullhorn.
    expect((await h.store.repos.outbox.list({ system: 'bullhorn', entity: 'contact', canonicalId: refusedId, limit: 10 })).length).toBe(1);
    await h.pushPending();
    expect(await h.store.repos.outbox.list({ system: 'bullhorn', entity: 'contact', canonicalId: refusedId, status: 'done', limit: 10 })).toHaveLength(1);
    expect(h.control.get('ClientContact', refused)?.['phone']).toBe(refusedPhone);
  });

  it("a portal approver change is pushed to Bullhorn's Placement.approvingClientContact", async () => {
    const assignment = h.dataset.assignments[7];
    const placement = h.control.idFor(assignment?.key ?? '', 'Placement');
    const assignmentId = canonicalIdOf(h.store, 'assignment', placement);
    const newApprover = h.dataset.contacts.find((c) => c.key !== assignment?.approverContactId);
    const contactBullhornId = h.control.idFor(newApprover?.key ?? '', 'ClientContact');
    const contactId = canonicalIdOf(h.store, 'contact', contactBullhornId);

    const result = await h.store.unitOfWork((tx) =>
      applyLocalChange(tx, h.hub.registry(), { entity: 'assignment', canonicalId: assignmentId, changes: { approverContactId: contactId }, actor: 'portal:ops-1' }, nowIso()),
    );
    expect(result.outboxIds).toHaveLength(1);
    const outboxId = result.outboxIds[0] ?? '';
    expect(await h.store.repos.outbox.get(outboxId)).toMatchObject({ system: 'bullhorn', entity: 'assignment', fields: ['approverContactId'] });

    await h.hub.queue().enqueue('sync.push', { system: 'bullhorn', outboxId }, { jobId: `push:${outboxId}` });
    await h.hub.queue().drain({ timeoutMs: 60_000 });
    expect(await h.store.repos.outbox.get(outboxId)).toMatchObject({ status: 'done' });
    expect(h.control.get('Placement', placement)?.['approvingClientContact']).toEqual({ id: contactBullhornId });
    const [pushed] = (await ledgerFor('assignment', assignmentId)).filter((e) => e.direction === 'out');
    expect(pushed).toMatchObject({ system: 'bullhorn', action: 'push', outcome: 'applied', externalId: String(placement) });

    // Bullhorn now holds the portal's value: the next sync agrees and changes nothing.
    const runs = await h.sync();
    expect(runs.find((r) => r.entity === 'Placement')?.counts['updated'] ?? 0).toBe(0);
    expect((await h.store.repos.canonical.get('assignment', assignmentId))?.fields['approverContactId']).toBe(contactId);
  });
});
