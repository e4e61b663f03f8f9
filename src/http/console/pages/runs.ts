import type { Hono } from 'hono';
import { z } from 'zod';
import { Id } from '../../../model/index.ts';
import type { RunKind, RunStatus } from '../../../store/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { counts, hrefWith, runHref, tag, time } from '../format.ts';
import { h } from '../html.ts';
import { parsePath, parseQuery } from '../input.ts';
import { reportSection } from '../report.ts';
import { render } from '../respond.ts';
import { filterForm, nextLink, select, textInput } from '../widgets.ts';

const KINDS = ['pull', 'reconcile', 'import', 'export', 'push'] as const satisfies readonly RunKind[];
const STATUSES = ['running', 'succeeded', 'failed', 'partial'] as const satisfies readonly RunStatus[];

const Filters = z.strictObject({
  kind: z.enum(KINDS).optional(),
  system: z.string().max(100).optional(),
  status: z.enum(STATUSES).optional(),
  before: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const IdPath = z.strictObject({ id: Id });

/** A page showing a running run reloads itself this often (a meta refresh: no script). */
const REFRESH_SECONDS = 3;

/** `/console/runs` and `/console/runs/:id`: pulls, reconciliations, imports and exports with their reports. */
export function registerRuns(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { runs } = deps.store.repos;

  app.get('/runs', async (c) => {
    const f = parseQuery(c, Filters);
    const rows = await runs.page({
      limit: f.limit + 1,
      ...(f.kind === undefined ? {} : { kind: f.kind }), ...(f.system === undefined ? {} : { system: f.system }),
      ...(f.status === undefined ? {} : { status: f.status }), ...(f.before === undefined ? {} : { before: f.before }),
    });
    const shown = rows.slice(0, f.limit);
    const last = shown.at(-1);
    const next = rows.length > f.limit && last
      ? hrefWith('/console/runs', { kind: f.kind, system: f.system, status: f.status, before: last.id, limit: f.limit === 50 ? undefined : f.limit })
      : null;
    const body = h`${filterForm('/console/runs', [
      select('kind', 'kind', KINDS, f.kind), textInput('system', 'system', f.system), select('status', 'status', STATUSES, f.status),
    ], '/console/runs')}
${shown.length === 0 ? h`<p class="muted">No runs.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Runs, newest first</caption><thead><tr><th scope="col">started</th><th>kind</th><th>system</th><th>entity</th><th>status</th><th>counts</th><th>finished</th></tr></thead><tbody>${shown.map(
  (r) => h`<tr data-run="${r.id}"><td><a href="${runHref(r.id)}">${time(r.startedAt)}</a></td><td>${r.kind}</td><td>${r.system}</td><td>${r.entity ?? ''}</td><td>${tag(r.status)}</td><td>${counts(r.counts)}</td><td>${time(r.finishedAt)}</td></tr>`,
)}</tbody></table></div>`}
${nextLink(next)}`;
    const running = shown.some((r) => r.status === 'running');
    return render(c, 'Runs', 'runs', h`${running ? h`<p class="muted" role="status">A run is in progress: this page refreshes every ${REFRESH_SECONDS} seconds.</p>` : null}${body}`, 200, running ? { refreshSeconds: REFRESH_SECONDS } : {});
  });

  app.get('/runs/:id', async (c) => {
    const { id } = parsePath(c, IdPath);
    parseQuery(c, z.strictObject({}));
    const run = await runs.get(id);
    if (!run) throw new ConsoleError(404, 'Not found', `Run ${id} was not found.`);
    const countRows = Object.entries(run.counts);
    const body = h`<table><tbody>
<tr><th>id</th><td><code>${run.id}</code></td></tr>
<tr><th>kind</th><td>${run.kind}</td></tr><tr><th>system</th><td>${run.system}</td></tr><tr><th>entity</th><td>${run.entity ?? ''}</td></tr>
<tr><th>status</th><td>${tag(run.status)}</td></tr><tr><th>started</th><td>${time(run.startedAt)}</td></tr><tr><th>finished</th><td>${time(run.finishedAt)}</td></tr>
${run.error === null ? null : h`<tr><th>error</th><td><code>${run.error}</code></td></tr>`}
</tbody></table>
<h2>Counts</h2>${countRows.length === 0 ? h`<p class="muted">none</p>` : h`<table><tbody>${countRows.map(([k, n]) => h`<tr><th>${k}</th><td class="num">${n}</td></tr>`)}</tbody></table>`}
${reportSection(run.report)}
${run.cursor === null ? null : h`<details><summary>Cursor</summary><pre>${JSON.stringify(run.cursor, null, 2)}</pre></details>`}
<p><a href="${hrefWith('/console/ledger', { runId: run.id })}">this run's ledger entries</a> · <a href="${hrefWith('/console/runs', { system: run.system })}">other runs of ${run.system}</a></p>`;
    const running = run.status === 'running';
    const progress = running ? h`<p role="status"><strong>Running</strong> since ${time(run.startedAt)}: ${counts(run.counts)} so far. This page refreshes every ${REFRESH_SECONDS} seconds.</p>` : null;
    return render(c, `Run: ${run.kind} ${run.system}${run.entity ? ` ${run.entity}` : ''}`, 'runs', h`${progress}${body}`, 200, running ? { refreshSeconds: REFRESH_SECONDS } : {});
  });
}
