import type { Repos, Store } from '../../store/index.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { MagicLinkLimiters } from './rate-limit.ts';
import { addMinutes, randomSecret, sha256Hex } from './secret.ts';

/**
 * Magic-link sign-in for contacts: a 32-byte random token (256 bits) mailed as a link, stored only as
 * its SHA-256, valid 15 minutes, single use. The caller always gets the same answer, whatever the
 * address — whether it exists, is inactive, is shared by two contacts, or was rate limited — so the
 * endpoint is no directory of client contacts.
 */
export const MAGIC_LINK_MINUTES = 15;

/** What the HTTP answer says, identical in every case. */
export const MAGIC_LINK_RESPONSE = {
  message: 'If that address belongs to an active portal contact, a sign-in link is on its way. It expires in 15 minutes.',
} as const;

/**
 * What happened, for the audit only — never for the response:
 * - `sent`: a link was stored and handed to the mailer (see `delivery` for the mailer's answer);
 * - `no_match`: no contact has this address; `inactive`: only inactive contacts have it;
 * - `ambiguous`: several active contacts share it (no link: we cannot tell whom to sign in);
 * - `limited`: over the per-address or per-IP limit; `invalid_email`: not an address at all.
 */
export type MagicLinkOutcome = 'sent' | 'no_match' | 'inactive' | 'ambiguous' | 'limited' | 'invalid_email';

export type DeliveryResult = { ok: true; id: string } | { ok: false; error: string };

export interface MagicLinkRequestResult {
  /** Send this to the caller, whatever happened. */
  readonly response: typeof MAGIC_LINK_RESPONSE;
  /** For the audit. */
  readonly outcome: MagicLinkOutcome;
  readonly contactId: string | null;
  /** Which limit refused the request, when `outcome` is `limited`. */
  readonly limitedBy: 'address' | 'ip' | null;
  /**
   * The mailer's answer; never rejects. Resolved at once unless a message was sent. Do not hold the
   * HTTP response for it: SMTP takes time only when the address exists, and that time would tell.
   */
  readonly delivery: Promise<DeliveryResult>;
}

export interface MagicLinkRequest {
  store: Store;
  mailer: Mailer;
  /** ISO time. */
  now: string;
  ip: string | null;
  email: string;
  /** The portal's public origin, e.g. `https://portal.example.com` (no trailing slash needed). */
  baseUrl: string;
  limiter: MagicLinkLimiters;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Starts a magic-link sign-in. Never throws for bad input; see MagicLinkRequestResult. */
export async function requestMagicLink(req: MagicLinkRequest): Promise<MagicLinkRequestResult> {
  const nothing = Promise.resolve<DeliveryResult>({ ok: false, error: 'nothing sent' });
  const done = (outcome: MagicLinkOutcome, contactId: string | null = null, limitedBy: 'address' | 'ip' | null = null): MagicLinkRequestResult => ({
    response: MAGIC_LINK_RESPONSE, outcome, contactId, limitedBy, delivery: nothing,
  });
  const email = req.email.trim().toLowerCase();
  if (!EMAIL.test(email)) return done('invalid_email');
  // The IP first: a sprayer of many addresses from one IP must not use up each address's allowance.
  if (req.ip !== null && !req.limiter.perIp.take(req.ip, req.now)) return done('limited', null, 'ip');
  if (!req.limiter.perAddress.take(email, req.now)) return done('limited', null, 'address');

  const { canonical } = req.store.repos;
  const ids = (await canonical.idsByEmail('contact', 'email', [email])).get(email) ?? [];
  const rows = [...(await canonical.getMany('contact', ids)).values()].filter((r) => r.deletedAt === null);
  const active = rows.filter((r) => r.fields['status'] === 'active');
  if (active.length === 0) return done(rows.length === 0 ? 'no_match' : 'inactive');
  const contact = active[0];
  if (active.length > 1 || contact === undefined) return done('ambiguous');

  const token = randomSecret(32);
  await req.store.unitOfWork(async (tx) => {
    await tx.access.insertMagicLink({
      tokenHash: sha256Hex(token),
      contactId: contact.id,
      email,
      createdAt: req.now,
      expiresAt: addMinutes(req.now, MAGIC_LINK_MINUTES),
      usedAt: null,
      revokedAt: null,
      ip: req.ip,
    });
  });
  const link = `${req.baseUrl.replace(/\/+$/, '')}/auth/magic-link?token=${encodeURIComponent(token)}`;
  const text = [
    'Hello,',
    '',
    'Use this link to sign in to the client portal:',
    '',
    link,
    '',
    `It works once and expires in ${MAGIC_LINK_MINUTES} minutes.`,
    'If you did not ask to sign in, ignore this message: nothing happens without the link.',
    '',
  ].join('\r\n');
  const html = `<p>Hello,</p><p><a href="${escapeHtml(link)}">Sign in to the client portal</a></p>` +
    `<p>It works once and expires in ${MAGIC_LINK_MINUTES} minutes. If you did not ask to sign in, ignore this message.</p>`;
  const delivery = req.mailer.send({ to: email, subject: 'Your sign-in link', text, html }).then(
    (r): DeliveryResult => ({ ok: true, id: r.id }),
    (err: unknown): DeliveryResult => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
  return { response: MAGIC_LINK_RESPONSE, outcome: 'sent', contactId: contact.id, limitedBy: null, delivery };
}

export type MagicLinkConsumption = { ok: true; contactId: string } | { ok: false; reason: string; contactId: string | null };

/**
 * Spends a link inside a unit of work: unknown, revoked, used or expired links are refused, and so is
 * a link whose contact is no longer active (then every credential of that contact is revoked:
 * offboarding). A second use — even a concurrent one — finds the link used.
 */
export async function consumeMagicLink(tx: Repos, token: string, now: string): Promise<MagicLinkConsumption> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'malformed sign-in link', contactId: null };
  const hash = sha256Hex(token);
  const link = await tx.access.magicLink(hash);
  if (link === null) return { ok: false, reason: 'unknown sign-in link', contactId: null };
  const refuse = (reason: string): MagicLinkConsumption => ({ ok: false, reason, contactId: link.contactId });
  if (link.revokedAt !== null) return refuse('sign-in link revoked');
  if (link.usedAt !== null) return refuse('sign-in link already used');
  if (Date.parse(link.expiresAt) <= Date.parse(now)) return refuse('sign-in link expired');
  const contact = await tx.canonical.get('contact', link.contactId);
  if (contact === null || contact.deletedAt !== null || contact.fields['status'] !== 'active') {
    await tx.access.revokeAllFor('contact', link.contactId, now);
    return refuse('contact not active');
  }
  if (!(await tx.access.consumeMagicLink(hash, now))) return refuse('sign-in link already used');
  return { ok: true, contactId: link.contactId };
}
