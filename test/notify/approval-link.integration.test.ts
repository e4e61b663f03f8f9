/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpMailer } from '../../src/access/mail/mailer.ts';
import { applyLocalChange } from '../../src/engine/index.ts';
import { appendTimeEvent } from '../../src/engine/time/events.ts';
import { routeOfEntry } from '../../src/engine/time/routing.ts';
import { NotificationRelay } from '../../src/notify/index.ts';
import { startSmtp, type SmtpSink } from '../access/support.ts';
import { seedWorld, startHarness, type Harness, type World } from '../http/support.ts';

const CANARY_NOTE = 'CANARY-NOTE-approval-5e1d';

let h: Harness;
let w: World;
let smtp: SmtpSink;
let relay: NotificationRelay;
let mailer: SmtpMailer;

beforeAll(async () => {
  h = await startHarness();
  w = await seedWorld(h);
  smtp = await startSmtp();
  mailer = new SmtpMailer(smtp.url, 'Crosswalk <no-reply@crosswalk.test>');
  await h.store.unitOfWork((tx) => applyLocalChange(tx, h.policy, { entity: 'contact', canonicalId: w.approverId, changes: { email: 'mira@harbor.example.test' }, actor: 'seed' }, h.now()));
  // The seeded entries were written as submitted; their submissions are announced the way the
  // portal's submit route announces one (the time workflow appends the event, routed to approvers).
  await h.store.unitOfWork(async (tx) => {
    for (const id of w.submittedEntryIds) {
      const entry = await tx.canonical.get('time_entry', id);
      if (!entry) throw new Error(`seeded entry ${id} missing`);
      const route = await routeOfEntry(tx, entry, h.now().slice(0, 10));
      await appendTimeEvent(tx, 'time.submitted', entry, route, { actor: 'seed', recipients: route.approvers, at: h.now() });
    }
  });
  relay = new NotificationRelay({ store: h.store, mailer, publicUrl: h.url, backoffBaseMs: 50 });
}, 60_000);

afterAll(async () => {
  mailer.close();
  await smtp.close();
  await h.close();
});

const linkIn = (text: string): string => {
  const m = /(https?:\/\/\S+\/approve\/time-entry\?token=[\w-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no approval link in:\n${text}`);
  return m[1];
};

describe('e-mail approval links', () => {
  it('mails the approver a time.submitted message with a plain-text and an HTML part, an approval link, and no internal note', async () => {
    // The back office submits a draft carrying an internal note: the API path appends time.submitted.
    await h.store.unitOfWork((tx) => applyLocalChange(tx, h.policy, { entity: 'time_entry', canonicalId: w.draftEntryId, changes: { note: CANARY_NOTE }, actor: 'seed' }, h.now()));
    // (An ops admin submits here: a coordinator needs a grant on the client first.)
    const submit = await h.call('POST', `/api/v1/time-entries/${w.draftEntryId}/submit`, { body: {} });
    expect(submit.status).toBe(200);
    const events = await h.store.repos.events.forRecord('time_entry', w.draftEntryId);
    expect(events.map((e) => e.type)).toContain('time.submitted');

    const sweep = await relay.sweep();
    expect(sweep.delivered.sent).toBeGreaterThanOrEqual(4); // the three seeded submissions and this one
    const mails = await smtp.waitFor(4);
    const mine = mails.find((m) => m.text?.includes('2026-02-23'));
    expect(mine?.to && 'text' in mine.to ? mine.to.text : '').toContain('mira@harbor.example.test');
    expect(mine?.subject).toMatch(/^Time to approve: 8 h on 2026-02-23/);
    expect(mine?.text).toContain('/approve/time-entry?token=');
    expect(mine?.html || '').toContain('Approve this time');
    for (const m of mails) expect(`${m.text ?? ''}${String(m.html)}`).not.toContain(CANARY_NOTE);
    // Each delivery is on record, per record and per contact.
    const perRecord = await h.call('GET', `/api/v1/notifications/deliveries?entity=time_entry&canonicalId=${w.draftEntryId}`);
    expect(perRecord.status).toBe(200);
    expect(perRecord.json.data).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', contactId: w.approverId })]);
    const perContact = await h.call('GET', `/api/v1/notifications/deliveries?contactId=${w.approverId}`);
    expect(perContact.json.data.length).toBeGreaterThanOrEqual(4);
  });

  it('GET shows a confirmation page and approves nothing; POST approves once as the contact via the link; a replay has no effect', async () => {
    const mail = smtp.messages.find((m) => m.text?.includes('2026-02-23'));
    const link = linkIn(mail?.text ?? '');
    const path = link.slice(h.url.length);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/approve/time-entry">');
    expect((await h.store.repos.canonical.get('time_entry', w.draftEntryId))?.fields['status']).toBe('submitted');

    const token = new URL(link).searchParams.get('token') ?? '';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // A form on another site (no same-origin proof) is refused and uses nothing.
    const cross = await fetch(`${h.url}/approve/time-entry`, { method: 'POST', headers: { ...form, origin: 'https://evil.example' }, body: `token=${token}` });
    expect(cross.status).toBe(403);

    const post = () => fetch(`${h.url}/approve/time-entry`, { method: 'POST', headers: { ...form, origin: h.url }, body: `token=${token}` });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Time approved');
    const entry = await h.store.repos.canonical.get('time_entry', w.draftEntryId);
    expect(entry?.fields).toMatchObject({ status: 'approved', approvedById: w.approverId });
    const history = (await h.store.repos.canonical.list('time_entry_event', { where: { timeEntryId: w.draftEntryId }, limit: 50 })).map((e) => e.fields);
    const approvals = history.filter((e) => e['toStatus'] === 'approved');
    expect(approvals).toEqual([expect.objectContaining({ actor: `contact:${w.approverId}`, comment: 'via: approval-link' })]);
    const ledger = await h.store.repos.ledger.query({ entity: 'time_entry', canonicalId: w.draftEntryId, limit: 50 });
    expect(ledger.some((l) => l.actor === `contact:${w.approverId}` && l.reason === 'via: approval-link' && l.action === 'transition')).toBe(true);

    const again = await post();
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already been used');
    const after = (await h.store.repos.canonical.list('time_entry_event', { where: { timeEntryId: w.draftEntryId }, limit: 50 })).filter((e) => e.fields['toStatus'] === 'approved');
    expect(after).toHaveLength(1);
    // The page a scanner fetches afterwards says so too, and still changes nothing.
    const late = await fetch(`${h.url}${path}`);
    expect(late.status).toBe(409);
    // The approval appended its own event for whoever hears time.approved.
    expect((await h.store.repos.events.forRecord('time_entry', w.draftEntryId)).map((e) => e.type)).toEqual(['time.submitted', 'time.approved']);
  });

  it('a forged or expired token approves nothing', async () => {
    const bad = await fetch(`${h.url}/approve/time-entry`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.url }, body: 'token=not-a-real-token' });
    expect(bad.status).toBe(404);
    const mail = smtp.messages.find((m) => m.text?.includes('2026-02-24'));
    const token = new URL(linkIn(mail?.text ?? '')).searchParams.get('token') ?? '';
    h.store.db.prepare("UPDATE approval_links SET expires_at = '2000-01-01T00:00:00.000Z'").run();
    const expired = await fetch(`${h.url}/approve/time-entry`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.url }, body: `token=${token}` });
    expect(expired.status).toBe(410);
    expect((await h.store.repos.canonical.get('time_entry', w.submittedEntryIds[0] ?? ''))?.fields['status']).toBe('submitted');
  });
});
