import type { Hono } from 'hono';
import type { ContactPrincipal } from '../access/principal.ts';
import { APPROVAL_LINK_PATH, checkApprovalLink, hashToken, useApprovalLink, type LinkCheck } from '../notify/index.ts';
import { clientIp, writeAudit } from './audit.ts';
import type { ResolvedDeps } from './deps.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import { fromThisOrigin } from './origin.ts';
import { readStreamCapped } from './read-body.ts';
import { approvalFields, moveTimeEntry } from './portal/time-move.ts';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Crosswalk</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem"><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const FORM_LIMIT = 4096;

/** The marker the history and the ledger carry for an approval made through a link. */
export const VIA_APPROVAL_LINK = 'via: approval-link';

function refusal(check: Extract<LinkCheck, { ok: false }>): { title: string; text: string; status: 404 | 409 | 410 } {
  switch (check.reason) {
    case 'used':
      return { title: 'Link already used', text: 'This approval link has already been used. Nothing more was done.', status: 409 };
    case 'expired':
      return { title: 'Link expired', text: 'This approval link has expired (links work for 7 days). Approve the time in the portal.', status: 410 };
    case 'unknown':
      return { title: 'Link not valid', text: 'This approval link is not valid. Approve the time in the portal.', status: 404 };
  }
}

/**
 * E-mail approval links (decision 0021-notifications):
 * - `GET /approve/time-entry?token=…` shows what would be approved and a button; it never approves
 *   (mail scanners prefetch links);
 * - `POST /approve/time-entry` (form field `token`, from this origin) uses the link and approves in
 *   ONE unit of work, through the same code path as `POST /api/v1/time-entries/:id/approve`, as the
 *   contact the link was minted for (`contact:<id>`, history and ledger reason `via: approval-link`).
 *   The approver's authority is checked again then: a link outlives no revoked role. A second POST
 *   of the same link finds it used and changes nothing.
 */
export function mountApprovalLinks(app: Hono<AppEnv>, deps: ResolvedDeps): void {
  const { store, now } = deps;

  app.get(APPROVAL_LINK_PATH, async (c) => {
    const token = c.req.query('token') ?? '';
    const check = await checkApprovalLink(store.repos, token, now());
    if (!check.ok) {
      const r = refusal(check);
      return c.html(page(r.title, `<p>${escape(r.text)}</p>`), r.status, PAGE_HEADERS);
    }
    const entry = await store.repos.canonical.get('time_entry', check.link.timeEntryId);
    const hours = Number(entry?.fields['regularHours'] ?? 0) + Number(entry?.fields['overtimeHours'] ?? 0) + Number(entry?.fields['doubleTimeHours'] ?? 0);
    const body = `<p>Approve ${escape(String(hours))} hours worked on ${escape(String(entry?.fields['workDate'] ?? 'unknown date'))} (status now: ${escape(String(entry?.fields['status'] ?? 'unknown'))})?</p>
<form method="post" action="${APPROVAL_LINK_PATH}"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Approve</button></form>`;
    return c.html(page('Approve time', body), 200, PAGE_HEADERS);
  });

  app.post(APPROVAL_LINK_PATH, async (c) => {
    // The confirmation page posts from this origin; a form elsewhere must not approve with a stolen link.
    if (!fromThisOrigin(c.req.url, c.req.header('origin'), c.req.header('sec-fetch-site'))) {
      return c.html(page('Approval refused', '<p>This approval did not come from the confirmation page. Open the link from your e-mail again.</p>'), 403, PAGE_HEADERS);
    }
    const raw = await readStreamCapped(c.req.raw.body, FORM_LIMIT);
    if (raw === null) return c.html(page('Approval refused', '<p>The request is too large.</p>'), 413, PAGE_HEADERS);
    const token = new URLSearchParams(raw.toString('utf8')).get('token') ?? '';
    const at = now();
    type Result = { ok: true; entryId: string; principal: ContactPrincipal } | { ok: false; check: Extract<LinkCheck, { ok: false }> };
    let result: Result;
    try {
      result = await store.unitOfWork(async (tx): Promise<Result> => {
        const used = await useApprovalLink(tx, token, at);
        if (!used.ok) return { ok: false, check: used };
        const contact = await tx.canonical.get('contact', used.link.contactId);
        const principal: ContactPrincipal = {
          kind: 'contact', id: used.link.contactId, clientId: String(contact?.fields['clientId'] ?? ''), email: typeof contact?.fields['email'] === 'string' ? contact.fields['email'] : null,
          onBehalfOf: null, readOnly: false, limits: null, credential: { type: 'approval_link', id: hashToken(token).slice(0, 12) },
        };
        if (!contact || contact.deletedAt !== null || contact.fields['status'] !== 'active') throw new ApiError('forbidden', `contact ${used.link.contactId} is not active`);
        await moveTimeEntry(tx, deps, used.link.timeEntryId, {
          to: 'approved', principal, needsApprover: true, comment: VIA_APPROVAL_LINK, extra: approvalFields(deps, principal), event: 'time.approved',
        }, at);
        return { ok: true, entryId: used.link.timeEntryId, principal };
      });
    } catch (err) {
      // The unit of work rolled back: the link is still unused (the entry moved on, or the role went).
      if (!(err instanceof ApiError)) throw err;
      const link = await store.repos.notifications.approvalLink(hashToken(token));
      await writeAudit(store, c, {
        principal: null, requestId: c.get('requestId') ?? null, action: 'approveTimeEntryViaLink', targetType: 'time_entry', targetId: link?.timeEntryId ?? null,
        outcome: 'failure', reason: err.message,
      }, at);
      return c.html(page('Not approved', `<p>${escape(err.code === 'refused' ? `This time entry cannot be approved now: ${err.message}.` : 'You can no longer approve this time entry.')}</p>`), 409, PAGE_HEADERS);
    }
    if (!result.ok) {
      const r = refusal(result.check);
      await writeAudit(store, c, {
        principal: null, requestId: c.get('requestId') ?? null, action: 'approveTimeEntryViaLink', targetType: 'time_entry',
        targetId: result.check.link?.timeEntryId ?? null, outcome: 'failure', reason: `approval link: ${result.check.reason}`,
      }, at);
      return c.html(page(r.title, `<p>${escape(r.text)}</p>`), r.status, PAGE_HEADERS);
    }
    await writeAudit(store, c, {
      principal: result.principal, requestId: c.get('requestId') ?? null, action: 'approveTimeEntryViaLink', targetType: 'time_entry', targetId: result.entryId,
      outcome: 'success', reason: `${VIA_APPROVAL_LINK} from ${clientIp(c) ?? 'unknown address'}`,
    }, at);
    return c.html(page('Time approved', '<p>Thank you: the time is approved. You can close this page.</p>'), 200, PAGE_HEADERS);
  });
}
