import { z } from 'zod';
import { h, type SafeHtml } from './html.ts';
import { recordLink, tag } from './format.ts';

/**
 * The parts of a reconciliation report the console lays out as tables, read leniently: the report
 * is the reconcile module's to shape, so anything that does not fit falls back to a JSON block
 * instead of breaking the page (and the console does not import the reconcile module).
 */
const OrphanList = z.object({
  count: z.number(),
  items: z.array(z.object({ canonicalId: z.string(), externalId: z.string().nullable().optional() })),
});

const Gate = z.object({
  staged: z.number(),
  alive: z.number(),
  links: z.number(),
  tombstone: z.boolean(),
  reason: z.string().nullable(),
});

export const ReconcileReportView = z.object({
  kind: z.literal('reconcile'),
  counts: z.record(z.string(), z.number()),
  requests: z.object({ used: z.number(), allowed: z.number().nullable() }).optional(),
  durationMs: z.number().optional(),
  tombstones: z.object({ skipped: z.boolean(), reasons: z.array(z.string()) }).optional(),
  entities: z.record(z.string(), Gate).optional(),
  orphans: z.record(z.string(), OrphanList).nullable().optional(),
  error: z.string().nullable().optional(),
});
type ReconcileReportView = z.infer<typeof ReconcileReportView>;

/** The canonical entity each orphan kind lists, so its ids link to records. */
const ORPHAN_ENTITY: Readonly<Record<string, string>> = {
  payroll_employee_without_assignment: 'candidate',
  assignment_without_payroll_worker: 'assignment',
  approved_time_not_exported: 'time_entry',
  exported_time_missing_in_payroll: 'time_entry',
};

function orphanSection(kind: string, list: z.infer<typeof OrphanList>): SafeHtml {
  const entity = ORPHAN_ENTITY[kind];
  return h`<section data-orphans="${kind}"><h3>${kind.replace(/_/g, ' ')}: ${list.count}</h3>${
    list.items.length === 0 ? null : h`<table><thead><tr><th>record</th><th>external id</th></tr></thead><tbody>${list.items.map(
      (item) => h`<tr><td>${entity === undefined ? item.canonicalId : recordLink(entity, item.canonicalId, `${entity} ${item.canonicalId}`)}</td><td>${item.externalId ?? ''}</td></tr>`,
    )}</tbody></table>${list.count > list.items.length ? h`<p class="muted">showing the first ${list.items.length} of ${list.count}</p>` : null}`
  }</section>`;
}

function reconcileReport(r: ReconcileReportView): SafeHtml {
  const counts = Object.entries(r.counts).filter(([, n]) => n !== 0);
  const entities = Object.entries(r.entities ?? {});
  const orphans = Object.entries(r.orphans ?? {});
  return h`<section class="report"><h2>Reconciliation report</h2>
<table><tbody>${counts.length === 0 ? h`<tr><td class="muted">all counts zero</td></tr>` : counts.map(([k, n]) => h`<tr><th>${k}</th><td class="num">${n}</td></tr>`)}</tbody></table>
${r.requests ? h`<p>Vendor requests: <strong>${r.requests.used}</strong>${r.requests.allowed === null ? ' (no rate limit known)' : h` of <strong>${r.requests.allowed}</strong> the rate limit allowed`}${r.durationMs === undefined ? null : h` in ${Math.round(r.durationMs / 100) / 10} s`}.</p>` : null}
${r.tombstones ? h`<p>Tombstones: ${r.tombstones.skipped ? h`${tag('skipped')}<ul>${r.tombstones.reasons.map((x) => h`<li>${x}</li>`)}</ul>` : 'allowed'}</p>` : null}
${entities.length === 0 ? null : h`<h3>Per entity</h3><table><thead><tr><th>entity</th><th>staged</th><th>alive</th><th>links</th><th>tombstones</th></tr></thead><tbody>${entities.map(
  ([entity, g]) => h`<tr><th>${entity}</th><td class="num">${g.staged}</td><td class="num">${g.alive}</td><td class="num">${g.links}</td><td>${g.tombstone ? 'allowed' : h`skipped${g.reason ? h`: ${g.reason}` : null}`}</td></tr>`,
)}</tbody></table>`}
${orphans.length === 0 ? null : h`<h3>Orphans</h3>${orphans.map(([kind, list]) => orphanSection(kind, list))}`}
${r.error ? h`<p>Error: <code>${r.error}</code></p>` : null}
</section>`;
}

/** A run's report: tables for a reconciliation report, else (and always, folded) the JSON. */
export function reportSection(report: unknown): SafeHtml {
  if (report === null || report === undefined) return h`<p class="muted">No report (the run has not finished, or writes none).</p>`;
  const parsed = ReconcileReportView.safeParse(report);
  const json = h`<pre class="json">${JSON.stringify(report, null, 2)}</pre>`;
  if (!parsed.success) return h`<h2>Report</h2>${json}`;
  return h`${reconcileReport(parsed.data)}<details><summary>Report as JSON</summary>${json}</details>`;
}
