import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ConflictResolver, RefusedError, type ResolveRequest } from '../../../engine/index.ts';
import { ENTITY_NAMES, Id, type EntityName } from '../../../model/index.ts';
import type { CanonicalRow, ConflictRow } from '../../../store/index.ts';
import { EntityNameSchema } from '../../schemas/common.ts';
import { coerceFormValue } from '../coerce.ts';
import { actorOf, type ConsoleEnv, type ConsoleSignedIn, type ResolvedConsoleDeps } from '../deps.ts';
import { refusedStatus } from '../errors.ts';
import { hrefWith, isInternal, recordLink, recordLabel, time, value } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { banner, type Outcome } from '../layout.ts';
import { render } from '../respond.ts';
import { filterForm, NO_IMPLICIT_SUBMIT, nextLink, select, textInput } from '../widgets.ts';

/** Most conflicts one bulk form resolves (the API's bulk limit). */
const MAX_BULK = 500;

const Filters = z.strictObject({
  entity: EntityNameSchema.optional(),
  system: z.string().max(100).optional(),
  field: z.string().max(100).optional(),
  canonicalId: Id.optional(),
  after: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
type Filters = z.infer<typeof Filters>;

const Choice = z.enum(['incoming', 'current', 'value'], { error: 'choose take incoming, keep current or set value' });
const Decision = {
  choice: Choice,
  value: z.string().max(10_000).optional(),
  reason: z.string().max(500).optional(),
};
const ResolveForm = z.strictObject(Decision);
const BulkForm = z.strictObject({
  ids: z.array(Id).min(1, 'select at least one conflict').max(MAX_BULK, `at most ${MAX_BULK} conflicts at once`),
  ...Decision,
});
type Decision = z.infer<typeof ResolveForm>;

const IdPath = z.strictObject({ id: Id });

interface Result extends Outcome {
  readonly status: ContentfulStatusCode;
}

const filterQuery = (f: Filters, after?: string) => ({
  entity: f.entity, system: f.system, field: f.field, canonicalId: f.canonicalId, after, limit: f.limit === 50 ? undefined : f.limit,
});

function show(v: ConflictRow['incoming']): string {
  return v === null ? 'null' : JSON.stringify(v);
}

/** `/console/conflicts`: open conflicts, each with its three values and the three ways to settle it. */
export function registerConflicts(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, policy, now } = deps;
  const { repos } = store;
  const resolver = new ConflictResolver(store, policy, now);

  async function resolveOne(id: string, decision: Decision, user: ConsoleSignedIn): Promise<Result> {
    const conflict = await repos.conflicts.get(id);
    if (!conflict) return { ok: false, status: 404, message: `Conflict ${id} was not found.` };
    const what = `${conflict.entity}.${conflict.field} of ${conflict.canonicalId}`;
    let request: ResolveRequest;
    const base = { by: actorOf(user), ...(decision.reason === undefined ? {} : { reason: decision.reason }) };
    if (decision.choice === 'value') {
      const coerced = coerceFormValue(conflict.entity, conflict.field, decision.value);
      if (!coerced.ok) return { ok: false, status: 422, message: `Conflict on ${what} not resolved: ${coerced.reason}.` };
      request = { ...base, choice: 'value', value: coerced.value };
    } else {
      request = { ...base, choice: decision.choice };
    }
    try {
      // resolveIn inside our own unit of work, so a refusal keeps its kind (not found, refused, invalid).
      const outcome = await store.unitOfWork((tx) => resolver.resolveIn(tx, id, request));
      const pushes = outcome.outboxIds?.length ?? 0;
      return {
        ok: true, status: 200,
        message: `Resolved conflict ${id} on ${what}: the value is now ${show(outcome.value ?? null)}${pushes > 0 ? `; ${pushes} push${pushes === 1 ? '' : 'es'} queued for the systems that lost` : ''}.`,
      };
    } catch (err) {
      if (err instanceof RefusedError) return { ok: false, status: refusedStatus(err), message: `Conflict ${id} not resolved: ${err.message}.` };
      throw err;
    }
  }

  async function listPage(c: Context<ConsoleEnv>, f: Filters, result: SafeHtml | null, status: ContentfulStatusCode): Promise<Response> {
    const rows = await repos.conflicts.list({
      status: 'open', limit: f.limit + 1,
      ...(f.entity === undefined ? {} : { entity: f.entity }), ...(f.system === undefined ? {} : { system: f.system }),
      ...(f.field === undefined ? {} : { field: f.field }), ...(f.canonicalId === undefined ? {} : { canonicalId: f.canonicalId }),
      ...(f.after === undefined ? {} : { after: f.after }),
    });
    const shown = rows.slice(0, f.limit);
    const records = await currentRecords(shown);
    const query = filterQuery(f, f.after);
    const last = shown.at(-1);
    const next = rows.length > f.limit && last ? hrefWith('/console/conflicts', filterQuery(f, last.id)) : null;
    const body = h`${result}
${filterForm('/console/conflicts', [
  select('entity', 'entity', ENTITY_NAMES, f.entity), textInput('system', 'system', f.system), textInput('field', 'field', f.field),
  textInput('canonicalId', 'record id', f.canonicalId),
], '/console/conflicts')}
${shown.length === 0 ? h`<p class="muted">No open conflicts${f.entity || f.system || f.field || f.canonicalId ? ' match the filter' : ''}.</p>` : h`
<form id="bulk" class="inline" method="post" action="${hrefWith('/console/conflicts/resolve', query)}">${NO_IMPLICIT_SUBMIT}
<strong>Selected:</strong>
<input name="reason" placeholder="reason (recorded in the ledger)" maxlength="500" aria-label="reason for the selected">
<button name="choice" value="incoming">take incoming (selected)</button>
<button name="choice" value="current">keep current (selected)</button>
<input name="value" placeholder="value (blank clears the field)" aria-label="value for the selected">
<button name="choice" value="value">set value (selected)</button>
</form>
<table><thead><tr><th></th><th>record</th><th>field</th><th>from system</th><th>base</th><th>current</th><th>incoming</th><th>opened</th><th>decide</th></tr></thead>
<tbody>${shown.map((conflict) => row(conflict, records.get(conflict.canonicalId), query))}</tbody></table>`}
${nextLink(next)}`;
    return render(c, 'Open conflicts', 'conflicts', body, status);
  }

  async function currentRecords(conflicts: readonly ConflictRow[]): Promise<Map<string, CanonicalRow>> {
    const byEntity = new Map<EntityName, string[]>();
    for (const c of conflicts) byEntity.set(c.entity, [...(byEntity.get(c.entity) ?? []), c.canonicalId]);
    const out = new Map<string, CanonicalRow>();
    for (const [entity, ids] of byEntity) for (const [id, r] of await repos.canonical.getMany(entity, ids)) out.set(id, r);
    return out;
  }

  app.get('/conflicts', async (c) => listPage(c, parseQuery(c, Filters), null, 200));

  app.post('/conflicts/resolve', async (c) => {
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, BulkForm, ['ids']);
    const results: Result[] = [];
    for (const id of new Set(form.ids)) results.push(await resolveOne(id, form, c.get('consoleSignedIn')));
    const done = results.filter((r) => r.ok).length;
    return listPage(c, f, banner(`${done} of ${results.length} conflicts resolved`, results), 200);
  });

  app.post('/conflicts/:id/resolve', async (c) => {
    const { id } = parsePath(c, IdPath);
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, ResolveForm);
    const result = await resolveOne(id, form, c.get('consoleSignedIn'));
    return listPage(c, f, banner(result.ok ? 'Conflict resolved' : 'Conflict not resolved', [result]), result.status);
  });
}

function row(conflict: ConflictRow, record: CanonicalRow | undefined, query: Record<string, string | number | undefined>): SafeHtml {
  const now = record?.fields[conflict.field];
  const changedSince = record !== undefined && (now ?? null) !== conflict.current;
  return h`<tr data-conflict="${conflict.id}">
<td><input type="checkbox" name="ids" value="${conflict.id}" form="bulk" aria-label="select conflict ${conflict.id}"></td>
<td>${recordLink(conflict.entity, conflict.canonicalId, recordLabel(conflict.entity, record?.fields))}<div class="muted">${conflict.entity} ${conflict.canonicalId}</div></td>
<td>${conflict.field}${isInternal(conflict.entity, conflict.field) ? h` <span class="tag internal">internal</span>` : null}</td>
<td>${conflict.system}<div class="muted">${conflict.externalId}</div></td>
<td>${value(conflict.base, conflict.field)}</td>
<td>${record === undefined ? h`<span class="muted">record gone</span>` : value(now ?? null, conflict.field)}${changedSince ? h`<div class="muted">was ${value(conflict.current, conflict.field)} when detected</div>` : null}</td>
<td>${value(conflict.incoming, conflict.field)}</td>
<td>${time(conflict.openedAt)}</td>
<td><form class="inline" method="post" action="${hrefWith(`/console/conflicts/${encodeURIComponent(conflict.id)}/resolve`, query)}">${NO_IMPLICIT_SUBMIT}
<input name="reason" placeholder="reason" maxlength="500" aria-label="reason">
<button name="choice" value="incoming">take incoming</button>
<button name="choice" value="current">keep current</button>
<input name="value" placeholder="blank clears" aria-label="value" size="12">
<button name="choice" value="value">set value</button>
</form></td></tr>`;
}
