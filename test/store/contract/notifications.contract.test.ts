import { expect, it } from 'vitest';
import type { NewDelivery } from '../../../src/store/repos/notifications-repo.ts';
import type { Store } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { countRows, later, NOW } from './support.ts';

function delivery(over: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: 'd1', dedupeKey: 'e:1:contact:k1', eventSeq: 1, eventType: 'time.submitted', channel: 'email', target: 'contact:k1',
    contactId: 'k1', subscriptionId: null, address: 'k1@example.test', entity: 'time_entry', canonicalId: 'te-1', clientId: 'client-1',
    status: 'queued', localDate: null, ...over,
  };
}

/** Sets a delivery's status and due time directly (the states a sender's attempts would leave). */
async function setState(store: Store, id: string, status: string, nextAt: string, claimedUntil: string | null = null): Promise<void> {
  await store.query.run('UPDATE notification_deliveries SET status = ?, next_at = ?, claimed_until = ? WHERE id = ?', [status, nextAt, claimedUntil, id]);
}

describeEachStore('notifications repository', (current, kind) => {
  it('keeps a cursor per consumer, zero before the first write', async () => {
    const store = current();
    expect(await store.repos.notifications.cursor('fanout')).toBe(0);
    await store.unitOfWork((tx) => tx.notifications.setCursor('fanout', 41, NOW));
    await store.unitOfWork((tx) => tx.notifications.setCursor('fanout', 42, later(1)));
    expect(await store.repos.notifications.cursor('fanout')).toBe(42);
    expect(await store.repos.notifications.cursor('Fanout')).toBe(0);
    await expect(store.repos.notifications.setCursor('fanout', 1, NOW)).rejects.toThrow(/inside store.unitOfWork/);
  });

  it('upserts rules by (scope, role, event type) and lists them for some scopes in order', async () => {
    const store = current();
    const rule = { id: 'r1', scope: '*', role: 'approver', eventType: 'time.submitted', enabled: true, updatedAt: NOW, updatedBy: 'ops:a' };
    await store.unitOfWork(async (tx) => {
      await tx.notifications.setRule(rule);
      await tx.notifications.setRule({ ...rule, id: 'r2', scope: 'client-1', role: 'billing', eventType: 'invoice.issued' });
      await tx.notifications.setRule({ ...rule, id: 'r3', scope: 'client-1', role: 'approver', eventType: 'invoice.issued', enabled: false });
      await tx.notifications.setRule({ ...rule, id: 'r4', scope: 'CLIENT-1' });
    });
    // Same key, new id: the first row is updated and keeps its id.
    await store.unitOfWork((tx) => tx.notifications.setRule({ ...rule, id: 'r9', enabled: false, updatedAt: later(1), updatedBy: 'ops:b' }));
    const rules = await store.repos.notifications.rules(['*', 'client-1']);
    expect(rules.map((r) => r.id)).toEqual(['r1', 'r3', 'r2']);
    expect(rules[0]).toEqual({ ...rule, enabled: false, updatedAt: later(1), updatedBy: 'ops:b' });
    expect(rules[1]?.enabled).toBe(false);
    expect(rules[2]?.enabled).toBe(true);
    expect(await store.repos.notifications.rules([])).toEqual([]);
  });

  it('reads a preference (immediate by default), sets it and lists digest contacts', async () => {
    const store = current();
    expect(await store.repos.notifications.preference('k1')).toEqual({ mode: 'immediate', updatedAt: null });
    await store.unitOfWork(async (tx) => {
      await tx.notifications.setPreference('k2', 'digest', NOW);
      await tx.notifications.setPreference('k1', 'off', NOW);
      await tx.notifications.setPreference('k0', 'digest', NOW);
    });
    await store.unitOfWork((tx) => tx.notifications.setPreference('k1', 'digest', later(2)));
    expect(await store.repos.notifications.preference('k1')).toEqual({ mode: 'digest', updatedAt: later(2) });
    expect(await store.repos.notifications.digestContacts()).toEqual(['k0', 'k1', 'k2']);
  });

  it('stores webhook subscriptions with a sealed secret, lists and disables them', async () => {
    const store = current();
    const sub = { id: 's1', url: 'https://portal.example.test/hook', eventTypes: ['time.approved', 'invoice.issued'], clientId: null, description: null, status: 'active' as const, createdAt: later(1), createdBy: 'ops:a' };
    await store.unitOfWork(async (tx) => {
      await tx.notifications.insertSubscription(sub, 'whsec_one');
      await tx.notifications.insertSubscription({ ...sub, id: 's0', eventTypes: ['*'], clientId: 'client-1', description: 'portal', createdAt: NOW }, 'whsec_two');
    });
    expect(await store.repos.notifications.subscription('s1')).toEqual(sub);
    expect(await store.repos.notifications.subscription('nope')).toBeNull();
    expect(await store.repos.notifications.subscriptionSecret('s1')).toBe('whsec_one');
    expect(await store.repos.notifications.subscriptionSecret('s0')).toBe('whsec_two');
    expect(await store.repos.notifications.subscriptionSecret('nope')).toBeNull();
    const stored = await store.query.value<string>('SELECT secret_sealed FROM webhook_subscriptions WHERE id = ?', ['s1']);
    expect(stored).not.toContain('whsec_one');
    expect((await store.repos.notifications.subscriptions()).map((s) => s.id)).toEqual(['s0', 's1']);
    expect(await store.unitOfWork((tx) => tx.notifications.setSubscriptionStatus('s1', 'disabled'))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.notifications.setSubscriptionStatus('nope', 'disabled'))).toBe(false);
    expect((await store.repos.notifications.subscriptions({ status: 'active' })).map((s) => s.id)).toEqual(['s0']);
    expect((await store.repos.notifications.subscriptions({ status: 'disabled' })).map((s) => s.id)).toEqual(['s1']);
  });

  it('inserts deliveries in batches, once per dedupe key, and reads every field back', async () => {
    const store = current();
    const first = delivery();
    const second = delivery({ id: 'd2', dedupeKey: 'digest:k1:2026-03-01', eventSeq: null, eventType: 'digest', channel: 'digest', entity: null, canonicalId: null, clientId: null, status: 'held', localDate: '2026-03-01' });
    expect(await store.unitOfWork((tx) => tx.notifications.insertDeliveries([first, second, { ...first, id: 'd1-again' }], NOW))).toBe(2);
    expect(await store.unitOfWork((tx) => tx.notifications.insertDeliveries([{ ...second, id: 'd2-again' }, delivery({ id: 'd3', dedupeKey: 'e:2:contact:k1', eventSeq: 2 })], later(1)))).toBe(1);
    expect(await store.unitOfWork((tx) => tx.notifications.insertDeliveries([], NOW))).toBe(0);
    const stored = { attempts: 0, nextAt: NOW, claimedUntil: null, lastError: null, messageId: null, createdAt: NOW, updatedAt: NOW, sentAt: null };
    expect(await store.repos.notifications.delivery('d1')).toEqual({ ...first, ...stored });
    expect(await store.repos.notifications.delivery('d2')).toEqual({ ...second, ...stored });
    expect(await store.repos.notifications.delivery('d1-again')).toBeNull();
    expect(await countRows(store, 'notification_deliveries')).toBe(3);
  });

  it('inserts a fan-out larger than one batch', async () => {
    const store = current();
    const rows = Array.from({ length: 1_500 }, (_, i) => delivery({ id: `d${i}`, dedupeKey: `e:1:contact:k${i}`, contactId: `k${i}` }));
    expect(await store.unitOfWork((tx) => tx.notifications.insertDeliveries(rows, NOW))).toBe(1_500);
    expect(await store.unitOfWork((tx) => tx.notifications.insertDeliveries(rows, NOW))).toBe(0);
    expect(await store.repos.notifications.countByStatus()).toEqual({ queued: 1_500 });
  });

  it('lists deliveries newest first with filters and a limit, and counts them by status', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.notifications.insertDeliveries([delivery({ id: 'a', dedupeKey: 'a' }), delivery({ id: 'b', dedupeKey: 'b', channel: 'webhook', contactId: null, subscriptionId: 's1', eventSeq: 7 })], NOW);
      await tx.notifications.insertDeliveries([delivery({ id: 'c', dedupeKey: 'c', status: 'held', canonicalId: 'te-2' })], later(1));
    });
    const ids = async (q: Parameters<Store['repos']['notifications']['deliveries']>[0]) => (await store.repos.notifications.deliveries(q)).map((d) => d.id);
    expect(await ids({})).toEqual(['c', 'b', 'a']);
    expect(await ids({ limit: 2 })).toEqual(['c', 'b']);
    expect(await ids({ status: 'queued' })).toEqual(['b', 'a']);
    expect(await ids({ channel: 'webhook' })).toEqual(['b']);
    expect(await ids({ subscriptionId: 's1', eventSeq: 7 })).toEqual(['b']);
    expect(await ids({ contactId: 'k1', entity: 'time_entry', canonicalId: 'te-1', clientId: 'client-1' })).toEqual(['a']);
    expect(await ids({ clientId: 'CLIENT-1' })).toEqual([]);
    expect(await store.repos.notifications.countByStatus()).toEqual({ queued: 2, held: 1 });
  });

  it('claims due deliveries and expired leases, leaving future and leased ones', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.notifications.insertDeliveries(['q1', 'q2', 'f1', 'f2', 's1', 's2', 'x1', 'h1'].map((id) => delivery({ id, dedupeKey: id })), NOW));
    await setState(store, 'q1', 'queued', later(2));
    await setState(store, 'q2', 'queued', later(1));
    await setState(store, 'f1', 'failed', later(3));
    await setState(store, 'f2', 'failed', later(30)); // not yet due
    await setState(store, 's1', 'sending', NOW, later(4)); // lease ran out
    await setState(store, 's2', 'sending', NOW, later(60)); // still leased
    await setState(store, 'x1', 'dead', NOW);
    await setState(store, 'h1', 'held', NOW);
    const now = later(5);
    const claimed = await store.unitOfWork((tx) => tx.notifications.claimDue(now, later(10), 10));
    expect(claimed.map((d) => d.id)).toEqual(['s1', 'q2', 'q1', 'f1']);
    expect(claimed.every((d) => d.status === 'sending' && d.claimedUntil === later(10) && d.updatedAt === now)).toBe(true);
    expect(await store.unitOfWork((tx) => tx.notifications.claimDue(now, later(10), 10))).toEqual([]);
    expect((await store.repos.notifications.delivery('s2'))?.claimedUntil).toBe(later(60));
    expect((await store.repos.notifications.delivery('f2'))?.status).toBe('failed');
    await expect(store.repos.notifications.claimDue(now, later(10), 10)).rejects.toThrow(/inside store.unitOfWork/);
  });

  it('claims at most the limit of due rows, earliest first', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.notifications.insertDeliveries(['a', 'b', 'c'].map((id) => delivery({ id, dedupeKey: id })), NOW));
    await setState(store, 'a', 'queued', later(3));
    await setState(store, 'b', 'queued', later(1));
    await setState(store, 'c', 'queued', later(1));
    expect((await store.unitOfWork((tx) => tx.notifications.claimDue(later(5), later(10), 2))).map((d) => d.id)).toEqual(['b', 'c']);
    expect((await store.unitOfWork((tx) => tx.notifications.claimDue(later(5), later(10), 2))).map((d) => d.id)).toEqual(['a']);
  });

  it('never hands one delivery to two concurrent senders', async () => {
    const store = current();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    await store.unitOfWork((tx) => tx.notifications.insertDeliveries(ids.map((id) => delivery({ id, dedupeKey: id })), NOW));
    let firstClaimed: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => {
      firstClaimed = resolve;
    });
    let secondDoneWhileFirstOpen = false;
    let firstOpen = true;
    const first = store.unitOfWork(async (tx) => {
      const rows = await tx.notifications.claimDue(later(1), later(10), 2);
      firstClaimed();
      await new Promise((r) => setTimeout(r, 300));
      firstOpen = false;
      return rows;
    });
    await firstHolds;
    const second = store.unitOfWork((tx) => tx.notifications.claimDue(later(1), later(10), 2)).then((rows) => {
      secondDoneWhileFirstOpen = firstOpen;
      return rows;
    });
    const [a, b] = await Promise.all([first, second]);
    const claimed = [...a, ...b].map((d) => d.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    const sending = await store.query.column<string>("SELECT id FROM notification_deliveries WHERE status = 'sending' ORDER BY id");
    expect(sending).toEqual([...claimed].sort());
    expect(claimed.length).toBeGreaterThanOrEqual(2);
    // PostgreSQL: the second sender skips the rows the first holds instead of waiting for its commit.
    // SQLite serialises units of work, so the second runs after the first.
    expect(secondDoneWhileFirstOpen).toBe(kind === 'postgres');
  });

  it('records attempts, keeping the first message id and sent time, and requeues finished ones', async () => {
    const store = current();
    await store.unitOfWork((tx) => tx.notifications.insertDeliveries([delivery()], NOW));
    await store.unitOfWork((tx) => tx.notifications.recordAttempt('d1', { status: 'failed', error: '421 try later', messageId: '<m1@x>', nextAt: later(5) }, later(1)));
    expect(await store.repos.notifications.delivery('d1')).toMatchObject({ status: 'failed', attempts: 1, lastError: '421 try later', messageId: '<m1@x>', nextAt: later(5), sentAt: null, updatedAt: later(1) });
    await store.unitOfWork((tx) => tx.notifications.recordAttempt('d1', { status: 'sent', error: null, messageId: null, nextAt: null }, later(6)));
    expect(await store.repos.notifications.delivery('d1')).toMatchObject({ status: 'sent', attempts: 2, lastError: null, messageId: '<m1@x>', nextAt: later(5), sentAt: later(6), claimedUntil: null });
    expect(await store.unitOfWork((tx) => tx.notifications.requeue('d1', later(7)))).toBe(true);
    expect(await store.repos.notifications.delivery('d1')).toMatchObject({ status: 'queued', attempts: 0, nextAt: later(7), sentAt: later(6) });
    expect(await store.unitOfWork((tx) => tx.notifications.requeue('d1', later(8)))).toBe(false); // already queued
    await store.unitOfWork((tx) => tx.notifications.recordAttempt('d1', { status: 'bounced', error: '550', messageId: null, nextAt: null }, later(9)));
    expect(await store.repos.notifications.delivery('d1')).toMatchObject({ status: 'bounced', sentAt: later(6), attempts: 1 });
    expect(await store.unitOfWork((tx) => tx.notifications.requeue('nope', later(9)))).toBe(false);
  });

  it('lists held deliveries of a contact and marks only held ones digested', async () => {
    const store = current();
    await store.unitOfWork(async (tx) => {
      await tx.notifications.insertDeliveries([delivery({ id: 'h2', dedupeKey: 'h2', status: 'held' }), delivery({ id: 'h1', dedupeKey: 'h1', status: 'held' })], NOW);
      await tx.notifications.insertDeliveries([delivery({ id: 'h0', dedupeKey: 'h0', status: 'held' }), delivery({ id: 'q', dedupeKey: 'q' }), delivery({ id: 'o', dedupeKey: 'o', status: 'held', contactId: 'k2' })], later(1));
    });
    expect((await store.repos.notifications.held('k1')).map((d) => d.id)).toEqual(['h1', 'h2', 'h0']);
    await store.unitOfWork((tx) => tx.notifications.markDigested(['h1', 'h2', 'q'], later(2)));
    await store.unitOfWork((tx) => tx.notifications.markDigested([], later(2)));
    expect((await store.repos.notifications.held('k1')).map((d) => d.id)).toEqual(['h0']);
    expect(await store.repos.notifications.delivery('h1')).toMatchObject({ status: 'digested', updatedAt: later(2) });
    expect((await store.repos.notifications.delivery('q'))?.status).toBe('queued');
  });

  it('sets, replaces and resets templates', async () => {
    const store = current();
    const t = { eventType: 'time.submitted', subject: 'Time to approve', text: 'Hello {{name}}', html: '<p>Hello {{name}}</p>', updatedAt: NOW, updatedBy: 'ops:a' };
    expect(await store.repos.notifications.template(t.eventType)).toBeNull();
    await store.unitOfWork((tx) => tx.notifications.setTemplate(t));
    await store.unitOfWork((tx) => tx.notifications.setTemplate({ ...t, subject: 'It\'s "time"', updatedAt: later(1) }));
    expect(await store.repos.notifications.template(t.eventType)).toEqual({ ...t, subject: 'It\'s "time"', updatedAt: later(1) });
    expect(await store.unitOfWork((tx) => tx.notifications.resetTemplate(t.eventType))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.notifications.resetTemplate(t.eventType))).toBe(false);
    expect(await store.repos.notifications.template(t.eventType)).toBeNull();
  });

  it('mints approval links, retiring an unused earlier link of the same delivery, and uses each once', async () => {
    const store = current();
    const link = { tokenHash: 'h1', timeEntryId: 'te-1', contactId: 'k1', deliveryId: 'd1', expiresAt: later(60), usedAt: null, createdAt: NOW };
    await store.unitOfWork(async (tx) => {
      await tx.notifications.insertApprovalLink(link);
      await tx.notifications.insertApprovalLink({ ...link, tokenHash: 'h-free', deliveryId: null });
    });
    expect(await store.repos.notifications.approvalLink('h1')).toEqual(link);
    expect(await store.repos.notifications.approvalLink('H1')).toBeNull();
    await store.unitOfWork((tx) => tx.notifications.insertApprovalLink({ ...link, tokenHash: 'h2', createdAt: later(1) }));
    expect(await store.repos.notifications.approvalLink('h1')).toBeNull();
    expect(await store.unitOfWork((tx) => tx.notifications.useApprovalLink('h2', later(2)))).toBe(true);
    expect(await store.unitOfWork((tx) => tx.notifications.useApprovalLink('h2', later(3)))).toBe(false);
    expect((await store.repos.notifications.approvalLink('h2'))?.usedAt).toBe(later(2));
    // A used link is kept (the replay answer) when the delivery mints another.
    await store.unitOfWork((tx) => tx.notifications.insertApprovalLink({ ...link, tokenHash: 'h3' }));
    expect((await store.repos.notifications.approvalLink('h2'))?.usedAt).toBe(later(2));
    expect(await store.repos.notifications.approvalLink('h-free')).toMatchObject({ deliveryId: null });
    expect(await countRows(store, 'approval_links')).toBe(3);
  });

  it('rolls back every notification write of a failed unit of work', async () => {
    const store = current();
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.notifications.insertDeliveries([delivery()], NOW);
        await tx.notifications.setCursor('fanout', 9, NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await countRows(store, 'notification_deliveries')).toBe(0);
    expect(await store.repos.notifications.cursor('fanout')).toBe(0);
  });
});
