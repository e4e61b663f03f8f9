import { createHash, randomBytes } from 'node:crypto';
import type { ApprovalLinkRow, Repos } from '../store/index.ts';

/** How long an approval link works. */
export const APPROVAL_LINK_DAYS = 7;
export const APPROVAL_LINK_PATH = '/approve/time-entry';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Mints a link for one approver and one time entry (stored only as a SHA-256 hash; a new attempt
 * of the same delivery retires the link an earlier attempt minted). Runs in a unit of work.
 */
export async function mintApprovalLink(
  tx: Repos,
  input: { timeEntryId: string; contactId: string; deliveryId: string | null; baseUrl: string },
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.notifications.insertApprovalLink({
    tokenHash: hashToken(token), timeEntryId: input.timeEntryId, contactId: input.contactId, deliveryId: input.deliveryId,
    expiresAt: new Date(now.getTime() + APPROVAL_LINK_DAYS * 86_400_000).toISOString(), usedAt: null, createdAt: now.toISOString(),
  });
  return `${input.baseUrl.replace(/\/$/, '')}${APPROVAL_LINK_PATH}?token=${token}`;
}

export type LinkCheck =
  | { ok: true; link: ApprovalLinkRow }
  | { ok: false; reason: 'unknown' | 'used' | 'expired'; link: ApprovalLinkRow | null };

/** What a token is worth now, without using it (the confirmation page). */
export async function checkApprovalLink(repos: Repos, token: string, now: string): Promise<LinkCheck> {
  if (token === '' || token.length > 200) return { ok: false, reason: 'unknown', link: null };
  const link = await repos.notifications.approvalLink(hashToken(token));
  if (!link) return { ok: false, reason: 'unknown', link: null };
  if (link.usedAt !== null) return { ok: false, reason: 'used', link };
  if (link.expiresAt <= now) return { ok: false, reason: 'expired', link };
  return { ok: true, link };
}

/** Uses the link inside the unit of work that approves: one effect, however often it is posted. */
export async function useApprovalLink(tx: Repos, token: string, now: string): Promise<LinkCheck> {
  const check = await checkApprovalLink(tx, token, now);
  if (!check.ok) return check;
  if (!(await tx.notifications.useApprovalLink(check.link.tokenHash, now))) return { ok: false, reason: 'used', link: check.link };
  return check;
}
