/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGrant } from '../../src/access/admin.ts';
import { SmtpMailer, type Mailer } from '../../src/access/mail/mailer.ts';
import { applyLocalChange } from '../../src/engine/index.ts';
import { DeliverySender, fanOutAll, queueDueDigests } from '../../src/notify/index.ts';
import { startSmtp, type SmtpSink } from '../access/support.ts';
import { seedWorld, startHarness, type Harness, type World } from '../http/support.ts';
import { sleep } from './support.ts';

let h: Harness;
let w: World;
let smtp: SmtpSink;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  h = await startHarness();
  w = await seedWorld(h);
  smtp = await startSmtp();
  for (const [id, email] of [[w.approverId, 'mira@harbor.example.test'], [w.requesterId, 'tobias@harbor.example.test'], [w.foreignContactId, 'ravi@other.example.test']] as const) {
    await h.store.unitOfWork((tx) => applyLocalChange(tx, h.policy, { entity: 'contact', canonicalId: id, changes: { email }, actor: 'seed' }, h.now()));
  }
  // Whatever the seed's events would send is not what these tests look at.
  await fanOutAll(h.store);
  h.store.db.prepare("UPDATE notification_deliveries SET status = 'skipped'").run();
}, 60_000);

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  await smtp.close();
  await h.close();
});

beforeEach(() => {
  h.store.db.prepare("UPDATE notification_deliveries SET status = 'skipped' WHERE status IN ('queued', 'failed', 'sending', 'held')").run();
});

const sender = (mailer: Mailer, extra: Partial<ConstructorParameters<typeof DeliverySender>[0]> = {}) =>
  new DeliverySender({ store: h.store, mailer, publicUrl: null, backoffBaseMs: 20, backoffMaxMs: 40, maxAttempts: { email: 3, webhook: 3 }, mailTimeoutMs: 400, ...extra });

/** An event addressed to Mira, fanned out: her delivery row. */
async function eventForMira(type: 'time.approved' | 'time.rejected' = 'time.approved') {
  await h.store.unitOfWork((tx) =>
    tx.events.append({
      type, entity: 'time_entry', canonicalId: w.approvedEntryId, clientId: w.clientId, worksiteId: w.worksiteId, actor: 'user:test', recipients: [w.approverId],
      data: { workDate: '2026-02-20', hours: 8, comment: '<b>see me</b> & "quote"', payRateCents: 98765, note: 'INTERNAL' }, at: h.now(),
    }),
  );
  await fanOutAll(h.store);
  return h.store.repos.notifications.deliveries({ contactId: w.approverId, limit: 1 });
}

async function drainUntilSettled(s: DeliverySender): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await s.drain();
    const open = h.store.db.prepare("SELECT count(*) FROM notification_deliveries WHERE status IN ('failed', 'queued', 'sending')").pluck().get() as number;
    if (open === 0) return;
    await sleep(50);
  }
}

describe('e-mail notifications', () => {
  it('sends a plain-text and an HTML part with every value escaped, and never a pay rate or a note', async () => {
    const mailer = new SmtpMailer(smtp.url, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => mailer.close());
    const before = smtp.messages.length;
    await eventForMira('time.rejected');
    await sender(mailer).drain();
    const [mail] = await smtp.waitFor(before + 1).then((m) => m.slice(before));
    expect(mail?.subject).toBe('Time rejected: 8 h on 2026-02-20');
    expect(mail?.text).toContain('Comment: <b>see me</b> & "quote"');
    expect(String(mail?.html)).toContain('Comment: &lt;b&gt;see me&lt;/b&gt; &amp; &quot;quote&quot;');
    expect(`${mail?.text ?? ''}${String(mail?.html)}`).not.toMatch(/98765|INTERNAL/);
  });

  it('an SMTP server that refuses the connection: retried with backoff, then dead-lettered, then replayed with nothing lost', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port; // a TCP server
    await new Promise<void>((r) => closed.close(() => r()));
    const refusing = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => refusing.close());
    const [row] = await eventForMira();
    const s = sender(refusing);
    await drainUntilSettled(s);
    const dead = await h.store.repos.notifications.delivery(row?.id ?? '');
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead?.lastError).toMatch(/ECONNREFUSED/);

    const good = new SmtpMailer(smtp.url, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => good.close());
    const before = smtp.messages.length;
    await h.store.unitOfWork((tx) => tx.notifications.requeue(row?.id ?? '', h.now()));
    await sender(good).drain();
    expect((await h.store.repos.notifications.delivery(row?.id ?? ''))?.status).toBe('sent');
    expect(await smtp.waitFor(before + 1)).toHaveLength(before + 1);
  });

  it('an SMTP server that never answers: each try times out and is retried, then dead-lettered', async () => {
    const sockets: Array<{ destroy(): void }> = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      silent.close(() => r());
    }));
    const hanging = new SmtpMailer(`smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => hanging.close());
    const [row] = await eventForMira();
    await drainUntilSettled(sender(hanging, { mailTimeoutMs: 200 }));
    const dead = await h.store.repos.notifications.delivery(row?.id ?? '');
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead?.lastError).toMatch(/no answer within 200 ms/);
  });

  it('a recipient the server refuses with a 5xx is recorded as bounced, not retried', async () => {
    const bouncing = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onRcptTo(_address, _session, callback) {
        const err = new Error('mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        callback(err);
      },
    });
    await new Promise<void>((r) => bouncing.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => bouncing.close(() => r())));
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${(bouncing.server.address() as AddressInfo).port}`, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => mailer.close());
    const [row] = await eventForMira();
    await sender(mailer).drain();
    expect(await h.store.repos.notifications.delivery(row?.id ?? '')).toMatchObject({ status: 'bounced', attempts: 1 });
  });
});

describe('rules and preferences', () => {
  it('a client admin edits its own client’s rules, and another client’s are a 404', async () => {
    await h.store.unitOfWork((tx) => createGrant(tx, { subjectKind: 'contact', subjectId: w.requesterId, role: 'client_admin', clientId: w.clientId }, 'test', h.now()));
    const admin = await h.keyFor({ contactId: w.requesterId });
    const mine = await h.call('GET', `/api/v1/notifications/rules?clientId=${w.clientId}`, { token: admin });
    expect(mine.status).toBe(200);
    expect(mine.json.data.rules.find((r: { eventType: string }) => r.eventType === 'time.submitted').roles).toContain('approver');

    const off = await h.call('POST', '/api/v1/notifications/rules', { token: admin, body: { clientId: w.clientId, eventType: 'time.submitted', role: 'approver', enabled: false } });
    expect(off.status).toBe(200);
    expect(off.json.data.rules.find((r: { eventType: string }) => r.eventType === 'time.submitted').roles).not.toContain('approver');

    for (const [method, path, body] of [
      ['GET', `/api/v1/notifications/rules?clientId=${w.otherClientId}`, undefined],
      ['POST', '/api/v1/notifications/rules', { clientId: w.otherClientId, eventType: 'time.submitted', role: 'approver', enabled: false }],
      ['POST', '/api/v1/notifications/rules', { clientId: '01900000-0000-7000-8000-000000000000', eventType: 'time.submitted', role: 'approver', enabled: false }],
    ] as const) {
      const r = await h.call(method, path, { token: admin, ...(body === undefined ? {} : { body }) });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(Object.keys(r.json)).toEqual(['error']);
    }
    // Nothing was written for the other client.
    expect(await h.store.repos.notifications.rules([w.otherClientId])).toEqual([]);
    // The defaults and the internal role are ops'.
    expect((await h.call('POST', '/api/v1/notifications/rules', { token: admin, body: { clientId: null, eventType: 'time.submitted', role: 'approver', enabled: false } })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/notifications/rules', { token: admin, body: { clientId: w.clientId, eventType: 'sync.issue', role: 'ops', enabled: false } })).status).toBe(422);
    // Staff narrowed to one client: another client's rules are a 404 to read or write, and the
    // hub-wide defaults are refused (403), like every route that covers every client.
    const narrowed = await h.keyFor({ userRole: 'ops_admin' }, { clientId: w.clientId });
    expect((await h.call('GET', `/api/v1/notifications/rules?clientId=${w.otherClientId}`, { token: narrowed })).status).toBe(404);
    expect((await h.call('POST', '/api/v1/notifications/rules', { token: narrowed, body: { clientId: w.otherClientId, eventType: 'time.approved', role: 'approver', enabled: true } })).status).toBe(404);
    expect((await h.call('POST', '/api/v1/notifications/rules', { token: narrowed, body: { clientId: null, eventType: 'time.approved', role: 'approver', enabled: true } })).status).toBe(403);
    expect((await h.call('GET', `/api/v1/notifications/rules?clientId=${w.clientId}`, { token: narrowed })).status).toBe(200);
    expect(await h.store.repos.notifications.rules([w.otherClientId])).toEqual([]);
    // A contact who is not an admin of the client gets a 404 for it too.
    const plain = await h.keyFor({ contactId: w.approverId });
    expect((await h.call('GET', `/api/v1/notifications/rules?clientId=${w.clientId}`, { token: plain })).status).toBe(404);

    // The rule takes effect: a submission at the client no longer reaches approvers by role (only the addressee rule).
    await h.store.unitOfWork((tx) =>
      tx.events.append({ type: 'time.submitted', entity: 'time_entry', canonicalId: w.draftEntryId, clientId: w.clientId, worksiteId: w.worksiteId, actor: 'user:t', recipients: [], data: {}, at: h.now() }),
    );
    const fanned = await fanOutAll(h.store);
    expect(fanned).toMatchObject({ events: 1, deliveries: 0 });
    // Ops restore it.
    expect((await h.call('POST', '/api/v1/notifications/rules', { body: { clientId: w.clientId, eventType: 'time.submitted', role: 'approver', enabled: true } })).status).toBe(200);
  });

  it('preferences come from the principal: digest holds mail for the digest, off sends nothing', async () => {
    const mira = await h.keyFor({ contactId: w.approverId });
    expect((await h.call('GET', '/api/v1/me/notification-preferences', { token: mira })).json.data).toMatchObject({ contactId: w.approverId, mode: 'immediate' });
    const put = await h.call('PUT', '/api/v1/me/notification-preferences', { token: mira, body: { mode: 'digest' } });
    expect(put.status).toBe(200);
    // Users have no contact preferences; a body naming someone else is refused by its schema.
    expect((await h.call('PUT', '/api/v1/me/notification-preferences', { body: { mode: 'off' } })).status).toBe(403);
    expect((await h.call('PUT', '/api/v1/me/notification-preferences', { token: mira, body: { mode: 'off', contactId: w.requesterId } })).status).toBe(400);

    const [held] = await eventForMira();
    expect(held?.status).toBe('held');

    // The digest: queued once per local date at the local morning, one e-mail with what waits.
    const morning = new Date('2026-03-03T13:00:00.000Z'); // 08:00 in America/New_York
    expect(await queueDueDigests(h.store, new Date('2026-03-03T10:00:00.000Z'))).toBe(0); // 05:00 there: not yet
    expect(await queueDueDigests(h.store, morning)).toBe(1);
    expect(await queueDueDigests(h.store, new Date('2026-03-03T20:00:00.000Z'))).toBe(0); // same local date: once
    const mailer = new SmtpMailer(smtp.url, 'Crosswalk <no-reply@crosswalk.test>');
    closers.push(() => mailer.close());
    const before = smtp.messages.length;
    await sender(mailer).drain();
    const mails: ParsedMail[] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/^Waiting for you on 2026-03-03: \d+ item\(s\)$/);
    expect(mails[0]?.text).toContain('Time to approve: 8 h on 2026-02-24');
    expect(mails[0]?.text).toContain('Since yesterday: time.approved');
    expect((await h.store.repos.notifications.delivery(held?.id ?? ''))?.status).toBe('digested');
    const mine = await h.call('GET', '/api/v1/me/notifications', { token: mira });
    expect(mine.json.data.some((d: { channel: string; localDate: string }) => d.channel === 'digest' && d.localDate === '2026-03-03')).toBe(true);

    await h.call('PUT', '/api/v1/me/notification-preferences', { token: mira, body: { mode: 'off' } });
    const count = (await h.store.repos.notifications.deliveries({ contactId: w.approverId, limit: 500 })).length;
    await eventForMira();
    expect((await h.store.repos.notifications.deliveries({ contactId: w.approverId, limit: 500 })).length).toBe(count);
  });
});
