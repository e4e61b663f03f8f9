import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITY_NAMES, Id } from '../../../model/index.ts';
import type { LedgerEntry } from '../../../store/index.ts';
import { EntityNameSchema } from '../../schemas/common.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { diffList, hrefWith, recordLink, runHref, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseQuery } from '../input.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const OUTCOMES = ['applied', 'conflict', 'rejected', 'failed'] as const;

const Filters = z.strictObject({
  system: z.string().max(100).optional(),
  entity: EntityNameSchema.optional(),
  outcome: z.enum(OUTCOMES).optional(),
  canonicalId: Id.optional(),
  runId: Id.optional(),
  after: z.string().regex(/^\d{1,15}$/, 'a ledger sequence number').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

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
  return h`<table class="ledger"><thead><tr><th>seq</th><th>at</th><th>dir</th><th>system</th><th>record</th><th>action</th><th>outcome</th><th>changes</th><th>reason</th><th>actor</th><th></th></tr></thead>
<tbody>${entries.map((e) => ledgerRow(e, showPay))}</tbody></table>`;
}

/** `/console/ledger`: the sync ledger, filterable, paged by sequence number, oldest first. */
export function registerLedger(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  app.get('/ledger', async (c) => {
    const f = parseQuery(c, Filters);
    const rows = await deps.store.repos.ledger.query({
      limit: f.limit + 1,
      ...(f.system === undefined ? {} : { system: f.system }), ...(f.entity === undefined ? {} : { entity: f.entity }),
      ...(f.outcome === undefined ? {} : { outcome: f.outcome }), ...(f.canonicalId === undefined ? {} : { canonicalId: f.canonicalId }),
      ...(f.runId === undefined ? {} : { runId: f.runId }), ...(f.after === undefined ? {} : { afterSeq: Number(f.after) }),
    });
    const shown = rows.slice(0, f.limit);
    const last = shown.at(-1);
    const next = rows.length > f.limit && last?.seq !== undefined
      ? hrefWith('/console/ledger', {
        system: f.system, entity: f.entity, outcome: f.outcome, canonicalId: f.canonicalId, runId: f.runId, after: last.seq, limit: f.limit === 50 ? undefined : f.limit,
      })
      : null;
    const body = h`${filterForm('/console/ledger', [
      textInput('system', 'system', f.system), select('entity', 'entity', ENTITY_NAMES, f.entity), select('outcome', 'outcome', OUTCOMES, f.outcome),
      textInput('canonicalId', 'record id', f.canonicalId), textInput('runId', 'run id', f.runId), textInput('after', 'after seq', f.after),
    ], '/console/ledger')}
<p class="muted">Oldest first. Pay rates are hidden here; a record's own page shows them.</p>
${ledgerTable(shown, false)}
${nextLink(next)}`;
    return render(c, 'Ledger', 'ledger', body);
  });
}
