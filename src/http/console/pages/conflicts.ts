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
import { hrefWith, isInternal, isPayData, recordLink, recordLabel, time, value as shownValue } from '../format.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import { maySeePay, userMay } from '../roles.ts';
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

  async function resolveOne(c: Context<ConsoleEnv>, id: string, decision: Decision, user: ConsoleSignedIn): Promise<Result> {
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
      const outcome = await store.unitOfWork(async (tx) => {
        const done = await resolver.resolveIn(tx, id, request);
        await writeAudit(tx, [consoleAudit(c, { action: 'conflict.resolve', targetType: 'conflict', targetId: id, reason: `${decision.choice}${decision.reason === undefined ? '' : `: ${decision.reason}`}` }, now())]);
        return done;
      });
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
    const showPay = maySeePay(c.get('consoleSignedIn').role);
    const rows = await repos.conflicts.list({
      status: 'open', limit: f.limit + 1,
      ...(f.entity === undefined ? {} : { entity: f.entity }), ...(f.system === undefined ? {} : { system: f.system }),
      ...(f.field === undefined ? {} : { field: f.field }), ...(f.canonicalId === undefined ? {} : { canonicalId: f.canonicalId }),
      ...(f.after === undefined ? {} : { after: f.after }),
    });
    const shown = rows.slice(0, f.limit);
    const records = await currentRecords(shown);
    const query = filterQuery(f, f.after);
    const canAct = userMay(c, 'conflicts.resolve');
    const filtered = f.entity !== undefined || f.system !== undefined || f.field !== undefined || f.canonicalId !== undefined;
    const last = shown.at(-1);
    const next = rows.length > f.limit && last ? hrefWith('/console/conflicts', filterQuery(f, last.id)) : null;
    const body = h`${result}
${filterForm('/console/conflicts', [
  select('entity', 'entity', ENTITY_NAMES, f.entity), textInput('system', 'system', f.system), textInput('field', 'field', f.field),
  textInput('canonicalId', 'record id', f.canonicalId),
], '/console/conflicts')}
${shown.length === 0 ? h`<p class="muted">No open conflicts${filtered ? ' match the filter' : ''}.</p>` : h`
${canAct ? h`<p><a href="${hrefWith('/console/conflicts/bulk', { ...query, after: undefined })}">Resolve every conflict matching this filter…</a></p>
<form id="bulk" class="inline" method="post" action="${hrefWith('/console/conflicts/resolve', query)}">${NO_IMPLICIT_SUBMIT}
<strong>Selected:</strong>
<input name="reason" placeholder="reason (recorded in the ledger)" maxlength="500" aria-label="reason for the selected">
<button name="choice" value="incoming">take incoming (selected)</button>
<button name="choice" value="current">keep current (selected)</button>
<input name="value" placeholder="value (blank clears the field)" aria-label="value for the selected">
<button name="choice" value="value">set value (selected)</button>
</form>` : null}
<div class="scroll" tabindex="0"><table><caption class="sr">Open conflicts: base, current and incoming side by side</caption><thead><tr>${canAct ? h`<th scope="col">select</th>` : null}<th scope="col">record</th><th scope="col">field</th><th scope="col">from system</th><th scope="col">base</th><th scope="col">current</th><th scope="col">incoming</th><th scope="col">opened</th>${canAct ? h`<th scope="col">decide</th>` : null}</tr></thead>
<tbody>${shown.map((conflict) => row(conflict, records.get(conflict.canonicalId), query, canAct, showPay))}</tbody></table></div>`}
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

  /** Open conflicts matching the filter (ignoring paging), at most MAX_BULK + 1 so "too many" shows. */
  async function matching(f: Filters): Promise<ConflictRow[]> {
    return repos.conflicts.list({
      status: 'open', limit: MAX_BULK + 1,
      ...(f.entity === undefined ? {} : { entity: f.entity }), ...(f.system === undefined ? {} : { system: f.system }),
      ...(f.field === undefined ? {} : { field: f.field }), ...(f.canonicalId === undefined ? {} : { canonicalId: f.canonicalId }),
    });
  }

  // Bulk by filter: a preview with the count, then a confirmation that must name the same count.
  app.get('/conflicts/bulk', async (c) => {
    const f = parseQuery(c, Filters);
    const rows = await matching(f);
    const query = filterQuery({ ...f, after: undefined });
    const tooMany = rows.length > MAX_BULK;
    const body = h`<p>This filter matches <strong data-count="${rows.length}">${tooMany ? `more than ${MAX_BULK}` : rows.length}</strong> open conflict${rows.length === 1 ? '' : 's'}${
      f.entity || f.system || f.field || f.canonicalId ? h` (${[f.entity, f.system, f.field, f.canonicalId].filter((x) => x !== undefined).join(', ')})` : ' (no filter: every open conflict)'}.</p>
${rows.length === 0 ? h`<p><a href="${hrefWith('/console/conflicts', query)}">Back to the conflicts</a></p>` : tooMany ? h`<p class="banner refused">Narrow the filter to at most ${MAX_BULK}.</p>` : h`
<form method="post" action="${hrefWith('/console/conflicts/bulk', query)}">${NO_IMPLICIT_SUBMIT}
<input type="hidden" name="expected" value="${rows.length}">
<p><label>Reason (recorded in the ledger) <input name="reason" maxlength="500"></label></p>
<p><label>Value, for "set value" (blank clears) <input name="value"></label></p>
<p><button name="choice" value="incoming">Confirm: take incoming on all ${rows.length}</button>
<button name="choice" value="current">Confirm: keep current on all ${rows.length}</button>
<button name="choice" value="value">Confirm: set the value on all ${rows.length}</button>
<a href="${hrefWith('/console/conflicts', query)}">cancel</a></p></form>`}`;
    return render(c, 'Resolve conflicts by filter', 'conflicts', body);
  });

  app.post('/conflicts/bulk', async (c) => {
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, z.strictObject({ expected: z.coerce.number().int().min(1).max(MAX_BULK), ...Decision }));
    const rows = await matching(f);
    if (rows.length !== form.expected) {
      return listPage(c, f, banner('Nothing resolved', [{ ok: false, message: `The filter now matches ${rows.length} open conflicts, not the ${form.expected} you confirmed; preview again.` }]), 409);
    }
    const results: Result[] = [];
    for (const row of rows) results.push(await resolveOne(c, row.id, form, c.get('consoleSignedIn')));
    const done = results.filter((r) => r.ok).length;
    return listPage(c, { ...f, after: undefined }, banner(`${done} of ${results.length} conflicts resolved`, results), 200);
  });

  app.post('/conflicts/resolve', async (c) => {
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, BulkForm, ['ids']);
    const results: Result[] = [];
    for (const id of new Set(form.ids)) results.push(await resolveOne(c, id, form, c.get('consoleSignedIn')));
    const done = results.filter((r) => r.ok).length;
    return listPage(c, f, banner(`${done} of ${results.length} conflicts resolved`, results), 200);
  });

  app.post('/conflicts/:id/resolve', async (c) => {
    const { id } = parsePath(c, IdPath);
    const f = parseQuery(c, Filters);
    const form = await parseForm(c, ResolveForm);
    const result = await resolveOne(c, id, form, c.get('consoleSignedIn'));
    return listPage(c, f, banner(result.ok ? 'Conflict resolved' : 'Conflict not resolved', [result]), result.status);
  });
}

function row(conflict: ConflictRow, record: CanonicalRow | undefined, query: Record<string, string | number | undefined>, canAct: boolean, showPay: boolean): SafeHtml {
  const now = record?.fields[conflict.field];
  const changedSince = record !== undefined && (now ?? null) !== conflict.current;
  const hidden = !showPay && isPayData(conflict.entity, conflict.field);
  const value = (v: ConflictRow['base'], field: string): SafeHtml => (hidden ? h`<span class="tag internal">pay data hidden</span>` : shownValue(v, field));
  return h`<tr data-conflict="${conflict.id}">
${canAct ? h`<td><input type="checkbox" name="ids" value="${conflict.id}" form="bulk" aria-label="select conflict ${conflict.id}"></td>` : null}
<td>${recordLink(conflict.entity, conflict.canonicalId, recordLabel(conflict.entity, record?.fields))}<div class="muted">${conflict.entity} ${conflict.canonicalId}</div></td>
<td>${conflict.field}${isInternal(conflict.entity, conflict.field) ? h` <span class="tag internal">internal</span>` : null}</td>
<td>${conflict.system}<div class="muted">${conflict.externalId}</div></td>
<td>${value(conflict.base, conflict.field)}</td>
<td>${record === undefined ? h`<span class="muted">record gone</span>` : value(now ?? null, conflict.field)}${changedSince ? h`<div class="muted">was ${value(conflict.current, conflict.field)} when detected</div>` : null}</td>
<td>${value(conflict.incoming, conflict.field)}</td>
<td>${time(conflict.openedAt)}</td>
${canAct ? h`<td><form class="inline" method="post" action="${hrefWith(`/console/conflicts/${encodeURIComponent(conflict.id)}/resolve`, query)}">${NO_IMPLICIT_SUBMIT}
<input name="reason" placeholder="reason" maxlength="500" aria-label="reason">
<button name="choice" value="incoming">take incoming</button>
<button name="choice" value="current">keep current</button>
<input name="value" placeholder="blank clears" aria-label="value" size="12">
<button name="choice" value="value">set value</button>
</form></td>` : null}</tr>`;
}
