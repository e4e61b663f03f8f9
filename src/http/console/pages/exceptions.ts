import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { Engine, IdentityReviews, RefusedError } from '../../../engine/index.ts';
import { releaseHeldEntry } from '../../../engine/time/release.ts';
import { Id } from '../../../model/index.ts';
import { EntityNameSchema } from '../../schemas/common.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import { actorOf, type ConsoleEnv, type ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { hrefWith, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { banner } from '../layout.ts';
import { exceptionSources, type ExceptionAction, type ExceptionSource } from '../queries/exceptions.ts';
import { roleMay } from '../roles.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const PER_SECTION = 20;

const Filters = z.strictObject({
  kind: z.string().max(60).optional(),
  system: z.string().max(100).optional(),
  after: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
type Filters = z.infer<typeof Filters>;

const RetryForm = z.strictObject({ system: z.string().min(1).max(100), entity: EntityNameSchema, externalId: z.string().min(1).max(200) });
const LinkForm = z.strictObject({ canonicalId: Id, reason: z.string().max(500).optional() });
const SplitForm = z.strictObject({ reason: z.string().max(500).optional() });
const ReleaseForm = z.strictObject({ timeEntryId: Id });
const IdPath = z.strictObject({ id: Id });

function actionForm(a: ExceptionAction, what: string): SafeHtml {
  return h`<form class="inline" method="post" action="${a.path}">${Object.entries(a.fields).map(([k, v]) => h`<input type="hidden" name="${k}" value="${v}">`)}${
    a.input === undefined ? null : a.input.options !== undefined && a.input.options.length > 0
      ? h`<label>${a.input.label}<select name="${a.input.name}">${a.input.options.map((o) => h`<option value="${o}">${o}</option>`)}</select></label>`
      : h`<label>${a.input.label}<input name="${a.input.name}" size="20"></label>`
  }<button type="submit" aria-label="${a.label}: ${what}">${a.label}</button></form>`;
}

/**
 * `/console/exceptions`: every record waiting on a person (identity reviews, held, parked and
 * rejected records, rejected ledger rows) with the action that resolves each. Kinds come from
 * `exceptionSources`, so a new kind (time without an approver, disputes) appears by being added there.
 */
export function registerExceptions(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, policy, now } = deps;
  const reviews = new IdentityReviews(new Engine(store, { policy, now }), now);

  async function section(c: Context<ConsoleEnv>, source: ExceptionSource, f: Filters, only: boolean): Promise<SafeHtml> {
    const limit = f.limit ?? PER_SECTION;
    const page = await source.list(store, { limit, ...(f.system === undefined ? {} : { system: f.system }), ...(only && f.after !== undefined ? { after: f.after } : {}) });
    const total = await source.count(store);
    const role = c.get('consoleSignedIn').role;
    const withActions = page.rows.some((r) => r.actions.some((a) => roleMay(role, a.action)));
    const next = page.next === null ? null : hrefWith('/console/exceptions', { kind: source.kind, system: f.system, after: page.next, limit: f.limit });
    return h`<section id="${source.kind}"><h2>${source.title} <span class="muted">(${total})</span></h2><p class="muted">${source.help}</p>
${page.rows.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table data-kind="${source.kind}"><caption class="sr">${source.title}</caption><thead><tr><th scope="col">system</th><th scope="col">record</th><th scope="col">why</th><th scope="col">since</th>${withActions ? h`<th scope="col">resolve</th>` : null}</tr></thead><tbody>${page.rows.map(
  (r) => h`<tr data-exception="${r.key}"><td>${r.system}</td><td>${r.href === null ? r.what : h`<a href="${r.href}">${r.what}</a>`}</td><td>${r.reason}</td><td>${time(r.since)}</td>${
    withActions ? h`<td>${r.actions.filter((a) => roleMay(role, a.action)).map((a) => actionForm(a, r.what))}</td>` : null}</tr>`,
)}</tbody></table></div>`}${nextLink(next)}</section>`;
  }

  async function listPage(c: Context<ConsoleEnv>, f: Filters, result: SafeHtml | null, status: ContentfulStatusCode): Promise<Response> {
    const sources = f.kind === undefined ? exceptionSources : exceptionSources.filter((s) => s.kind === f.kind);
    if (sources.length === 0) throw new ConsoleError(400, 'Bad request', `There is no exception kind ${f.kind ?? ''}.`, [`query.kind: one of ${exceptionSources.map((s) => s.kind).join(', ')}`]);
    const sections: SafeHtml[] = [];
    for (const s of sources) sections.push(await section(c, s, f, f.kind !== undefined));
    const body = h`${result}${filterForm('/console/exceptions', [select('kind', 'kind', exceptionSources.map((s) => s.kind), f.kind), textInput('system', 'system', f.system)], '/console/exceptions')}
<nav aria-label="exception kinds"><ul>${exceptionSources.map((s) => h`<li><a href="#${s.kind}">${s.title}</a></li>`)}</ul></nav>
${sections}`;
    return render(c, 'Exceptions', 'exceptions', body, status);
  }

  function refuseUnless(c: Context<ConsoleEnv>, action: 'sync.operate' | 'conflicts.resolve' | 'time.operate'): void {
    const { role } = c.get('consoleSignedIn');
    if (!roleMay(role, action)) throw new ConsoleError(403, 'Not allowed', `Your role (${role}) may not do this. Nothing was changed.`);
  }

  app.get('/exceptions', async (c) => listPage(c, parseQuery(c, Filters), null, 200));

  app.post('/exceptions/links/retry', async (c) => {
    refuseUnless(c, 'sync.operate');
    const form = await parseForm(c, RetryForm);
    const n = await store.unitOfWork(async (tx) => {
      const changed = await tx.links.forgetHashes([{ system: form.system, entity: form.entity, externalId: form.externalId }]);
      await writeAudit(tx, [consoleAudit(c, { action: 'link.retry', targetType: 'link', targetId: `${form.system}|${form.entity}|${form.externalId}` }, now())]);
      return changed;
    });
    return listPage(c, {}, banner('Re-evaluation queued', [{ ok: n > 0, message: n > 0 ? `${form.system} ${form.entity} ${form.externalId} is evaluated again at its next delivery or pull.` : `No link ${form.system} ${form.entity} ${form.externalId}.` }]), n > 0 ? 200 : 404);
  });

  app.post('/exceptions/time/release', async (c) => {
    refuseUnless(c, 'time.operate');
    const form = await parseForm(c, ReleaseForm);
    try {
      await store.unitOfWork(async (tx) => {
        await releaseHeldEntry(tx, policy, form.timeEntryId, actorOf(c.get('consoleSignedIn')), now());
        await writeAudit(tx, [consoleAudit(c, { action: 'time.release', targetType: 'time_entry', targetId: form.timeEntryId }, now())]);
      });
    } catch (err) {
      if (err instanceof RefusedError) return listPage(c, {}, banner('Not released', [{ ok: false, message: err.message }]), err.code === 'not_found' ? 404 : 409);
      throw err;
    }
    return listPage(c, {}, banner('Released', [{ ok: true, message: `time entry ${form.timeEntryId} goes to payroll in the current period.` }]), 200);
  });

  async function decide(c: Context<ConsoleEnv>, id: string, run: () => Promise<unknown>, verb: string): Promise<Response> {
    try {
      await run();
    } catch (err) {
      if (err instanceof RefusedError) return listPage(c, {}, banner(`Not ${verb}`, [{ ok: false, message: err.message }]), err.code === 'not_found' ? 404 : 409);
      throw err;
    }
    await writeAudit(store.repos, [consoleAudit(c, { action: `identity.${verb}`, targetType: 'identity_review', targetId: id }, now())]);
    return listPage(c, {}, banner(`Identity ${verb}`, [{ ok: true, message: `Identity review ${id} answered: ${verb}.` }]), 200);
  }

  app.post('/exceptions/identity/:id/link', async (c) => {
    refuseUnless(c, 'conflicts.resolve');
    const { id } = parsePath(c, IdPath);
    const form = await parseForm(c, LinkForm);
    return decide(c, id, () => reviews.link(id, form.canonicalId, actorOf(c.get('consoleSignedIn')), form.reason), 'linked');
  });

  app.post('/exceptions/identity/:id/split', async (c) => {
    refuseUnless(c, 'conflicts.resolve');
    const { id } = parsePath(c, IdPath);
    const form = await parseForm(c, SplitForm);
    return decide(c, id, () => reviews.split(id, actorOf(c.get('consoleSignedIn')), form.reason), 'split');
  });
}
