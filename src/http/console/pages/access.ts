import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { createSession } from '../../../access/credentials/sessions.ts';
import { Id } from '../../../model/index.ts';
import type { AuditEvent } from '../../../store/index.ts';
import { clientIp } from '../../audit.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { hrefWith, recordLink, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { banner } from '../layout.ts';
import { requireAction, userMay } from '../roles.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const OUTCOMES = ['success', 'failure', 'denied'] as const;
const ACTOR_TYPES = ['user', 'contact', 'service', 'bootstrap', 'anonymous'] as const;
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)');

const Filters = z.strictObject({
  actorType: z.enum(ACTOR_TYPES).optional(),
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  before: z.string().regex(/^\d{1,15}$/).optional(),
  sessionsBefore: z.string().max(100).optional(),
  user: z.string().max(100).optional(),
  viewAs: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
type Filters = z.infer<typeof Filters>;

const IdPath = z.strictObject({ id: z.string().min(1).max(100) });
const ViewAsForm = z.strictObject({ contactId: Id });
const SESSIONS = 50;

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString();

/** The portal API's answers for a contact, read in-process under a view-as token. */
const VIEW_AS_READS: ReadonlyArray<readonly [string, string]> = [
  ['Who the contact is', '/api/v1/me'],
  ['Worksites', '/api/v1/me/worksites?limit=20'],
  ['Approvals waiting', '/api/v1/me/approvals?limit=20'],
  ['Assignments', '/api/v1/records/assignment?limit=20'],
  ['Time entries', '/api/v1/records/time_entry?limit=20'],
];

function jsonTable(title: string, payload: unknown): SafeHtml {
  const data = typeof payload === 'object' && payload !== null && 'data' in payload ? (payload).data : payload;
  const rows = Array.isArray(data) ? data : [data];
  const objects = rows.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
  if (objects.length === 0) return h`<section><h3>${title}</h3><p class="muted">Nothing.</p></section>`;
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))].slice(0, 12);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return h`<span class="null">—</span>`;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    return h`<code>${JSON.stringify(v).slice(0, 200)}</code>`;
  };
  return h`<section><h3>${title}</h3><div class="scroll" tabindex="0"><table class="view-as"><caption class="sr">${title} as the contact sees it</caption><thead><tr>${columns.map((k) => h`<th scope="col">${k}</th>`)}</tr></thead><tbody>${objects.map(
    (o) => h`<tr>${columns.map((k) => h`<td>${cell(o[k])}</td>`)}</tr>`,
  )}</tbody></table></div></section>`;
}

/** `/console/access`: ops users, API keys (revoke), sessions (revoke), the audit log with filters, and view as contact. */
export function registerAccess(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, now } = deps;
  const { access, audit } = store.repos;

  async function listPage(c: Context<ConsoleEnv>, f: Filters, result: SafeHtml | null, status: ContentfulStatusCode): Promise<Response> {
    const at = now();
    const [users, keys, sessions] = await Promise.all([
      access.listUsers(), access.listKeys({ includeRevoked: true }),
      access.listSessions({ activeAt: at, limit: SESSIONS + 1, ...(f.sessionsBefore === undefined ? {} : { before: f.sessionsBefore }) }),
    ]);
    const emailOf = new Map(users.map((u) => [u.id, u.email]));
    const manage = userMay(c, 'users.manage');
    const readAudit = userMay(c, 'audit.read');
    const mayViewAs = userMay(c, 'view_as.mint');
    const owner = (kind: string, id: string | null) => (id === null ? kind : kind === 'user' ? `${emailOf.get(id) ?? id}` : kind === 'contact' ? recordLink('contact', id, `contact ${id}`) : `${kind} ${id}`);
    let auditPart: SafeHtml = h`<p class="muted">The audit log is for ops admins.</p>`;
    if (readAudit) {
      const events = await audit.list({
        limit: f.limit + 1,
        ...(f.actorType === undefined ? {} : { actorType: f.actorType }), ...(f.actorId === undefined ? {} : { actorId: f.actorId }),
        ...(f.action === undefined ? {} : { action: f.action }), ...(f.targetId === undefined ? {} : { targetId: f.targetId }),
        ...(f.outcome === undefined ? {} : { outcome: f.outcome }), ...(f.from === undefined ? {} : { since: f.from }),
        ...(f.to === undefined ? {} : { until: nextDay(f.to) }), ...(f.before === undefined ? {} : { beforeSeq: Number(f.before) }),
      });
      const shown = events.slice(0, f.limit);
      const last = shown.at(-1);
      const next = events.length > f.limit && last?.seq !== undefined
        ? hrefWith('/console/access', { actorType: f.actorType, actorId: f.actorId, action: f.action, targetId: f.targetId, outcome: f.outcome, from: f.from, to: f.to, before: last.seq })
        : null;
      auditPart = h`${filterForm('/console/access', [
        select('actorType', 'actor type', ACTOR_TYPES, f.actorType), textInput('actorId', 'actor id', f.actorId), textInput('action', 'action', f.action),
        textInput('targetId', 'target id', f.targetId), select('outcome', 'outcome', OUTCOMES, f.outcome),
        textInput('from', 'from (date)', f.from, 'YYYY-MM-DD'), textInput('to', 'to (date)', f.to, 'YYYY-MM-DD'),
      ], '/console/access')}
${shown.length === 0 ? h`<p class="muted">No audit events match.</p>` : h`<div class="scroll" tabindex="0"><table class="audit"><caption class="sr">Audit log, newest first</caption><thead><tr><th scope="col">at</th><th scope="col">actor</th><th scope="col">on behalf of</th><th scope="col">action</th><th scope="col">target</th><th scope="col">outcome</th><th scope="col">reason</th><th scope="col">credential</th><th scope="col">ip</th></tr></thead><tbody>${shown.map(
  (e: AuditEvent) => h`<tr data-audit="${e.seq ?? 0}"><td>${time(e.at)}</td><td>${e.actorType}${e.actorId === null ? '' : h` <span class="muted">${emailOf.get(e.actorId) ?? e.actorId}</span>`}</td><td>${e.onBehalfOf ?? ''}</td><td><code>${e.action}</code></td><td>${e.targetType ?? ''} ${e.targetId ?? ''}</td><td>${tag(e.outcome)}</td><td>${e.reason ?? ''}</td><td>${e.credential ?? ''}</td><td>${e.ip ?? ''}</td></tr>`,
)}</tbody></table></div>`}${nextLink(next)}`;
    }
    const lastSession = sessions.slice(0, SESSIONS).at(-1);
    const nextSessions = sessions.length > SESSIONS && lastSession ? hrefWith('/console/access', { sessionsBefore: `${lastSession.createdAt}|${lastSession.id}` }) : null;
    const body = h`${result}
<section id="view-as"><h2>View as a contact</h2><p class="muted">Opens the portal API's view for one contact under a read-only view-as token (60 minutes). Every request under it is audited with your name.</p>
${mayViewAs ? h`<form class="inline" method="post" action="/console/access/view-as"><label>contact id <input name="contactId" value="${f.viewAs ?? ''}" size="38" required></label><button type="submit">View as this contact</button></form>` : h`<p class="muted">Viewing as a contact takes ops_admin or coordinator.</p>`}</section>
<section id="users"><h2>Ops users</h2><div class="scroll" tabindex="0"><table><caption class="sr">Ops users</caption><thead><tr><th scope="col">e-mail</th><th scope="col">name</th><th scope="col">role</th><th scope="col">status</th><th scope="col">created</th></tr></thead><tbody>${users.map(
  (u) => h`<tr${f.user === u.id ? h` class="focus"` : null}><td>${u.email}</td><td>${u.name ?? ''}</td><td>${u.role}</td><td>${tag(u.status)}</td><td>${time(u.createdAt)}</td></tr>`,
)}</tbody></table></div></section>
<section id="keys"><h2>API keys</h2>${keys.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">API keys</caption><thead><tr><th scope="col">prefix</th><th scope="col">name</th><th scope="col">owner</th><th scope="col">scopes</th><th scope="col">last used</th><th scope="col">expires</th><th scope="col">state</th>${manage ? h`<th scope="col">action</th>` : null}</tr></thead><tbody>${keys.map(
  (k) => h`<tr data-key="${k.id}"><td><code>cw_live_${k.id}_…</code></td><td>${k.name}</td><td>${owner(k.ownerKind, k.ownerId)}${k.role === null ? '' : ` (${k.role})`}</td><td>${k.scopes.join(', ')}</td><td>${time(k.lastUsedAt)}</td><td>${time(k.expiresAt)}</td><td>${k.revokedAt === null ? tag('active') : h`${tag('revoked')} ${time(k.revokedAt)}`}</td>${
    manage ? h`<td>${k.revokedAt === null ? h`<form class="inline" method="post" action="/console/access/keys/${k.id}/revoke"><button type="submit" aria-label="revoke key ${k.name}">revoke</button></form>` : ''}</td>` : null}</tr>`,
)}</tbody></table></div>`}</section>
<section id="sessions"><h2>Active sessions</h2>${sessions.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Active sessions, newest first</caption><thead><tr><th scope="col">who</th><th scope="col">kind</th><th scope="col">on behalf of</th><th scope="col">created</th><th scope="col">last seen</th><th scope="col">expires</th><th scope="col">ip</th>${manage ? h`<th scope="col">action</th>` : null}</tr></thead><tbody>${sessions.slice(0, SESSIONS).map(
  (s) => h`<tr><td>${owner(s.principalKind, s.principalId)}</td><td>${s.kind}</td><td>${s.onBehalfOf === null ? '' : (emailOf.get(s.onBehalfOf) ?? s.onBehalfOf)}</td><td>${time(s.createdAt)}</td><td>${time(s.lastSeenAt)}</td><td>${time(s.expiresAt)}</td><td>${s.ip ?? ''}</td>${
    manage ? h`<td><form class="inline" method="post" action="/console/access/sessions/${s.id}/revoke"><button type="submit" aria-label="revoke session ${s.id.slice(0, 8)}">revoke</button></form></td>` : null}</tr>`,
)}</tbody></table></div>${nextLink(nextSessions)}`}</section>
<section id="audit"><h2>Audit log</h2>${auditPart}</section>`;
    return render(c, 'Access and audit', 'access', body, status);
  }

  app.get('/access', async (c) => listPage(c, parseQuery(c, Filters), null, 200));

  app.post('/access/keys/:id/revoke', requireAction('users.manage'), async (c) => {
    const { id } = parsePath(c, IdPath);
    await parseForm(c, z.strictObject({}));
    const at = now();
    const done = await store.unitOfWork(async (tx) => {
      const ok = await tx.access.revokeKey(id, at);
      await writeAudit(tx, [consoleAudit(c, { action: 'api_key.revoke', targetType: 'api_key', targetId: id, outcome: ok ? 'success' : 'failure', reason: ok ? null : 'not found or already revoked' }, at)]);
      return ok;
    });
    return listPage(c, { limit: 50 }, banner(done ? 'Key revoked' : 'Key not revoked', [{ ok: done, message: done ? `API key cw_live_${id}_… is revoked: it answers 401 from now on.` : `API key ${id} was not found or was already revoked.` }]), done ? 200 : 404);
  });

  app.post('/access/sessions/:id/revoke', requireAction('users.manage'), async (c) => {
    const { id } = parsePath(c, IdPath);
    await parseForm(c, z.strictObject({}));
    const at = now();
    const done = await store.unitOfWork(async (tx) => {
      const ok = await tx.access.revokeSession(id, at);
      await writeAudit(tx, [consoleAudit(c, { action: 'session.revoke', targetType: 'session', targetId: id, outcome: ok ? 'success' : 'failure' }, at)]);
      return ok;
    });
    return listPage(c, { limit: 50 }, banner(done ? 'Session revoked' : 'Session not revoked', [{ ok: done, message: done ? `Session ${id.slice(0, 8)}… is revoked.` : `Session ${id} was not found or was already revoked.` }]), done ? 200 : 404);
  });

  app.post('/access/view-as', requireAction('view_as.mint'), async (c) => {
    const form = await parseForm(c, ViewAsForm);
    const user = c.get('consoleSignedIn');
    const at = now();
    const contact = await store.repos.canonical.get('contact', form.contactId);
    if (!contact || contact.deletedAt !== null || contact.fields['status'] !== 'active') {
      throw new ConsoleError(404, 'Not found', `Contact ${form.contactId} was not found or is not active.`);
    }
    if (deps.api === undefined) throw new ConsoleError(503, 'Unavailable', 'The console was mounted without the hub API; view-as needs it.');
    const minted = await store.unitOfWork(async (tx) => {
      const session = await createSession(tx, {
        kind: 'view_as', principalKind: 'contact', principalId: contact.id, onBehalfOf: user.id, readOnly: true,
        ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null,
      }, at);
      await writeAudit(tx, [consoleAudit(c, { action: 'view_as.mint', targetType: 'contact', targetId: contact.id, onBehalfOf: contact.id }, at)]);
      return session;
    });
    const origin = new URL(c.req.url).origin;
    const parts: SafeHtml[] = [];
    for (const [title, path] of VIEW_AS_READS) {
      const response = await deps.api(new Request(`${origin}${path}`, { headers: { authorization: `Bearer ${minted.token}`, accept: 'application/json' } }));
      const payload: unknown = await response.json().catch(() => null);
      parts.push(response.ok ? jsonTable(title, payload) : h`<section><h3>${title}</h3><p class="muted">The API answered ${response.status}.</p></section>`);
    }
    // The token never left the server; it is revoked as soon as the page is read.
    await store.unitOfWork(async (tx) => tx.access.revokeSession(minted.row.id, now()));
    const name = `${String(contact.fields['firstName'] ?? '')} ${String(contact.fields['lastName'] ?? '')}`.trim();
    const top = h`<div class="viewas" role="status">Viewing as ${name} (contact ${contact.id}) — read-only, every request audited as ${user.email}. The token was used for this page only and is revoked.</div>`;
    const body = h`<p>What the portal API returns to this contact, fetched with a read-only view-as token minted for you. <a href="/console/access">Back to access</a> · ${recordLink('contact', contact.id, 'the contact record')}</p>${parts}`;
    return render(c, `Viewing as ${name}`, 'access', body, 200, { banner: top });
  });
}
