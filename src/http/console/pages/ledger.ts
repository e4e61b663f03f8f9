import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITY_NAMES, Id } from '../../../model/index.ts';
import type { LedgerEntry } from '../../../store/index.ts';
import { EntityNameSchema } from '../../schemas/common.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { diffList, hrefWith, recordLink, runHref, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseQuery } from '../input.ts';
import { maySeePay } from '../roles.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const OUTCOMES = ['applied', 'conflict', 'rejected', 'failed'] as const;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'a date (YYYY-MM-DD) or an ISO time');

const Filters = z.strictObject({
  system: z.string().max(100).optional(),
  entity: EntityNameSchema.optional(),
  outcome: z.enum(OUTCOMES).optional(),
  actor: z.string().max(120).optional(),
  canonicalId: Id.optional(),
  runId: Id.optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  before: z.string().regex(/^\d{1,15}$/, 'a ledger sequence number').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The end of a `to` filter: a bare date includes that whole day. */
function untilOf(to: string): string {
  return to.length === 10 ? new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString() : to;
}

/** One ledger row; `showPay` only where ops act on pay data (a record's own page). */
export function ledgerRow(e: LedgerEntry, showPay: boolean): SafeHtml {
  return h`<tr data-seq="${e.seq ?? 0}">
<td class="num">${e.seq ?? 0}</td><td>${time(e.at)}</td><td>${e.direction}</td><td>${e.system}</td>
<td>${e.canonicalId === null ? e.entity : recordLink(e.entity, e.canonicalId, `${e.entity} ${e.canonicalId}`)}${e.externalId === null ? null : h`<div class="muted">${e.externalId}</div>`}</td>
<td>${e.action}</td><td>${tag(e.outcome)}</td>
<td>${diffList(e.entity, e.diff, showPay)}</td>
<td>${e.reason ?? ''}</td><td>${e.actor ?? ''}</td>
<td>${e.runId === null ? '' : h`<a href="${runHref(e.runId)}">run</a>`}</td></tr>`;
}

export function ledgerTable(entries: readonly LedgerEntry[], showPay: boolean): SafeHtml {
  if (entries.length === 0) return h`<p class="muted">No ledger entries.</p>`;
  return h`<div class="scroll" tabindex="0"><table class="ledger"><caption class="sr">Ledger entries, newest first</caption><thead><tr><th scope="col">seq</th><th scope="col">at</th><th scope="col">dir</th><th scope="col">system</th><th scope="col">record</th><th scope="col">action</th><th scope="col">outcome</th><th scope="col">changes</th><th scope="col">reason</th><th scope="col">actor</th><th scope="col">run</th></tr></thead>
<tbody>${entries.map((e) => ledgerRow(e, showPay))}</tbody></table></div>`;
}

/** `/console/ledger`: the sync ledger, newest first, filtered in the URL, paged by sequence number. */
export function registerLedger(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  app.get('/ledger', async (c) => {
    const f = parseQuery(c, Filters);
    const shown = await ledgerPage(deps, f);
    const rows = shown.rows;
    const last = rows.at(-1);
    const next = shown.more && last?.seq !== undefined
      ? hrefWith('/console/ledger', {
        system: f.system, entity: f.entity, outcome: f.outcome, actor: f.actor, canonicalId: f.canonicalId, runId: f.runId, from: f.from, to: f.to,
        before: last.seq, limit: f.limit === 50 ? undefined : f.limit,
      })
      : null;
    const body = h`${filterForm('/console/ledger', [
      textInput('system', 'system', f.system), select('entity', 'entity', ENTITY_NAMES, f.entity), select('outcome', 'outcome', OUTCOMES, f.outcome),
      textInput('actor', 'actor (user:…)', f.actor), textInput('canonicalId', 'record id', f.canonicalId), textInput('runId', 'run id', f.runId),
      textInput('from', 'from (date)', f.from, 'YYYY-MM-DD'), textInput('to', 'to (date)', f.to, 'YYYY-MM-DD'),
    ], '/console/ledger')}
<p class="muted">Newest first. ${maySeePay(c.get('consoleSignedIn').role) ? 'Pay rates are hidden in this list; a record\'s own page shows them.' : 'Pay rates are hidden for your role.'}</p>
${ledgerTable(rows, false)}
${nextLink(next)}`;
    return render(c, 'Ledger', 'ledger', body);
  });
}

type LedgerFilters = z.infer<typeof Filters>;

/** One page of the ledger, newest first, for the filters. */
export async function ledgerPage(deps: Pick<ResolvedConsoleDeps, 'store'>, f: LedgerFilters): Promise<{ rows: LedgerEntry[]; more: boolean }> {
  const rows = await deps.store.repos.ledger.query({
    limit: f.limit + 1, newestFirst: true,
    ...(f.system === undefined ? {} : { system: f.system }), ...(f.entity === undefined ? {} : { entity: f.entity }),
    ...(f.outcome === undefined ? {} : { outcome: f.outcome }), ...(f.canonicalId === undefined ? {} : { canonicalId: f.canonicalId }),
    ...(f.runId === undefined ? {} : { runId: f.runId }), ...(f.actor === undefined ? {} : { actor: f.actor }),
    ...(f.from === undefined ? {} : { since: f.from }), ...(f.to === undefined ? {} : { until: untilOf(f.to) }),
    ...(f.before === undefined ? {} : { beforeSeq: Number(f.before) }),
  });
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}
