import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consumeMagicLink, MAGIC_LINK_RESPONSE, requestMagicLink, type MagicLinkRequest } from '../../src/access/credentials/magic-links.ts';
import { createMagicLinkLimiters } from '../../src/access/credentials/rate-limit.ts';
import { sha256Hex } from '../../src/access/credentials/secret.ts';
import { createMailer, SmtpMailer, SpoolMailer, type Mailer } from '../../src/access/mail/mailer.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { at, seedClient, seedContact, setContactStatus, startSmtp, T0, type SmtpSink } from './support.ts';

const BASE = 'https://portal.example.test';
const tokenOf = (text: string): string => {
  const m = /\/auth\/magic-link\?token=([A-Za-z0-9_-]{43})/.exec(text);
  if (!m?.[1]) throw new Error(`no link in: ${text}`);
  return m[1];
};

describe('magic links over real SMTP', () => {
  let smtp: SmtpSink;
  let t: TempStore;
  let mailer: Mailer;
  let contactId: string;
  let req: (over?: Partial<MagicLinkRequest>) => ReturnType<typeof requestMagicLink>;

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    t = openTempStore();
    mailer = new SmtpMailer(smtp.url, 'Crosswalk <no-reply@crosswalk.test>');
    const client = await seedClient(t.store);
    contactId = await seedContact(t.store, client, 'Dana.Reyes@Client.Example');
    const limiter = createMagicLinkLimiters();
    req = (over = {}) => requestMagicLink({ store: t.store, mailer, now: T0, ip: '203.0.113.7', email: 'dana.reyes@client.example', baseUrl: BASE, limiter, ...over });
  });
  afterEach(() => {
    mailer.close();
    t.dispose();
  });

  it('mails a single-use link (plain text always), stores only its hash, and signs the contact in once', async () => {
    const before = smtp.messages.length;
    const r = await req({ email: '  DANA.REYES@client.example ' });
    expect(r).toMatchObject({ response: MAGIC_LINK_RESPONSE, outcome: 'sent', contactId });
    expect(await r.delivery).toMatchObject({ ok: true });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.subject).toBe('Your sign-in link');
    expect(mail?.text).toContain(`${BASE}/auth/magic-link?token=`);
    expect(mail?.html).toBeTruthy();
    const token = tokenOf(mail?.text ?? '');
    const stored = await t.store.repos.access.magicLink(sha256Hex(token));
    expect(stored).toMatchObject({ contactId, email: 'dana.reyes@client.example', expiresAt: at(15), usedAt: null, ip: '203.0.113.7' });
    expect(t.store.db.prepare('SELECT count(*) FROM magic_links WHERE token_hash = ?').pluck().get(token)).toBe(0);

    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(5)))).toEqual({ ok: true, contactId });
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(6)))).toEqual({ ok: false, reason: 'sign-in link already used', contactId });
  });

  it('answers the same for an unknown, inactive or ambiguous address, and sends nothing', async () => {
    const client = await seedClient(t.store, 'Other');
    await seedContact(t.store, client, 'gone@client.example', 'inactive');
    await seedContact(t.store, client, 'shared@client.example');
    await seedContact(t.store, client, 'SHARED@client.example');
    const before = smtp.messages.length;
    const results = await Promise.all([
      req({ email: 'nobody@client.example' }), req({ email: 'gone@client.example' }), req({ email: 'shared@client.example' }), req({ email: 'not an address' }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['no_match', 'inactive', 'ambiguous', 'invalid_email']);
    for (const r of results) {
      expect(r.response).toEqual(MAGIC_LINK_RESPONSE);
      expect(await r.delivery).toEqual({ ok: false, error: 'nothing sent' });
    }
    expect(t.store.db.prepare('SELECT count(*) FROM magic_links').pluck().get()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.messages.length).toBe(before);
  });

  it('expired, revoked, unknown and malformed links are refused', async () => {
    const first = await req();
    await first.delivery;
    const token = tokenOf((await smtp.waitFor(smtp.messages.length)).at(-1)?.text ?? '');
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(15)))).toEqual({ ok: false, reason: 'sign-in link expired', contactId });
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, 'A'.repeat(43), T0))).toEqual({ ok: false, reason: 'unknown sign-in link', contactId: null });
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, 'short', T0))).toEqual({ ok: false, reason: 'malformed sign-in link', contactId: null });
    await t.store.unitOfWork((tx) => tx.access.revokeAllFor('contact', contactId, at(1)));
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(2)))).toEqual({ ok: false, reason: 'sign-in link revoked', contactId });
  });

  it('a link whose contact was deactivated is refused, and the contact is offboarded', async () => {
    const a = await req();
    await a.delivery;
    const token = tokenOf((await smtp.waitFor(smtp.messages.length)).at(-1)?.text ?? '');
    const b = await req();
    await b.delivery;
    await setContactStatus(t.store, contactId, 'inactive');
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(1)))).toEqual({ ok: false, reason: 'contact not active', contactId });
    expect(t.store.db.prepare('SELECT count(*) FROM magic_links WHERE contact_id = ? AND revoked_at IS NULL').pluck().get(contactId)).toBe(0);
  });

  it('rate limits 5 per address and 20 per IP per 15 minutes: same answer, nothing sent, `limited` for the audit', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await req({ now: at(i) });
      await r.delivery;
      outcomes.push(r.outcome);
      expect(r.response).toEqual(MAGIC_LINK_RESPONSE);
    }
    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'limited']);
    expect(t.store.db.prepare('SELECT count(*) FROM magic_links').pluck().get()).toBe(5);
    expect((await req({ now: at(16) })).outcome).toBe('sent'); // the window slid past the first

    const limiter = createMagicLinkLimiters();
    const fromIp: string[] = [];
    for (let i = 0; i < 21; i++) fromIp.push((await requestMagicLink({ store: t.store, mailer, now: T0, ip: '198.51.100.9', email: `x${i}@nowhere.example`, baseUrl: BASE, limiter })).outcome);
    expect(fromIp.slice(0, 20).every((o) => o === 'no_match')).toBe(true);
    const last = await requestMagicLink({ store: t.store, mailer, now: T0, ip: '198.51.100.9', email: 'dana.reyes@client.example', baseUrl: BASE, limiter });
    expect(last).toMatchObject({ outcome: 'limited', limitedBy: 'ip', response: MAGIC_LINK_RESPONSE });
  });
});

describe('magic links through the local spool', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => t.dispose());

  it('writes RFC 822 .eml files (folder 0700, files 0600) named in time order; the link signs in', async () => {
    const dir = join(t.dir, 'mail-spool');
    let clock = Date.parse(T0);
    const mailer = new SpoolMailer(dir, 'Crosswalk <no-reply@crosswalk.test>', () => clock);
    const client = await seedClient(t.store);
    const contactId = await seedContact(t.store, client, 'ops.contact@client.example');
    const limiter = createMagicLinkLimiters();
    for (let i = 0; i < 3; i++) {
      clock += 1;
      const r = await requestMagicLink({ store: t.store, mailer, now: at(i), ip: null, email: 'ops.contact@client.example', baseUrl: `${BASE}/`, limiter });
      expect(await r.delivery).toMatchObject({ ok: true });
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir).sort();
    // Sorting by name is sorting by send time (the clock stepped 1 ms per message).
    expect(files.map((f) => f.slice(0, 19))).toEqual(['20260302T090000001Z', '20260302T090000002Z', '20260302T090000003Z']);
    expect(files[0]).toMatch(/^20260302T090000001Z-[0-9a-f]{8}\.eml$/);
    const path = join(dir, files.at(-1) ?? '');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const raw = readFileSync(path);
    expect(raw.toString('latin1')).toContain('\r\n'); // CRLF line ends
    const mail = await simpleParser(raw);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('ops.contact@client.example');
    expect(mail.text).toContain(`${BASE}/auth/magic-link?token=`); // no double slash from the trailing one
    const token = tokenOf(mail.text ?? '');
    expect(await t.store.unitOfWork((tx) => consumeMagicLink(tx, token, at(3)))).toEqual({ ok: true, contactId });
    mailer.close();
  });

  it('createMailer picks SMTP when a URL is configured, else the spool; refuses a message without text', async () => {
    const spool = createMailer({ smtpUrl: null, from: 'a@b.test', spoolDir: join(t.dir, 's') });
    expect(spool).toBeInstanceOf(SpoolMailer);
    expect(createMailer({ smtpUrl: ' ', from: 'a@b.test', spoolDir: join(t.dir, 's') })).toBeInstanceOf(SpoolMailer);
    const smtp = createMailer({ smtpUrl: 'smtp://user:secret@mail.example.test:587', from: 'a@b.test', spoolDir: join(t.dir, 's') });
    expect(smtp).toBeInstanceOf(SmtpMailer);
    expect(smtp.describe).toBe('smtp://mail.example.test:587');
    await expect(spool.send({ to: 'x@y.test', subject: 's', text: ' ' })).rejects.toThrow(/plain-text part/);
    await expect(spool.send({ to: 'x@y.test\r\nBcc: z@y.test', subject: 's', text: 't' })).rejects.toThrow(/single lines/);
    smtp.close();
    spool.close();
  });
});
