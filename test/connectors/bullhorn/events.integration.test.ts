import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../connectors/kit/index.ts';
import { obtainSession, restClient } from '../../../fixtures/bullhorn/testing/client.ts';
import { nowIso } from '../../../src/lib/time.ts';
import { canonicalIdOf, startHub, type HubHarness } from './hub-support.ts';

/**
 * Bullhorn's event subscription through the hub: `events.poll` → inbox (deduplicated on event id)
 * → `webhook.process` (re-reads the records) → merge engine. The cases run in order on one hub.
 */

let h: HubHarness;
beforeAll(async () => {
  h = await startHub();
  await h.sync();
});
afterAll(async () => {
  await h.close();
});

async function poll(): Promise<void> {
  await h.hub.queue().enqueue('events.poll', { system: 'bullhorn' }, { jobId: `events:bullhorn:${nowIso()}:${Math.random()}` });
  await h.hub.queue().drain({ timeoutMs: 60_000 });
}

const inboxRows = () => h.store.db.prepare(`SELECT event_id AS eventId, status FROM inbox ORDER BY received_at`).all() as Array<{ eventId: string; status: string }>;

describe('bullhorn events through the hub', () => {
  it('the first poll makes the subscription; a change then reaches the canonical store', async () => {
    await poll();
    expect(inboxRows()).toEqual([]);
    const placement = h.control.idFor(h.dataset.assignments[3]?.key ?? '', 'Placement');
    h.control.edit('Placement', placement, { status: 'Terminated', dateEnd: Date.parse('2026-12-04T00:00:00Z') });
    await poll();
    expect(inboxRows()).toEqual([{ eventId: expect.stringMatching(/^ID:JBM-/) as string, status: 'done' }]);
    const assignment = await h.store.repos.canonical.get('assignment', canonicalIdOf(h.store, 'assignment', placement));
    expect(assignment?.fields).toMatchObject({ status: 'terminated', endDate: '2026-12-04' });
  });

  it('a soft delete arrives as an update and tombstones the record; a hard-deleted Placement as a delete', async () => {
    const candidate = h.control.idFor(h.dataset.candidates[9]?.key ?? '', 'Candidate');
    const placement = h.control.idFor(h.dataset.assignments[9]?.key ?? '', 'Placement');
    const rest = await fetchAsApi();
    h.control.softDelete('Candidate', candidate);
    expect((await rest('DELETE', `entity/Placement/${placement}`)).status).toBe(200);
    await poll();
    const links = h.store.db.prepare(`SELECT entity, tombstoned_at AS t FROM links WHERE system = 'bullhorn' AND external_id IN (?, ?)`).all(String(candidate), String(placement)) as Array<{ entity: string; t: string | null }>;
    expect(links.map((l) => [l.entity, l.t !== null]).sort()).toEqual([['assignment', true], ['candidate', true]]);
  });

  it('a batch fetched by a poll that died before writing it is read again by its requestId', async () => {
    const candidate = h.control.idFor(h.dataset.candidates[12]?.key ?? '', 'Candidate');
    h.control.edit('Candidate', candidate, { phone: '(330) 555-0123' });
    // A poll takes the batch off Bullhorn's queue, records its requestId, and dies.
    const taken: EventBatch | undefined = await h.hub.connector('bullhorn').pollEvents?.();
    expect(taken?.events.map((e) => e.externalId)).toEqual([String(candidate)]);
    await h.store.unitOfWork((tx) => tx.state.set('bullhorn', 'events.pendingBatch', taken?.batchId ?? '', nowIso()));
    // Bullhorn's queue is empty now: only the re-read can bring the change in.
    await poll();
    const canonicalId = canonicalIdOf(h.store, 'candidate', candidate);
    expect((await h.store.repos.canonical.get('candidate', canonicalId))?.fields['phone']).toBe('(330) 555-0123');
    expect(inboxRows().filter((r) => r.eventId === taken?.events[0]?.eventId)).toEqual([{ eventId: taken?.events[0]?.eventId, status: 'done' }]);
    expect(await h.store.repos.state.get('bullhorn', 'events.pendingBatch')).toBe('');
  });

  it('a batch fetched by a poll that died before saving anything is found through lastRequestId and read again', async () => {
    const lastDone = await h.store.repos.state.get('bullhorn', 'events.lastDoneBatch');
    expect(lastDone).toMatch(/^\d+$/);
    const candidate = h.control.idFor(h.dataset.candidates[14]?.key ?? '', 'Candidate');
    h.control.edit('Candidate', candidate, { phone: '(330) 555-0188' });
    // The poll takes the batch off Bullhorn's queue and dies before the hub saves even its requestId.
    const lost: EventBatch | undefined = await h.hub.connector('bullhorn').pollEvents?.();
    expect(lost?.events.map((e) => e.externalId)).toEqual([String(candidate)]);
    expect(await h.store.repos.state.get('bullhorn', 'events.pendingBatch')).toBe('');
    await poll();
    const canonicalId = canonicalIdOf(h.store, 'candidate', candidate);
    expect((await h.store.repos.canonical.get('candidate', canonicalId))?.fields['phone']).toBe('(330) 555-0188');
    expect(inboxRows().filter((r) => r.eventId === lost?.events[0]?.eventId)).toEqual([{ eventId: lost?.events[0]?.eventId, status: 'done' }]);
    // That batch, or the empty poll after it that found the queue drained.
    expect(Number(await h.store.repos.state.get('bullhorn', 'events.lastDoneBatch'))).toBeGreaterThanOrEqual(Number(lost?.batchId));
    // Caught up: the next poll reads the queue, not that batch again.
    const rows = inboxRows().length;
    await poll();
    expect(inboxRows()).toHaveLength(rows);
  });
});

/** A REST call as the API user (a change made through the API, with its own events). */
async function fetchAsApi(): Promise<(method: 'DELETE', path: string) => Promise<{ status: number }>> {
  const rest = restClient(await obtainSession(h.hub.system('bullhorn').baseUrl, h.control.credentials));
  return (method, path) => rest.send(method, path);
}
