import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ENTITY_NAMES, Id } from '../../../model/index.ts';
import type { OutboxRow, OutboxStatus } from '../../../store/index.ts';
import { EntityNameSchema } from '../../schemas/common.ts';
import { actorOf, type ConsoleEnv, type ResolvedConsoleDeps } from '../deps.ts';
import { hrefWith, recordLink, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { banner, type Outcome } from '../layout.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import { userMay } from '../roles.ts';
import { parkedOutboxIds } from '../queries/outbox.ts';
import { render } from '../respond.ts';
import { filterForm, NO_IMPLICIT_SUBMIT, nextLink, select, textInput } from '../widgets.ts';

const STATUSES = ['failed', 'pending', 'processing', 'done'] as const satisfies readonly OutboxStatus[];
const MAX_REPLAY = 500;

const Filters = z.strictObject({
  status: z.enum(STATUSES).default('failed'),
  system: z.string().max(100).optional(),
  entity: EntityNameSchema.optional(),
  after: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
type Filters = z.infer<typeof Filters>;

const ReplayOneForm = z.strictObject({});
const ReplayManyForm = z.strictObject({ ids: z.array(Id).min(1, 'select at least one row').max(MAX_REPLAY, `at most ${MAX_REPLAY} rows at once`) });
const IdPath = z.strictObject({ id: Id });

const filterQuery = (f: Filters, after?: string) => ({
  status: f.status === 'failed' ? undefined : f.status, system: f.system, entity: f.entity, after, limit: f.limit === 50 ? undefined : f.limit,
});

/** `/console/outbox`: parked pushes with their error, and "replay" to put them back in the queue. */
export function registerOutbox(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, now } = deps;

  /** Only failed (parked) rows are replayed, as the API does; the relay picks them up. */
  async function replay(c: Context<ConsoleEnv>, ids: readonly string[]): Promise<Outcome[]> {
    return store.unitOfWork(async (tx) => {
      const at = now();
      const out: Outcome[] = [];
      for (const id of new Set(ids)) {
        const row = await tx.outbox.get(id);
        if (!row) out.push({ ok: false, message: `Outbox row ${id} was not found.` });
        else if (row.status !== 'failed') out.push({ ok: false, message: `Outbox row ${id} is ${row.status}; only parked (failed) rows are replayed.` });
        else {
          await tx.outbox.replay([id], at);
          await writeAudit(tx, [consoleAudit(c, { action: 'outbox.replay', targetType: 'outbox', targetId: id }, at)]);
          // The ledger names who sent a parked push back to the queue, beside the record's history.
          await tx.ledger.appendMany([{
            at, direction: 'out', system: row.system, entity: row.entity, canonicalId: row.canonicalId, externalId: row.externalId, action: 'replay', outcome: 'applied',
            diff: null, reason: `parked push ${id} replayed (last error: ${(row.lastError ?? 'none').slice(0, 200)})`, sourceModifiedAt: null,
            actor: actorOf(c.get('consoleSignedIn')), runId: null, jobId: null,
          }]);
          out.push({ ok: true, message: `Replayed the push of ${row.entity} ${row.canonicalId} to ${row.system} (row ${id}): it is queued again.` });
        }
      }
      return out;
    });
  }

  async function listPage(c: Context<ConsoleEnv>, f: Filters, result: SafeHtml | null, status: ContentfulStatusCode): Promise<Response> {
    const rows = await store.repos.outbox.list({
      status: f.status, limit: f.limit + 1,
      ...(f.system === undefined ? {} : { system: f.system }), ...(f.entity === undefined ? {} : { entity: f.entity }),
      ...(f.after === undefined ? {} : { after: f.after }),
    });
    const shown = rows.slice(0, f.limit);
    const last = shown.at(-1);
    const next = rows.length > f.limit && last ? hrefWith('/console/outbox', filterQuery(f, last.id)) : null;
    const query = filterQuery(f, f.after);
    const replayable = f.status === 'failed' && userMay(c, 'conflicts.resolve');
    const matching = f.status === 'failed' ? await countParked(f) : 0;
    const body = h`${result}
${filterForm('/console/outbox', [
  h`<label>status<select name="status">${STATUSES.map((s) => h`<option value="${s}"${s === f.status ? h` selected` : null}>${s === 'failed' ? 'failed (parked)' : s}</option>`)}</select></label>`,
  textInput('system', 'system', f.system), select('entity', 'entity', ENTITY_NAMES, f.entity),
], '/console/outbox')}
${shown.length === 0 ? h`<p class="muted">No ${f.status === 'failed' ? 'parked' : f.status} pushes.</p>` : h`
${replayable ? h`<form id="bulk" class="inline" method="post" action="${hrefWith('/console/outbox/replay', query)}">${NO_IMPLICIT_SUBMIT}<button type="submit">replay selected</button></form>
<form class="inline" method="post" action="${hrefWith('/console/outbox/replay-matching', query)}"><input type="hidden" name="expected" value="${matching}"><button type="submit">replay all ${matching} parked matching this filter</button></form>` : null}
<div class="scroll" tabindex="0"><table><caption class="sr">Outbox rows</caption><thead><tr>${replayable ? h`<th scope="col">select</th>` : null}<th scope="col">record</th><th scope="col">system</th><th scope="col">op</th><th scope="col">fields</th><th scope="col">why</th><th scope="col">attempts</th><th scope="col">error</th><th scope="col">updated</th>${replayable ? h`<th scope="col">action</th>` : null}</tr></thead>
<tbody>${shown.map((r) => row(r, replayable, query))}</tbody></table></div>`}
${nextLink(next)}`;
    return render(c, f.status === 'failed' ? 'Parked pushes' : `Outbox: ${f.status}`, 'outbox', body, status);
  }

  app.get('/outbox', async (c) => listPage(c, parseQuery(c, Filters), null, 200));

  /** Parked rows matching the filter (what "replay all" would touch), capped at MAX_REPLAY. */
  async function parkedIds(f: Filters): Promise<string[]> {
    return parkedOutboxIds(store, f, MAX_REPLAY);
  }
  async function countParked(f: Filters): Promise<number> {
    return (await parkedIds(f)).length;
  }

  app.post('/outbox/replay-matching', async (c) => {
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, z.strictObject({ expected: z.coerce.number().int().min(0) }));
    const ids = await parkedIds({ ...f, status: 'failed' });
    if (ids.length !== form.expected) {
      return listPage(c, f, banner('Nothing replayed', [{ ok: false, message: `The filter now matches ${ids.length} parked rows, not the ${form.expected} shown; look again and confirm.` }]), 409);
    }
    const results = await replay(c, ids);
    return listPage(c, f, banner(`${results.filter((r) => r.ok).length} of ${results.length} pushes replayed`, results), 200);
  });

  app.post('/outbox/replay', async (c) => {
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, ReplayManyForm, ['ids']);
    const results = await replay(c, form.ids);
    return listPage(c, f, banner(`${results.filter((r) => r.ok).length} of ${results.length} pushes replayed`, results), 200);
  });

  app.post('/outbox/:id/replay', async (c) => {
    const { id } = parsePath(c, IdPath);
    const f = parseQuery(c, Filters);
    await parseForm(c, ReplayOneForm);
    const [result] = await replay(c, [id]);
    const ok = result?.ok ?? false;
    return listPage(c, f, banner(ok ? 'Push replayed' : 'Push not replayed', result ? [result] : []), ok ? 200 : 409);
  });
}

function row(r: OutboxRow, replayable: boolean, query: Record<string, string | number | undefined>): SafeHtml {
  return h`<tr data-outbox="${r.id}">
${replayable ? h`<td><input type="checkbox" name="ids" value="${r.id}" form="bulk" aria-label="select push ${r.id}"></td>` : null}
<td>${recordLink(r.entity, r.canonicalId, `${r.entity} ${r.canonicalId}`)}</td><td>${r.system}${r.externalId === null ? null : h`<div class="muted">${r.externalId}</div>`}</td>
<td>${r.op}</td><td>${r.fields.join(', ')}</td><td>${r.reason}</td><td class="num">${r.attempts}</td>
<td>${r.lastError === null ? h`<span class="null">—</span>` : h`<code>${r.lastError}</code>`}</td><td>${time(r.updatedAt)}</td>
${replayable ? h`<td><form class="inline" method="post" action="${hrefWith(`/console/outbox/${encodeURIComponent(r.id)}/replay`, query)}"><button type="submit" aria-label="replay push ${r.id}">replay</button></form></td>` : null}
</tr>`;
}
