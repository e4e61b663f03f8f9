import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { Id } from '../../../model/index.ts';
import type { InboxRow, InboxStatus } from '../../../store/index.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { hrefWith, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { banner } from '../layout.ts';
import { userMay } from '../roles.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const STATUSES = ['pending', 'done', 'failed', 'ignored'] as const satisfies readonly InboxStatus[];

const Filters = z.strictObject({
  status: z.enum(STATUSES).optional(),
  system: z.string().max(100).optional(),
  eventId: z.string().max(200).optional(),
  id: Id.optional(),
  before: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
type Filters = z.infer<typeof Filters>;

const IdPath = z.strictObject({ id: Id });

/**
 * The signature verdict: the inbox stores a delivery only after its signature verified (a bad
 * signature is answered 401 and never stored), so every stored row is "verified".
 */
const VERDICT = 'verified';

/** `/console/inbox`: every webhook delivery kept, newest first, with replay for failed and ignored ones. */
export function registerInbox(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, now } = deps;

  async function listPage(c: Context<ConsoleEnv>, f: Filters, result: SafeHtml | null, status: ContentfulStatusCode): Promise<Response> {
    const rows: InboxRow[] = f.id !== undefined
      ? [await store.repos.inbox.get(f.id)].filter((r): r is InboxRow => r !== null)
      : await store.repos.inbox.list({
        limit: f.limit + 1, newestFirst: true,
        ...(f.status === undefined ? {} : { status: f.status }), ...(f.system === undefined ? {} : { system: f.system }),
        ...(f.eventId === undefined ? {} : { eventId: f.eventId }), ...(f.before === undefined ? {} : { before: f.before }),
      });
    const shown = rows.slice(0, f.limit);
    const last = shown.at(-1);
    const query = { status: f.status, system: f.system, eventId: f.eventId, limit: f.limit === 50 ? undefined : f.limit };
    const next = rows.length > f.limit && last ? hrefWith('/console/inbox', { ...query, before: last.id }) : null;
    const canAct = userMay(c, 'sync.operate');
    const body = h`${result}
${filterForm('/console/inbox', [select('status', 'status', STATUSES, f.status), textInput('system', 'system', f.system), textInput('eventId', 'event id', f.eventId)], '/console/inbox')}
<p class="muted">Every stored delivery passed its signature check (a bad signature is refused with 401 and never stored).</p>
${shown.length === 0 ? h`<p class="muted">No deliveries.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Webhook deliveries, newest first</caption><thead><tr><th scope="col">received</th><th scope="col">system</th><th scope="col">event</th><th scope="col">record</th><th scope="col">signature</th><th scope="col">status</th><th scope="col">attempts</th><th scope="col">error</th><th scope="col">payload</th>${canAct ? h`<th scope="col">action</th>` : null}</tr></thead><tbody>${shown.map(
  (r) => h`<tr data-inbox="${r.id}"><td>${time(r.receivedAt)}</td><td>${r.system}</td><td><code>${r.eventId}</code><div class="muted">${r.kind}</div></td>
<td>${r.externalId === null ? '' : h`<a href="${hrefWith('/console/search', { q: r.externalId })}">${r.entity ?? ''} ${r.externalId}</a>`}</td>
<td>${tag(VERDICT)}</td><td>${tag(r.status)}</td><td class="num">${r.attempts}</td><td>${r.lastError === null ? '' : h`<code>${r.lastError}</code>`}</td>
<td><details><summary>${r.payload.length} bytes</summary><pre>${r.payload.slice(0, 4000)}</pre></details></td>
${canAct ? h`<td>${r.status === 'failed' || r.status === 'ignored' ? h`<form class="inline" method="post" action="/console/inbox/${encodeURIComponent(r.id)}/replay"><button type="submit" aria-label="replay delivery ${r.eventId}">replay</button></form>` : ''}</td>` : null}</tr>`,
)}</tbody></table></div>`}
${nextLink(next)}`;
    return render(c, 'Webhook inbox', 'inbox', body, status);
  }

  app.get('/inbox', async (c) => listPage(c, parseQuery(c, Filters), null, 200));

  app.post('/inbox/:id/replay', async (c) => {
    if (!userMay(c, 'sync.operate')) throw new ConsoleError(403, 'Not allowed', 'Replaying a delivery takes ops_admin. Nothing was changed.');
    const { id } = parsePath(c, IdPath);
    await parseForm(c, z.strictObject({}));
    const changed = await store.unitOfWork(async (tx) => {
      const n = await tx.inbox.replay([id]);
      if (n > 0) await writeAudit(tx, [consoleAudit(c, { action: 'inbox.replay', targetType: 'inbox', targetId: id }, now())]);
      return n;
    });
    const result = changed > 0
      ? banner('Delivery replayed', [{ ok: true, message: `Delivery ${id} is pending again; the relay processes it next.` }])
      : banner('Delivery not replayed', [{ ok: false, message: `Delivery ${id} was not found, or is not failed or ignored.` }]);
    return listPage(c, { limit: 50 }, result, changed > 0 ? 200 : 409);
  });
}
