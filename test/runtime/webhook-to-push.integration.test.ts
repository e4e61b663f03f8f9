import { sqliteOf } from '../support/temp-store.ts';
/**
 * Issue 4, end to end on BullMQ (the shared Redis, a prefix of this file's own): both emulators,
 * `crosswalk serve`'s half in this process and `crosswalk worker` as a child process on the same
 * config, SQLite file and prefix. Nothing runs a job in this process: every effect below went
 * webhook → inbox → BullMQ → worker → canonical/ledger → outbox → BullMQ → worker → vendor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGusto } from '../../connectors/kit/index.ts';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from '../queue/support.ts';
import { tempDir } from '../support/temp-store.ts';
import { approvableEntries, importBillingFiles, linkedEmployees, rows, timeSheetsTagged } from './support/records.ts';
import { bootWorld, waitUntil, type World } from './support/world.ts';

const PREFIX = uniquePrefix('e2e');
const dataset = sampleDataset();
let world: World;
let files: { dir: string; dispose(): void };
let verificationToken: string;

beforeAll(async () => {
  files = tempDir();
  ({ world, verificationToken } = await bootWorld({ dataset, redisUrl: SHARED_REDIS_URL, prefix: PREFIX }));
}, 90_000);

afterAll(async () => {
  await world?.close();
  files?.dispose();
  await deletePrefix(SHARED_REDIS_URL, PREFIX);
});

const postWebhook = (body: Buffer, headers: Record<string, string>): Promise<number> =>
  fetch(`${world.server.url}/webhooks/gusto`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);

describe('a Gusto edit, end to end on BullMQ', () => {
  it('signed webhook → inbox → webhook.process on BullMQ → refused in the ledger → outbox → sync.push → Gusto has Bullhorn\'s value again; four deliveries, one effect', async () => {
    const store = sqliteOf(world.hub.store());
    const since = nowIso();
    const [employee] = await linkedEmployees(world, 1);
    if (!employee) throw new Error('no employee');

    // Gusto delivers the event twice (its duplicate fault), then the same bytes arrive twice more at once.
    const before = world.gusto.control.events().length;
    world.gusto.control.faults.set({ webhooks: { duplicateRate: 1 } });
    world.gusto.control.editEmployee(employee.uuid, { first_name: 'Roz' });
    world.gusto.control.faults.set({ webhooks: { duplicateRate: 0 } });
    await world.gusto.control.webhooksIdle(10_000);
    // The edit's event (the first one after it: our push back makes another later).
    const event = world.gusto.control.events().slice(before).find((e) => e.entity_uuid === employee.uuid);
    expect(event).toBeDefined();
    const body = Buffer.from(JSON.stringify(event));
    const signature = signGusto(body, verificationToken);
    const postedAt = Date.now();
    expect(await Promise.all([postWebhook(body, signature), postWebhook(body, signature)])).toEqual([200, 200]);
    const delivered = world.gusto.control.webhookDeliveries().filter((d) => d.eventUuid === event?.uuid && d.outcome === 'delivered');
    expect(delivered.map((d) => d.status).sort()).toEqual([200, 202]);

    // One inbox row, processed by a BullMQ job of the worker process.
    const inboxOf = () => rows<{ id: string; status: string }>(store, 'SELECT id, status FROM inbox WHERE system = ? AND event_id = ?', 'gusto', event?.uuid);
    await waitUntil('the inbox row to be processed', () => inboxOf()[0]?.status === 'done', 30_000, () => world.worker?.output() ?? '');
    const inbox = inboxOf();
    expect(inbox).toHaveLength(1);
    expect(await world.jobState('gusto', `inbox:${inbox[0]?.id}`)).toBe('completed');

    // Bullhorn's value goes back to Gusto: the worker queues the push when the refusal commits
    // (the relays' 5-second sweeps are only the safety net).
    await waitUntil('Gusto to have the first name back', () => world.gusto.control.getEmployee(employee.uuid)?.['first_name'] === employee.firstName, 30_000, () => world.worker?.output() ?? '');
    process.stdout.write(`freshness: webhook received → refused → Gusto has the value back in ${Date.now() - postedAt} ms (relay sweeps every 5,000 ms)\n`);
    await world.settle();

    const ledger = rows<{ direction: string; action: string; outcome: string; reason: string | null; diff: string | null }>(
      store, 'SELECT direction, action, outcome, reason, diff FROM ledger WHERE system = ? AND canonical_id = ? AND at >= ? ORDER BY seq', 'gusto', employee.canonicalId, since,
    );
    const refused = ledger.filter((l) => l.direction === 'in' && l.outcome === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatch(/firstName is owned by bullhorn/);
    const pushed = ledger.filter((l) => l.direction === 'out');
    expect(pushed.map((l) => [l.action, l.outcome])).toEqual([['push', 'applied']]);
    expect(JSON.parse(pushed[0]?.diff ?? '[]')).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'firstName', to: employee.firstName })]));
    // Nothing else about this record was written in either direction (the echo of our own push is unchanged).
    expect(ledger).toHaveLength(2);
    const outbox = rows<{ id: string; status: string; attempts: number }>(store, 'SELECT id, status, attempts FROM outbox WHERE system = ? AND canonical_id = ? AND created_at >= ?', 'gusto', employee.canonicalId, since);
    expect(outbox.map((o) => [o.status, o.attempts])).toEqual([['done', 1]]);
    expect(await world.jobState('gusto', `outbox:${outbox[0]?.id}:0`)).toBe('completed');
    // The canonical record kept Bullhorn's value throughout.
    expect((await store.repos.canonical.get('candidate', employee.canonicalId))?.fields['firstName']).toBe(employee.firstName);
  });
});

describe('a worksite approval, end to end on BullMQ', () => {
  it('POST /approve by the approver (clicked twice at once) → outbox → sync.push on BullMQ → one Gusto time sheet → exported', async () => {
    const store = sqliteOf(world.hub.store());
    await importBillingFiles(world, dataset, files.dir);
    await world.pushDue();
    await world.settle();
    const since = nowIso();
    const [entry] = await approvableEntries(store, 1);
    if (!entry) throw new Error('no entry');
    const { entryId, approverId, hours } = entry;

    // The approver's own key: the approval acts as the authenticated contact (no body names it).
    const approverKey = await world.contactKey(approverId);
    const approve = () => world.api('POST', `/api/v1/time-entries/${entryId}/approve`, { comment: 'approved by the runtime test' }, approverKey);
    const [a, b] = await Promise.all([approve(), approve()]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);

    await waitUntil('the entry to be exported', async () => (await store.repos.canonical.get('time_entry', entryId))?.fields['status'] === 'exported', 30_000, () => world.worker?.output() ?? '');
    await world.settle();

    const outbox = rows<{ id: string; status: string; attempts: number; idempotency_key: string }>(
      store, 'SELECT id, status, attempts, idempotency_key FROM outbox WHERE entity = ? AND canonical_id = ?', 'time_entry', entryId,
    );
    expect(outbox.map((o) => [o.status, o.attempts])).toEqual([['done', 1]]);
    expect(await world.jobState('gusto', `outbox:${outbox[0]?.id}:0`)).toBe('completed');
    const out = rows<{ action: string; outcome: string; external_id: string }>(store, 'SELECT action, outcome, external_id FROM ledger WHERE direction = ? AND entity = ? AND canonical_id = ? AND at >= ?', 'out', 'time_entry', entryId, since);
    expect(out.map((o) => [o.action, o.outcome])).toEqual([['create', 'applied']]);
    // One sheet in Gusto: tagged with the push's key, on the assignment's job and the work date, with the hours approved.
    const sheet = world.gusto.control.getTimeSheet(out[0]?.external_id ?? '');
    expect(sheet?.['metadata']).toEqual({ portal_time_entry_id: outbox[0]?.idempotency_key });
    expect(timeSheetsTagged(world, outbox[0]?.idempotency_key ?? '')).toHaveLength(1);
    const sameShift = world.gusto.control.timeSheets().filter((s) => s['job_uuid'] === sheet?.['job_uuid'] && s['shift_started_at'] === sheet?.['shift_started_at']);
    expect(sameShift).toHaveLength(1);
    const entries = (sheet?.['entries'] ?? []) as Array<{ hours_worked: number }>;
    expect(entries.reduce((n, e) => n + e.hours_worked, 0)).toBeCloseTo(hours, 5);
    expect((await store.repos.links.forCanonical('gusto', 'time_entry', entryId))?.externalId).toBe(sheet?.['uuid']);
    // The approval history: submitted → approved by the contact → exported by the push.
    const history = rows<{ to_status: string; actor: string }>(store, 'SELECT to_status, actor FROM time_entry_events WHERE time_entry_id = ? ORDER BY at', entryId);
    expect(history.slice(-2).map((h) => h.to_status)).toEqual(['approved', 'exported']);
    expect(history.at(-2)?.actor).toBe(`contact:${approverId}`);
  });
});
